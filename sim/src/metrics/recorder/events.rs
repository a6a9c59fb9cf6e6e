//! What the engine tells the recorder as a run goes: one method per event (a logical request,
//! an attempt, a response, a give-up...), each an integer add into the current bucket's row
//! or a histogram record. Kept apart from the recorder's layout and time keeping ([`super`]).

use super::{col, reason_index, LimiterScope, Recorder};
use crate::metrics::loghist;
use crate::retry::GiveUpReason;
use limiters::Nanos;

impl Recorder {
    #[inline]
    fn bump(&mut self, fleet: usize, column: usize) {
        let i = self.row + column;
        let c = &mut self.fleets[fleet].buckets[i];
        *c = c.saturating_add(1);
    }

    /// A new logical request.
    #[inline]
    pub fn logical(&mut self, fleet: usize) {
        let f = &mut self.fleets[fleet];
        f.logical += 1;
        f.in_flight += 1;
    }

    /// An attempt sent.
    #[inline]
    pub fn attempt(&mut self, fleet: usize, retry: bool) {
        let f = &mut self.fleets[fleet];
        if retry {
            f.retries += 1;
            self.bump(fleet, col::RETRY);
        } else {
            f.first += 1;
            self.bump(fleet, col::FIRST);
        }
    }

    /// A hedge (a further copy of an attempt in flight) sent.
    #[inline]
    pub fn hedge(&mut self, fleet: usize) {
        self.fleets[fleet].hedges += 1;
        self.bump(fleet, col::HEDGE);
    }

    /// A hedged round (one that sent at least one hedge) succeeded; `by_hedge` when a hedge's
    /// response came first.
    #[inline]
    pub fn hedge_won(&mut self, fleet: usize, by_hedge: bool) {
        if by_hedge {
            self.fleets[fleet].hedge_wins += 1;
        }
    }

    /// `n` copies were still in flight when their round ended (a success or a fatal failure):
    /// the client discards their responses.
    #[inline]
    pub fn hedge_abandoned(&mut self, fleet: usize, n: u32) {
        self.fleets[fleet].hedge_abandoned += u64::from(n);
    }

    /// The limiters admitted an attempt (counted when admitted, not when answered).
    #[inline]
    pub fn admitted(&mut self, fleet: usize) {
        self.fleets[fleet].admitted += 1;
        self.bump(fleet, col::ADMIT);
    }

    /// The server answered an attempt of a client of tenant `tenant` (a slot, see
    /// [`Recorder::with_tenants`]), whether or not the client still waits for it.
    #[inline]
    pub fn response(&mut self, fleet: usize, tenant: u32, status: u16) {
        if (200..300).contains(&status) {
            return;
        }
        let s = self.slot.get(status as usize).copied().unwrap_or(u8::MAX);
        if s != u8::MAX {
            self.fleets[fleet].by_status[s as usize] += 1;
            self.tenants.response(tenant, s as usize);
            self.bump(fleet, col::STATUS0 + s as usize);
        }
    }

    /// A client abandoned an attempt on its timeout.
    #[inline]
    pub fn timeout(&mut self, fleet: usize) {
        self.fleets[fleet].timeouts += 1;
        self.bump(fleet, col::TIMEOUT);
    }

    /// A logical request of a client of tenant `tenant` succeeded after `latency`.
    #[inline]
    pub fn success(&mut self, fleet: usize, tenant: u32, latency: Nanos) {
        let f = &mut self.fleets[fleet];
        f.successes += 1;
        f.in_flight -= 1;
        let us = latency.0 / 1_000;
        f.latency.saturating_record(us);
        self.tenants.success(tenant, us);
        let row = self.lat_cur * loghist::BINS;
        loghist::record(&mut f.bucket_latency[row..row + loghist::BINS], us);
        self.bump(fleet, col::SUCCESS);
    }

    /// A logical request was given up.
    #[inline]
    pub fn give_up(&mut self, fleet: usize, reason: GiveUpReason) {
        let f = &mut self.fleets[fleet];
        f.give_ups[reason_index(reason)] += 1;
        f.in_flight -= 1;
        self.bump(fleet, col::GIVE_UP);
    }

    /// The retry policy of `fleet` chose to wait `delay` before the next attempt.
    #[inline]
    pub fn retry_delay(&mut self, fleet: usize, delay: Nanos) {
        self.fleets[fleet].delays.record(delay.0 / 1_000);
    }

    /// An attempt of `fleet` from API key `key` in tenant `tenant` reached the server.
    /// Always inlined: with a second caller (a deployment's way) the compiler stopped inlining
    /// it into the one server's way, +3% instructions on fleet-429.
    #[inline(always)]
    pub fn server_arrival(&mut self, fleet: usize, now: Nanos, key: u32, tenant: u32) {
        self.arrivals.record(fleet, now);
        match self.scope {
            LimiterScope::None => {}
            LimiterScope::Key => self.hot.record(key, self.cur),
            LimiterScope::Tenant => self.hot.record(tenant, self.cur),
        }
    }

    /// The hottest key (or tenant) of the keyed first limiter level in the current bucket, or
    /// of the latest bucket with arrivals; `None` for a global level or before any arrival.
    #[inline]
    pub fn hottest(&self) -> Option<u32> {
        self.hot.hottest()
    }

    /// A non-idempotent request was executed again.
    #[inline]
    pub fn duplicate(&mut self, fleet: usize) {
        self.fleets[fleet].duplicates += 1;
    }

    /// The server executed an attempt its client had abandoned.
    #[inline]
    pub fn wasted(&mut self, fleet: usize, work: Nanos) {
        let f = &mut self.fleets[fleet];
        f.wasted_attempts += 1;
        f.wasted_ns += work.0;
    }
}
