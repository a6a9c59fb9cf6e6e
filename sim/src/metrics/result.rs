//! The serialisable results of a run. Maps are `BTreeMap`s and vectors are in a fixed order,
//! so the same run serialises to the same bytes.

use super::{Arrivals, Recovery, RetryDelays};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Arc;

/// Latency of successful logical requests (first send to final response), milliseconds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Latency {
    /// Successful logical requests measured.
    pub count: u64,
    /// Mean.
    pub mean_ms: f64,
    /// Median.
    pub p50_ms: f64,
    /// 90th percentile.
    pub p90_ms: f64,
    /// 99th percentile.
    pub p99_ms: f64,
    /// 99.9th percentile.
    pub p999_ms: f64,
    /// 99.99th percentile.
    pub p9999_ms: f64,
    /// Largest.
    pub max_ms: f64,
}

/// Every figure of a run, for the whole run or for one fleet.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Clients.
    pub clients: u64,
    /// New logical requests.
    pub logical_requests: u64,
    /// Offered load: new logical requests per second.
    pub offered_rps: f64,
    /// Attempts sent (first attempts + retries + hedges).
    pub attempts: u64,
    /// First attempts.
    pub first_attempts: u64,
    /// Retries.
    pub retries: u64,
    /// Hedges: further copies of an attempt still in flight (`[fleet.<name>.hedge]`).
    pub hedges: u64,
    /// Logical requests won by a hedge (its response came first).
    pub hedge_wins: u64,
    /// Copies still in flight when their round ended (a success or a fatal failure), whose
    /// responses the client discards.
    pub hedge_abandoned: u64,
    /// Retry amplification: attempts / logical requests (hedges included: the extra load).
    pub retry_amplification: f64,
    /// Attempts admitted by every limiter level.
    pub admitted: u64,
    /// Limiter rejections (4xx) by status.
    pub rejected: BTreeMap<u16, u64>,
    /// All limiter rejections.
    pub rejected_total: u64,
    /// Server errors (5xx: injected, queue full, queue timeout, outage) by status.
    pub server_errors: BTreeMap<u16, u64>,
    /// All server errors.
    pub server_errors_total: u64,
    /// Attempts abandoned by the client's per-attempt timeout.
    pub timeouts: u64,
    /// Successful logical requests.
    pub successes: u64,
    /// Goodput: successful logical requests per second.
    pub goodput_rps: f64,
    /// Successes / logical requests.
    pub success_ratio: f64,
    /// Logical requests given up, by reason.
    pub give_ups: BTreeMap<String, u64>,
    /// All give-ups.
    pub give_ups_total: u64,
    /// Logical requests still in flight when the run ended.
    pub in_flight_at_end: u64,
    /// Latency of successful logical requests; `None` without any success.
    pub latency: Option<Latency>,
    /// Jain's index over clients of successes / demand.
    pub fairness_clients: Option<f64>,
    /// Jain's index over tenants of successes / demand.
    pub fairness_tenants: Option<f64>,
    /// Executions of a non-idempotent request beyond its first.
    pub duplicates_executed: u64,
    /// Attempts the server executed after the client had abandoned them.
    pub wasted_attempts: u64,
    /// Service time spent on those attempts (seconds).
    pub wasted_work_s: f64,
    /// Recovery after the fault windows (first start to last end), when the scenario has faults.
    /// A fleet's is measured on its own goodput; the whole run's is its fleets' verdict
    /// ([`super::recovery_of_fleets`]), not that of the summed goodput.
    pub recovery: Option<Recovery>,
}

/// One time-series bucket.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SeriesRow {
    /// Bucket start (seconds).
    pub t_s: f64,
    /// First attempts sent.
    pub first_attempts: u64,
    /// Retries sent.
    pub retries: u64,
    /// Hedges sent.
    pub hedges: u64,
    /// Attempts admitted by the limiters.
    pub admitted: u64,
    /// Limiter rejections by status (every status the run can produce, zeros included).
    pub rejected: BTreeMap<u16, u64>,
    /// Server errors by status (every status the run can produce, zeros included).
    pub server_errors: BTreeMap<u16, u64>,
    /// Client attempt timeouts.
    pub timeouts: u64,
    /// Successful logical requests.
    pub successes: u64,
    /// Give-ups.
    pub give_ups: u64,
    /// Logical requests in flight at the bucket's end.
    pub in_flight: u64,
    /// Backend queue length at the bucket's end (total rows only).
    pub queue_len: Option<u64>,
    /// Requests in service at the bucket's end (total rows only).
    pub busy: Option<u64>,
    /// The first limiter level's remaining capacity at the bucket's end (total rows only): the
    /// level's state if it is global, else the state of its hottest key or tenant (the one with
    /// the most attempts arriving in the bucket; see `Series::limiter_scope`).
    pub limiter_remaining: Option<u64>,
    /// The first limiter level's limit (as `limiter_remaining`).
    pub limiter_limit: Option<u64>,
    /// Median latency of the successes completed in this bucket (ms, within 6.25%; see
    /// `Series::latency_bucket_s`); `None` without any.
    pub latency_p50_ms: Option<f64>,
    /// 90th percentile of the same.
    pub latency_p90_ms: Option<f64>,
    /// 99th percentile of the same.
    pub latency_p99_ms: Option<f64>,
}

/// Time series: the whole run, and each fleet.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Series {
    /// Bucket width (seconds).
    pub bucket_s: f64,
    /// Width over which the per-bucket latency percentiles are computed (seconds): the bucket,
    /// or a whole multiple of it when buckets times fleets exceed
    /// [`super::MAX_LATENCY_ROWS`] (consecutive rows then repeat the same figures).
    pub latency_bucket_s: f64,
    /// What the limiter columns describe: `global`, `hottest key` or `hottest tenant` (the
    /// first level's scope); `None` without limiter levels.
    pub limiter_scope: Option<String>,
    /// Totals over fleets.
    pub total: Vec<SeriesRow>,
    /// Per fleet, by name.
    pub fleets: BTreeMap<String, Vec<SeriesRow>>,
}

/// Totals of one client. A run has one per client (a million for a large fleet), so the fleet
/// and tenant names are shared (`Arc<str>`: one allocation per fleet or tenant, 16 bytes a row),
/// not copied into every row; they serialise as plain strings.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientRow {
    /// Global client index.
    pub client: u32,
    /// Fleet name.
    pub fleet: Arc<str>,
    /// Index within its fleet.
    pub index: u32,
    /// Tenant name.
    pub tenant: Arc<str>,
    /// API key name.
    pub key: String,
    /// Logical requests started (demand).
    pub demand: u64,
    /// Successful logical requests.
    pub successes: u64,
    /// Attempts sent.
    pub attempts: u64,
    /// Give-ups.
    pub give_ups: u64,
}

/// Totals of one tenant.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TenantRow {
    /// Tenant name.
    pub tenant: String,
    /// Clients in it.
    pub clients: u64,
    /// Logical requests.
    pub demand: u64,
    /// Successful logical requests.
    pub successes: u64,
    /// Attempts.
    pub attempts: u64,
    /// Give-ups.
    pub give_ups: u64,
    /// Limiter rejections (4xx) of its attempts, by status (every status the run can produce).
    #[serde(default)]
    pub rejected: BTreeMap<u16, u64>,
    /// All its limiter rejections.
    #[serde(default)]
    pub rejected_total: u64,
    /// Server errors (5xx) of its attempts, by status.
    #[serde(default)]
    pub server_errors: BTreeMap<u16, u64>,
    /// All its server errors.
    #[serde(default)]
    pub server_errors_total: u64,
    /// Median latency of its successful logical requests (ms, within 6.25%: a log-linear
    /// histogram, `metrics::loghist`); `None` without a success, or in a run of more than
    /// [`super::MAX_TENANT_LATENCY_ROWS`] tenants.
    #[serde(default)]
    pub latency_p50_ms: Option<f64>,
    /// 99th percentile of the same.
    #[serde(default)]
    pub latency_p99_ms: Option<f64>,
}

impl TenantRow {
    /// A tenant's row from its counts `[clients, demand, successes, attempts, give-ups]` (as the
    /// simulator and the live load client gather them), statuses and latency not yet filled.
    pub fn from_counts(
        tenant: String,
        [clients, demand, successes, attempts, give_ups]: [u64; 5],
    ) -> Self {
        TenantRow {
            tenant,
            clients,
            demand,
            successes,
            attempts,
            give_ups,
            rejected: BTreeMap::new(),
            rejected_total: 0,
            server_errors: BTreeMap::new(),
            server_errors_total: 0,
            latency_p50_ms: None,
            latency_p99_ms: None,
        }
    }
}

/// Everything a run produces.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunResult {
    /// Scenario name.
    pub scenario: String,
    /// Seed used.
    pub seed: u64,
    /// Simulated horizon (seconds).
    pub duration_s: f64,
    /// Events processed by the engine.
    pub events: u64,
    /// The whole run.
    pub summary: Summary,
    /// Per fleet, by name.
    pub fleets: BTreeMap<String, Summary>,
    /// Time series.
    pub series: Series,
    /// Per-client totals, by global client index.
    pub clients: Vec<ClientRow>,
    /// Per-tenant totals, by tenant name.
    pub tenants: Vec<TenantRow>,
    /// Retry delays chosen by each fleet's policy, by fleet name.
    pub retry_delays: BTreeMap<String, RetryDelays>,
    /// Attempts arriving at the server at a fine resolution, per fleet.
    pub arrivals: Arrivals,
    /// Measured against a live server (`throttlelab load`, `check-live`), not simulated: the
    /// horizon is wall-clock time and `events` counts attempts. Reports label it so.
    #[serde(default, skip_serializing_if = "is_false")]
    pub live: bool,
    /// The levels that keep their keys in bounded memory (`max_keys`): their eviction figures.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keyed: Vec<KeyedLevel>,
    /// A deployment's figures (replicas, over- and under-admission, store latency); absent
    /// for one server.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deployment: Option<crate::server::deployment::DeploymentFigures>,
}

/// A limiter level keeping its per-key states in a bounded `limiters::keyed` store.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyedLevel {
    /// The level's index (0: outermost).
    pub level: u32,
    /// Its scope (`key`, `tenant`, `global`).
    pub scope: String,
    /// The bound on stored keys.
    pub max_keys: u64,
    /// Keys stored when the run ended.
    pub keys_at_end: u64,
    /// The most keys stored at once.
    pub peak_keys: u64,
    /// Keys dropped idle at full capacity (exact: nothing was lost).
    pub idle_evictions: u64,
    /// Keys evicted while not idle, to stay within `max_keys` (their state was lost: a store
    /// that forces many is too small for its traffic).
    pub forced_evictions: u64,
}

fn is_false(b: &bool) -> bool {
    !*b
}
