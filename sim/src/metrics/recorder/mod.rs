//! The live counters of a run: integer adds into preallocated arrays, indexed by fleet and by
//! the current time bucket. No map lookups, no allocation per event. Statuses are mapped to
//! dense slots once (the set of statuses a run can produce is known at its start).

mod events;

use super::arrivals::ArrivalRec;
use super::delays::DelayRec;
use super::hotkey::HotKey;
use super::loghist;
use super::tenants::TenantRec;
use crate::model::Scope;
use crate::retry::GiveUpReason;
use hdrhistogram::Histogram;
use limiters::Nanos;

/// Column offsets within a bucket row of one fleet.
pub(crate) mod col {
    pub const FIRST: usize = 0;
    pub const RETRY: usize = 1;
    pub const ADMIT: usize = 2;
    pub const TIMEOUT: usize = 3;
    pub const SUCCESS: usize = 4;
    pub const GIVE_UP: usize = 5;
    pub const IN_FLIGHT: usize = 6;
    pub const HEDGE: usize = 7;
    pub const STATUS0: usize = 8;
}

/// Latencies are recorded in microseconds, up to ten days, 3 significant digits.
const LATENCY_MAX_US: u64 = 10 * 86_400 * 1_000_000;

/// Most latency rows (over all fleets) of [`loghist::BINS`] counters each: 16,384 rows are
/// about 19 MB. A run with more buckets times fleets shares one latency row between `k`
/// consecutive buckets (the smallest `k` that fits).
pub const MAX_LATENCY_ROWS: usize = 16_384;

/// Summary counters of one fleet.
#[derive(Debug)]
pub(crate) struct FleetRec {
    pub logical: u64,
    pub first: u64,
    pub retries: u64,
    pub admitted: u64,
    pub timeouts: u64,
    pub successes: u64,
    pub give_ups: [u64; 4],
    pub duplicates: u64,
    pub wasted_attempts: u64,
    pub wasted_ns: u64,
    pub hedges: u64,
    pub hedge_wins: u64,
    pub hedge_abandoned: u64,
    pub in_flight: u64,
    pub by_status: Vec<u64>,
    pub latency: Histogram<u64>,
    /// `nbuckets * width` counters.
    pub buckets: Vec<u32>,
    /// `latency_rows * loghist::BINS` counters: latency of the successes completed in each
    /// latency row (`latency_every` buckets).
    pub bucket_latency: Vec<u32>,
    /// The delays the retry policy chose.
    pub delays: DelayRec,
}

/// What the server's first limiter level is keyed by, for the hottest-key gauge.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum LimiterScope {
    /// No level, or a global first level (no key to choose).
    None,
    /// Keyed by API key.
    Key,
    /// Keyed by tenant.
    Tenant,
}

impl LimiterScope {
    pub fn of(first: Option<Scope>) -> LimiterScope {
        match first {
            Some(Scope::Key) => LimiterScope::Key,
            Some(Scope::Tenant) => LimiterScope::Tenant,
            _ => LimiterScope::None,
        }
    }
}

/// Gauges of the server sampled at each bucket's end.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct ServerGauges {
    pub queue_len: u64,
    pub busy: u64,
    pub limiter: Option<(u64, u64)>,
}

/// The recorder.
#[derive(Debug)]
pub struct Recorder {
    pub(crate) bucket: Nanos,
    pub(crate) nbuckets: usize,
    pub(crate) width: usize,
    cur: usize,
    /// Offset of the current bucket's row in a fleet's `buckets` (the last row once the run
    /// is past its buckets): `cur.min(nbuckets - 1) * width`, kept beside `cur`.
    row: usize,
    next_edge: Nanos,
    pub(crate) statuses: Vec<u16>,
    slot: Vec<u8>,
    pub(crate) fleets: Vec<FleetRec>,
    pub(crate) server: Vec<ServerGauges>,
    /// Buckets per latency row.
    pub(crate) latency_every: usize,
    /// Latency rows per fleet.
    pub(crate) latency_rows: usize,
    lat_cur: usize,
    pub(crate) arrivals: ArrivalRec,
    scope: LimiterScope,
    hot: HotKey,
    /// Per-tenant rejections and latency, by tenant slot.
    pub(crate) tenants: TenantRec,
}

fn reason_index(r: GiveUpReason) -> usize {
    match r {
        GiveUpReason::NotRetryable => 0,
        GiveUpReason::MaxAttempts => 1,
        GiveUpReason::Deadline => 2,
        GiveUpReason::Gate => 3,
    }
}

/// Every give-up reason, in the order of the recorder's counters.
pub(crate) const REASONS: [GiveUpReason; 4] = [
    GiveUpReason::NotRetryable,
    GiveUpReason::MaxAttempts,
    GiveUpReason::Deadline,
    GiveUpReason::Gate,
];

impl Recorder {
    /// A recorder for `fleets` fleets over `duration` in buckets of `bucket`, able to count
    /// every status in `statuses` (non-2xx statuses the server can produce).
    pub fn new(fleets: usize, duration: Nanos, bucket: Nanos, statuses: &[u16]) -> Recorder {
        Recorder::with_options(
            fleets,
            duration,
            bucket,
            statuses,
            super::DEFAULT_ARRIVAL_RESOLUTION,
            LimiterScope::None,
        )
    }

    /// [`Recorder::new`], counting server arrivals at `arrival_resolution` and tracking the
    /// hottest id of a keyed first limiter level.
    pub(crate) fn with_options(
        fleets: usize,
        duration: Nanos,
        bucket: Nanos,
        statuses: &[u16],
        arrival_resolution: Nanos,
        scope: LimiterScope,
    ) -> Recorder {
        let mut st: Vec<u16> = statuses.iter().copied().filter(|s| *s < 600).collect();
        st.sort_unstable();
        st.dedup();
        let mut slot = vec![u8::MAX; 600];
        for (i, s) in st.iter().enumerate() {
            slot[*s as usize] = i as u8;
        }
        let bucket = if bucket.is_zero() { Nanos(1) } else { bucket };
        let nbuckets = duration.0.div_ceil(bucket.0).max(1) as usize;
        let width = col::STATUS0 + st.len();
        let tenants = TenantRec::new(0, st.len());
        let nfleets = fleets.max(1);
        let latency_every = (nbuckets * nfleets).div_ceil(MAX_LATENCY_ROWS).max(1);
        let latency_rows = nbuckets.div_ceil(latency_every);
        let arrivals = ArrivalRec::new(fleets, duration, arrival_resolution);
        let fleets = (0..fleets)
            .map(|_| FleetRec {
                logical: 0,
                first: 0,
                retries: 0,
                admitted: 0,
                timeouts: 0,
                successes: 0,
                give_ups: [0; 4],
                duplicates: 0,
                wasted_attempts: 0,
                wasted_ns: 0,
                hedges: 0,
                hedge_wins: 0,
                hedge_abandoned: 0,
                in_flight: 0,
                by_status: vec![0; st.len()],
                // Constant, valid bounds: construction cannot fail.
                latency: Histogram::new_with_max(LATENCY_MAX_US, 3)
                    .expect("constant histogram bounds are valid"),
                buckets: vec![0; nbuckets * width],
                bucket_latency: vec![0; latency_rows * loghist::BINS],
                delays: DelayRec::new(),
            })
            .collect();
        Recorder {
            bucket,
            nbuckets,
            width,
            cur: 0,
            row: 0,
            next_edge: bucket,
            statuses: st,
            slot,
            fleets,
            server: vec![ServerGauges::default(); nbuckets],
            latency_every,
            latency_rows,
            lat_cur: 0,
            arrivals,
            scope,
            hot: HotKey::default(),
            tenants,
        }
    }

    /// Count rejections, errors and latency per tenant too, for `tenants` tenants: the
    /// `tenant` argument of [`Recorder::response`] and [`Recorder::success`] is then an index
    /// below `tenants` (without this call, it is ignored).
    pub fn with_tenants(mut self, tenants: usize) -> Recorder {
        self.tenants = TenantRec::new(tenants, self.statuses.len());
        self
    }

    /// The time at which the current bucket ends; the world calls [`Recorder::roll`] before
    /// handling an event at or after it.
    #[inline]
    pub fn next_edge(&self) -> Nanos {
        self.next_edge
    }

    /// Close every bucket that ends at or before `now`, sampling the gauges (their values at
    /// those buckets' ends are the current ones: nothing happened in between).
    pub(crate) fn roll(&mut self, now: Nanos, gauges: ServerGauges) {
        while now >= self.next_edge && self.cur < self.nbuckets {
            self.close_bucket(gauges);
            self.cur += 1;
            self.next_edge += self.bucket;
        }
        self.row = self.cur.min(self.nbuckets - 1) * self.width;
        self.lat_cur = (self.cur / self.latency_every).min(self.latency_rows - 1);
    }

    /// Close every bucket that ends at or before `now`, without server gauges: for a recorder
    /// fed from outside the engine (live mode, whose client sees no server internals). Calls
    /// must come in time order.
    pub fn advance(&mut self, now: Nanos) {
        self.roll(now, ServerGauges::default());
    }

    /// [`Recorder::advance`] with server gauges sampled from outside (live mode reads them
    /// from the server): every bucket that ends at or before `now` closes with `queue_len`,
    /// `busy` and the first limiter level's `(remaining, limit)`. `Nanos::MAX` closes them all.
    pub fn advance_with(
        &mut self,
        now: Nanos,
        queue_len: u64,
        busy: u64,
        limiter: Option<(u64, u64)>,
    ) {
        let gauges = ServerGauges {
            queue_len,
            busy,
            limiter,
        };
        self.roll(now, gauges);
    }

    /// Close the remaining buckets, without server gauges (the end of an outside-fed run).
    pub fn finish(&mut self) {
        self.close_all(ServerGauges::default());
    }

    /// The retry delays fleet `fleet`'s policy chose.
    pub fn retry_delays(&self, fleet: usize) -> super::RetryDelays {
        self.fleets[fleet].delays.result()
    }

    /// Attempts of fleet `fleet` that reached the server, per arrival bin.
    pub fn arrival_counts(&self, fleet: usize) -> &[u32] {
        self.arrivals.fleet(fleet)
    }

    /// The arrival bin width.
    pub fn arrival_resolution(&self) -> Nanos {
        self.arrivals.res
    }

    /// Width of the per-bucket latency percentiles: the bucket times the buckets per latency
    /// row.
    pub fn latency_bucket(&self) -> Nanos {
        self.bucket.saturating_mul(self.latency_every as u64)
    }

    /// Close the remaining buckets at the end of the run.
    pub(crate) fn close_all(&mut self, gauges: ServerGauges) {
        while self.cur < self.nbuckets {
            self.close_bucket(gauges);
            self.cur += 1;
        }
        self.row = self.cur.min(self.nbuckets - 1) * self.width;
    }

    fn close_bucket(&mut self, gauges: ServerGauges) {
        let base = self.cur * self.width;
        for f in &mut self.fleets {
            f.buckets[base + col::IN_FLIGHT] = f.in_flight.min(u64::from(u32::MAX)) as u32;
        }
        self.server[self.cur] = gauges;
    }
}
