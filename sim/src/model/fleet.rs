//! Client fleets as configured: how many clients, their identities, how they send.

use super::Distribution;
use crate::retry::RetryPolicy;
use limiters::{Nanos, Rate};

/// How a fleet's clients map to API keys.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Keys {
    /// Each client has its own key.
    PerClient,
    /// `n` keys shared round-robin (client `i` uses key `i % n`).
    Shared(u32),
}

/// How one client of a fleet generates new logical requests.
#[derive(Clone, Debug, PartialEq)]
pub enum Arrival {
    /// Open loop, Poisson with the given rate per client (exponential gaps).
    Poisson {
        /// Per-client rate.
        rate: Rate,
    },
    /// Open loop, one request every `1/rate`, each client at a random phase in the first gap.
    Constant {
        /// Per-client rate.
        rate: Rate,
    },
    /// Open loop, Poisson at `rate` during `on`, silent during `off`, repeating from t = 0;
    /// every client of the fleet is on at the same time (bursts).
    OnOff {
        /// Per-client rate while on.
        rate: Rate,
        /// On period.
        on: Nanos,
        /// Off period.
        off: Nanos,
    },
    /// Every client fires at each multiple of `period` (a top-of-minute cron job with
    /// `period = 60s`), plus a uniform offset in `[0, offset)` drawn per firing.
    Cron {
        /// The period (60 s for "every minute").
        period: Nanos,
        /// Upper bound of the per-firing offset (zero: all clients fire on the same instant).
        offset: Nanos,
    },
    /// Open loop, non-homogeneous Poisson whose rate moves sinusoidally between `low` (at t = 0)
    /// and `high` (at `period / 2`); sampled by thinning (Lewis and Shedler, 1979).
    Diurnal {
        /// Lowest per-client rate.
        low: Rate,
        /// Highest per-client rate.
        high: Rate,
        /// One full cycle.
        period: Nanos,
    },
    /// Open loop, non-homogeneous Poisson with a piecewise-constant rate: each `(from, rate)`
    /// holds from `from` until the next point's `from` (the first point should be at 0; before
    /// it the rate is zero). A rate of `None` is silence. Sampled by thinning.
    Piecewise {
        /// `(from, per-client rate)` points, sorted by `from`.
        points: Vec<(Nanos, Option<Rate>)>,
    },
    /// Closed loop: each client keeps `concurrency` logical requests in flight, waiting a think
    /// time after each completes (success or give-up) before starting the next.
    Closed {
        /// Logical requests in flight per client.
        concurrency: u32,
        /// Pause between the end of one request and the start of the next.
        think: Distribution,
    },
    /// Open loop, each client at the times of a trace (a replayed access log, `throttlelab
    /// replay`): client `i` of the fleet is the trace's client `i`. Not written in scenario
    /// files.
    Trace(std::sync::Arc<crate::client::Trace>),
}

impl Arrival {
    /// The name as written in scenario files.
    pub fn as_str(&self) -> &'static str {
        match self {
            Arrival::Poisson { .. } => "poisson",
            Arrival::Constant { .. } => "constant",
            Arrival::OnOff { .. } => "on_off",
            Arrival::Cron { .. } => "cron",
            Arrival::Diurnal { .. } => "diurnal",
            Arrival::Piecewise { .. } => "piecewise",
            Arrival::Closed { .. } => "closed",
            Arrival::Trace(_) => "trace",
        }
    }
}

/// Client-side fail-over between the server's upstreams (seed 003's "Retry ... then fail
/// over to a different model"): after `after` failed attempts with a status in `on` on its
/// current upstream, a logical request sends its next attempts to the next upstream (in
/// `[[server.upstreams]]` order, wrapping around). Whether it retries at all is still the
/// retry policy's decision.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Failover {
    /// Statuses that count towards a fail-over (502 in seed 003).
    pub on: crate::retry::StatusSet,
    /// Failures on one upstream before moving on (at least 1).
    pub after: u8,
}

impl Failover {
    /// After an attempt to `upstream` (of `n`) that ended with `status`, with `failures`
    /// counted there before it: the upstream of the next attempt and its failure count.
    ///
    /// ```
    /// use sim::model::Failover;
    /// use sim::retry::StatusSet;
    /// let f = Failover { on: StatusSet::of(&[502]), after: 2 };
    /// assert_eq!(f.next(0, 0, Some(502), 2), (0, 1));
    /// assert_eq!(f.next(0, 1, Some(502), 2), (1, 0));
    /// assert_eq!(f.next(1, 1, Some(502), 2), (0, 0)); // wraps around
    /// assert_eq!(f.next(0, 1, Some(429), 2), (0, 1)); // not a fail-over status
    /// assert_eq!(f.next(0, 1, Some(502), 1), (0, 1)); // one upstream: nowhere to go
    /// ```
    pub fn next(&self, upstream: u8, failures: u8, status: Option<u16>, n: usize) -> (u8, u8) {
        if n < 2 || !status.is_some_and(|s| self.on.contains(s)) {
            return (upstream, failures);
        }
        let failures = failures.saturating_add(1);
        if failures >= self.after {
            (((usize::from(upstream) + 1) % n) as u8, 0)
        } else {
            (upstream, failures)
        }
    }
}

/// A fleet of identical clients.
#[derive(Clone, Debug, PartialEq)]
pub struct Fleet {
    /// Unique name; RNG streams are keyed by it, so adding a fleet changes no other fleet's draws.
    pub name: String,
    /// Number of clients.
    pub count: u32,
    /// API keys.
    pub keys: Keys,
    /// Key names are `<key_prefix>-<n>`; fleets with the same prefix share keys. Defaults to the
    /// fleet name.
    pub key_prefix: String,
    /// Tenants (orgs) the clients are spread over round-robin: client `i` is in tenant
    /// `i % tenants`. At least 1.
    pub tenants: u32,
    /// Tenant names are `<tenant_prefix>-<n>`; fleets with the same prefix share tenants (and
    /// their org-level limits). Defaults to the fleet name.
    pub tenant_prefix: String,
    /// How new logical requests arrive.
    pub arrival: Arrival,
    /// Per-attempt timeout: the client abandons an attempt after it (the server may still do
    /// the work). `None` = wait forever.
    pub timeout: Option<Nanos>,
    /// Overall deadline of a logical request from its first send: no attempt or retry wait goes
    /// past it. `None` = no deadline.
    pub deadline: Option<Nanos>,
    /// Cost of one request, charged to limiters.
    pub cost: u32,
    /// Whether the request is idempotent; a retry of a non-idempotent request whose earlier
    /// attempt the server executed counts as a duplicate executed.
    pub idempotent: bool,
    /// The retry policy of every client of the fleet.
    pub retry: RetryPolicy,
    /// Client-side resilience gates (retry budgets, circuit breakers, client throttling),
    /// consulted before every attempt, in series; empty = none.
    pub gates: Vec<crate::client::gate::GateSpec>,
    /// How clients read the rate-limit headers (reset interpretation, clock skew, which field
    /// decides the wait). `None`: the server's advice arrives exactly, in whole seconds.
    pub headers: Option<crate::client::HeaderClient>,
    /// Every attempt carries the logical request's `Idempotency-Key`: the server replays the
    /// stored response of an attempt it already executed instead of executing it again, and
    /// answers 409 while the first is still executing (seeds 002, 004).
    pub idempotency_key: bool,
    /// Probability that a retry (an attempt after the first) reuses the key with a changed
    /// body (a client that rebuilds its payload on retry, e.g. with a fresh timestamp). The
    /// server refuses it with 409 while the key holds the first body (seed 002
    /// `idempotency.key_mismatch`, seed 004 `IDEMPOTENCY_KEY_CONFLICT`). Needs
    /// `idempotency_key`; 0 = bodies never change.
    pub changed_body: f64,
    /// Fail-over between the server's upstreams; `None`: every attempt to the first.
    pub failover: Option<Failover>,
    /// Hedged requests (`[fleet.<name>.hedge]`): further copies of an unanswered attempt, the
    /// first success wins. `None`: one copy at a time.
    pub hedge: Option<crate::client::hedge::HedgeConfig>,
    /// The fleet is the trigger of a metastable-failure experiment (a load spike), not a
    /// workload: the window in which it sends (see [`Fleet::trigger_window`]) counts as a fault
    /// window, so the run reports whether goodput recovered after it (Bronson et al.,
    /// "Metastable Failures in Distributed Systems", HotOS 2021). Needs a `piecewise` arrival.
    pub trigger: bool,
}

impl Fleet {
    /// A fleet with defaults: keys per client, one tenant, no timeout or deadline, cost 1,
    /// idempotent, no retries. Prefixes default to the name.
    pub fn new(name: &str, count: u32, arrival: Arrival) -> Fleet {
        Fleet {
            name: name.to_string(),
            count,
            keys: Keys::PerClient,
            key_prefix: name.to_string(),
            tenants: 1,
            tenant_prefix: name.to_string(),
            arrival,
            timeout: None,
            deadline: None,
            cost: 1,
            idempotent: true,
            retry: RetryPolicy::none(),
            gates: Vec::new(),
            headers: None,
            idempotency_key: false,
            changed_body: 0.0,
            failover: None,
            hedge: None,
            trigger: false,
        }
    }

    /// For a trigger fleet with a `piecewise` arrival, the window `[start, end)` in which it
    /// sends: from its first point with a rate to the first silent point after its last point
    /// with a rate (`horizon` when it never falls silent again). `None` for any other fleet.
    ///
    /// ```
    /// use sim::model::{Arrival, Fleet};
    /// use limiters::Nanos;
    /// let s = Nanos::from_secs;
    /// let mut f = Fleet::new("spike", 10, Arrival::Piecewise {
    ///     points: vec![(s(0), None), (s(60), Some("2/s".parse().unwrap())), (s(65), None)],
    /// });
    /// assert_eq!(f.trigger_window(s(300)), None);
    /// f.trigger = true;
    /// assert_eq!(f.trigger_window(s(300)), Some((s(60), s(65))));
    /// ```
    pub fn trigger_window(&self, horizon: Nanos) -> Option<(Nanos, Nanos)> {
        let Arrival::Piecewise { points } = &self.arrival else {
            return None;
        };
        if !self.trigger {
            return None;
        }
        let first = points.iter().position(|(_, r)| r.is_some())?;
        let last = points.iter().rposition(|(_, r)| r.is_some())?;
        let end = points[last + 1..]
            .iter()
            .find(|(_, r)| r.is_none())
            .map_or(horizon, |(t, _)| *t);
        Some((points[first].0, end.min(horizon)))
    }
}
