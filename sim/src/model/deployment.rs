//! A deployment: N replicas of the server behind a balancer, and where each limiter level's
//! state lives (issue #15). Without one a scenario is one server, as it always was.

use super::Distribution;
use limiters::Nanos;

/// Most replicas a deployment may have (a replica's index travels in the top bits of its
/// backend's job ids: see `sim::server::deployment`).
pub const MAX_REPLICAS: u32 = 256;

/// How the balancer picks a replica for an attempt.
#[derive(Clone, Debug, PartialEq)]
pub enum Balancer {
    /// In turn (HAProxy `balance roundrobin`).
    RoundRobin,
    /// Uniformly at random (Envoy `RANDOM`).
    Random,
    /// The replica with the fewest attempts in flight, lowest index on ties (HAProxy
    /// `balance leastconn`).
    LeastOutstanding,
    /// Two replicas drawn at random, the less loaded one taken (Envoy `LEAST_REQUEST` with
    /// `choice_count = 2`).
    PowerOfTwo,
    /// Sticky by API key: a key always reaches the same replica (HAProxy `balance hdr(...)`).
    HashKey,
    /// At random, in proportion to the weights (one per replica).
    Weighted(Vec<u32>),
}

impl Balancer {
    /// The name as written in scenario files.
    pub fn as_str(&self) -> &'static str {
        match self {
            Balancer::RoundRobin => "round_robin",
            Balancer::Random => "random",
            Balancer::LeastOutstanding => "least_outstanding",
            Balancer::PowerOfTwo => "power_of_two",
            Balancer::HashKey => "hash_key",
            Balancer::Weighted(_) => "weighted",
        }
    }
}

/// What a replica does when the shared store cannot answer in time.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum OnStoreError {
    /// Admit (envoyproxy/ratelimit `failure_mode_deny = false`, Kong's `fault_tolerant`).
    #[default]
    Open,
    /// Refuse with `Store::status_on_error` (Envoy `failure_mode_deny = true`).
    Closed,
    /// Decide with a limiter of the replica's own, holding the limit divided by the replicas.
    Local,
}

/// Where one limiter level's state lives in a deployment.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum Placement {
    /// Every replica keeps its own limiter with the full limit.
    #[default]
    Local,
    /// Every replica keeps its own limiter with the limit divided by the replicas.
    Split,
    /// One shared store decides every request, a round trip away.
    Central(Store),
    /// Central, but each replica remembers a key the store refused until its window ends and
    /// refuses it without asking (envoyproxy/ratelimit's over-limit local cache).
    OverLimitCache(Store),
    /// Every replica decides locally; each flushes its admissions to the store and reads the
    /// others' back every `interval` (0: after every admission).
    Synced {
        /// The store the counters are flushed to.
        store: Store,
        /// Time between two flushes of a replica.
        interval: Nanos,
    },
    /// Every replica holds a share of the limit leased from the store for `period`, rebalanced
    /// by the replicas' demand at each renewal (Doorman's proportional share).
    Leases {
        /// The store the leases come from (its round trip delays each grant).
        store: Store,
        /// The lease period: time between two renewals.
        period: Nanos,
    },
}

impl Placement {
    /// The name as written in scenario files.
    pub fn as_str(&self) -> &'static str {
        match self {
            Placement::Local => "local",
            Placement::Split => "split",
            Placement::Central(_) => "central",
            Placement::OverLimitCache(_) => "over_limit_cache",
            Placement::Synced { .. } => "synced",
            Placement::Leases { .. } => "leases",
        }
    }

    /// The shared store of a level that has one (`central`, `over_limit_cache`, `synced`).
    pub fn store(&self) -> Option<&Store> {
        match self {
            Placement::Central(s) | Placement::OverLimitCache(s) => Some(s),
            Placement::Synced { store, .. } => Some(store),
            _ => None,
        }
    }
}

/// The shared store of a `central` or `synced` level (a Redis-like server).
#[derive(Clone, Debug, PartialEq)]
pub struct Store {
    /// Round trip of one call, drawn per call.
    pub rtt: Distribution,
    /// A call not answered by then has failed (`None`: the replica waits for ever).
    pub timeout: Option<Nanos>,
    /// What the replica does when a call fails.
    pub on_error: OnStoreError,
    /// The status of a refusal when the store fails and `on_error` is `Closed`: Envoy's rate
    /// limit filter with `failure_mode_deny` answers its `status_on_error`, 500 unless set
    /// (envoy/extensions/filters/http/ratelimit/v3/rate_limit.proto), with no limit headers.
    pub status_on_error: u16,
}

impl Default for Store {
    fn default() -> Self {
        Store {
            rtt: Distribution::ZERO,
            timeout: None,
            on_error: OnStoreError::Open,
            status_on_error: 500,
        }
    }
}

/// What happens to a replica, or to the store, on the fault timeline.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventKind {
    /// The replica is down: attempts the balancer still sends it get 502.
    Fail,
    /// The replica is taken out of rotation at once (no attempt is lost).
    Drain,
    /// The store answers no call.
    StoreOutage,
    /// The store's calls take `extra` longer.
    StoreLatency(Nanos),
    /// The replica cannot reach the store (a network partition).
    StorePartition,
}

/// One window of a replica or store event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReplicaEvent {
    /// What happens.
    pub kind: EventKind,
    /// The replica it happens to (`None` for the store's outage and latency).
    pub replica: Option<u32>,
    /// Start.
    pub at: Nanos,
    /// End (exclusive).
    pub until: Nanos,
}

impl ReplicaEvent {
    /// True while active at `now`.
    pub fn active(&self, now: Nanos) -> bool {
        self.at <= now && now < self.until
    }
}

/// The `[deployment]` section.
#[derive(Clone, Debug, PartialEq)]
pub struct Deployment {
    /// Replicas (1 to [`MAX_REPLICAS`]).
    pub replicas: u32,
    /// How the balancer picks a replica.
    pub balancer: Balancer,
    /// How long after a replica fails the balancer's health checks take it out of rotation.
    pub health_check_delay: Nanos,
    /// Per limiter level (by index), where its state lives.
    pub placement: Vec<Placement>,
    /// Replica and store events.
    pub events: Vec<ReplicaEvent>,
    /// The one replica each of the scenario's `[[faults]]` hits, by the fault's index (`None`,
    /// or no entry: every replica's backend).
    pub fault_replicas: Vec<Option<u32>>,
}

impl Deployment {
    /// `replicas` replicas behind a round-robin balancer, every level local.
    pub fn new(replicas: u32, levels: usize) -> Deployment {
        Deployment {
            replicas,
            balancer: Balancer::RoundRobin,
            health_check_delay: Nanos::ZERO,
            placement: vec![Placement::Local; levels],
            events: Vec::new(),
            fault_replicas: Vec::new(),
        }
    }

    /// Whether fault `i` of the scenario hits replica `r`.
    ///
    /// ```
    /// let mut d = sim::model::Deployment::new(3, 0);
    /// d.fault_replicas = vec![None, Some(2)];
    /// assert!(d.fault_hits(0, 1) && d.fault_hits(1, 2) && !d.fault_hits(1, 0));
    /// assert!(d.fault_hits(5, 0));
    /// ```
    pub fn fault_hits(&self, i: usize, r: u32) -> bool {
        self.fault_replicas
            .get(i)
            .copied()
            .flatten()
            .is_none_or(|x| x == r)
    }
}
