//! The server as configured: front limiter levels, the backend, the header dialect.

use super::Distribution;
use limiters::{Nanos, Params};

/// What a limiter level is keyed by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Scope {
    /// One state for every request.
    Global,
    /// One state per API key (credential).
    Key,
    /// One state per tenant (organisation): every key of the tenant shares it. Scenario files
    /// may spell it `org`.
    Tenant,
}

impl Scope {
    /// The name as written in scenario files.
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Global => "global",
            Scope::Key => "key",
            Scope::Tenant => "tenant",
        }
    }
}

/// One level of the front limiter hierarchy. A request must pass every level, and is charged
/// at a level only if every level admits it (peek all, then check all).
#[derive(Clone, Debug, PartialEq)]
pub struct Level {
    /// What the level is keyed by.
    pub scope: Scope,
    /// A name in [`limiters::Registry`].
    pub algorithm: String,
    /// The algorithm's parameters (validated by the registry's factory).
    pub params: Params,
    /// Status returned when this level denies: 429 for rate limits, 402 for exhausted credits.
    pub status: u16,
    /// A fixed `Retry-After` on this level's denials, whatever the limiter's state says (seed
    /// 000 always answers `Retry-After: 60`, seed 004 `Retry-After: 1`). `None`: the limiter's
    /// own `retry_after`. A denial that can never pass (an exhausted credit balance) keeps none.
    pub retry_after: Option<Nanos>,
    /// When the level is charged: at admission (atomic check-and-charge), or only when the
    /// request completes successfully (check, call, then record: seed 001's metering).
    pub charge: Charge,
    /// The fleets this level applies to, by name; empty: every fleet.
    pub fleets: Vec<String>,
    /// The header dialect of this level's fields (seed 004: the per-second bucket in
    /// `x-ratelimit-delta`, the monthly quota in `x-quota-monthly`, on one response); `None`:
    /// the server's [`Server::dialect`].
    pub dialect: Option<limiters::headers::Dialect>,
    /// The level's IETF policy name (`RateLimit-Policy: "<name>";q=..`); `None`: its scope's
    /// name (`default` when it is the only level).
    pub policy: Option<String>,
    /// Keep the level's per-key states in bounded memory (`max_keys`, `idle_after`); `None`:
    /// one state per key ever seen.
    pub keys: Option<KeyBound>,
}

/// When a limiter level charges a request.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Charge {
    /// `check` at admission: the request is counted the moment it is let in.
    #[default]
    OnAdmission,
    /// Only `peek` at admission; `check` (the record) when the request completes with a
    /// success. Requests admitted together before any of them completes all see the same
    /// remaining count: the check-then-record race of seed 001's client, where N workers that
    /// check at once all pass. A record beyond the limit saturates the limiter (it is refused,
    /// as `check` refuses), so usage stays at most the limit while admissions overshoot it.
    OnCompletion,
}

impl Charge {
    /// The name as written in scenario files.
    pub fn as_str(self) -> &'static str {
        match self {
            Charge::OnAdmission => "on_admission",
            Charge::OnCompletion => "on_completion",
        }
    }
}

impl Level {
    /// A level with status 429.
    pub fn new(scope: Scope, algorithm: &str, params: Params) -> Level {
        Level {
            scope,
            algorithm: algorithm.to_string(),
            params,
            status: 429,
            retry_after: None,
            charge: Charge::OnAdmission,
            fleets: Vec::new(),
            dialect: None,
            policy: None,
            keys: None,
        }
    }
}

/// How `Retry-After` is written by the server (the client reads whole seconds either way).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum RetryAfterFormat {
    /// `Retry-After: 2` (delta seconds, rounded up).
    #[default]
    Seconds,
    /// `Retry-After: Wed, 21 Oct 2015 07:28:00 GMT` (an RFC 9110 HTTP-date, whole seconds).
    HttpDate,
}

/// The backend behind the limiters: workers, a bounded FIFO queue, a service-time distribution.
#[derive(Clone, Debug, PartialEq)]
pub struct Backend {
    /// Concurrency: requests served at once. `None` = unlimited (no queueing at all).
    pub workers: Option<u32>,
    /// Queue capacity; a request arriving to a full queue gets 503. Zero = no queue.
    pub queue: u32,
    /// A request that waited this long in the queue is dropped with 504 (its service never
    /// starts). `None` = no limit.
    pub queue_timeout: Option<Nanos>,
    /// A deadline from admission (the limiters letting the request in), service included: a
    /// request not answered by then gets 504, whether it is still queued or in service; a
    /// request in service is cancelled (its worker is freed, the work is not done). Seed 004's
    /// "504 ENGINE_TIMEOUT: Analysis exceeded the 30s deadline". `None` = no deadline.
    pub deadline: Option<Nanos>,
    /// Service time of one request once a worker takes it.
    pub service_time: Distribution,
}

impl Backend {
    /// Admitted requests succeed at once: unlimited workers, zero service time.
    pub fn instant() -> Backend {
        Backend {
            workers: None,
            queue: 0,
            queue_timeout: None,
            deadline: None,
            service_time: Distribution::ZERO,
        }
    }
}

impl Default for Backend {
    fn default() -> Self {
        Backend::instant()
    }
}

/// One of several upstreams (models) behind the API's gateway, with fault windows of its own
/// (seed 003: "fail over to a different model"). Upstreams share the backend (workers, queue,
/// service time) and the scenario-wide `[[faults]]`; a request goes to its client's current
/// upstream (the first, until the fleet's `failover` moves it on).
#[derive(Clone, Debug, PartialEq)]
pub struct Upstream {
    /// Name (`[[server.upstreams]] name`).
    pub name: String,
    /// Error-rate and outage windows that hit only requests to this upstream.
    pub faults: Vec<super::Fault>,
}

/// The server: limiter levels (possibly none), backend, header dialect.
#[derive(Clone, Debug, PartialEq)]
pub struct Server {
    /// Header dialect name (as in `limiters::headers`): the dialect of every level that does not
    /// name its own ([`Level::dialect`]).
    pub dialect: String,
    /// How `Retry-After` is written.
    pub retry_after: RetryAfterFormat,
    /// Limiter levels, outermost first; a request must pass all of them.
    pub levels: Vec<Level>,
    /// The backend.
    pub backend: Backend,
    /// Named upstreams (at most 255), each with its own faults; empty: one, without a name.
    pub upstreams: Vec<Upstream>,
}

impl Default for Server {
    fn default() -> Self {
        Server {
            dialect: "x-ratelimit-delta".to_string(),
            retry_after: RetryAfterFormat::Seconds,
            levels: Vec::new(),
            backend: Backend::instant(),
            upstreams: Vec::new(),
        }
    }
}

/// A level's bound on stored keys (a scenario level's `max_keys` and `idle_after`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeyBound {
    /// At most this many states.
    pub max_keys: usize,
    /// A key unused this long whose limiter is back to full capacity is dropped.
    pub idle_after: Nanos,
}
