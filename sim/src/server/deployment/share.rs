//! Where a limiter level's state lives in a deployment, at run time.
//!
//! - `local`: each replica its own limiter with the whole limit, what Envoy's local rate limit
//!   filter does ("the token bucket is shared across all workers, thus the rate limits are
//!   applied per Envoy process": envoyproxy/envoy
//!   `docs/root/configuration/http/http_filters/local_rate_limit_filter.rst`). Built by the
//!   replicas themselves.
//! - `split`: the same, each replica given the limit divided by the replica count by hand
//!   ([`split_params`]), the usual fix for the above.
//! - `central`: one shared state a round trip away, the Envoy global rate limit filter calling
//!   envoyproxy/ratelimit on Redis: a decision per request, the call bounded by the filter's
//!   `timeout` (20 ms by default), and on a failed call the filter admits unless
//!   `failure_mode_deny` is set (`api/envoy/extensions/filters/http/ratelimit/v3/
//!   rate_limit.proto`). `on_store_error = "local"` falls back to a split limiter of the
//!   replica's own (Limitador's and Kong's "fault tolerant" fallbacks decide without the
//!   store; here with the replica's share). The store counts a call that the replica gave up
//!   on: the Redis `INCRBY` ran, its answer came too late.
//! - `over_limit_cache`: `central`, plus envoyproxy/ratelimit's local cache of keys over their
//!   limit (`src/limiter/base_limiter.go`: a descriptor the store found over its limit is put
//!   in a local freecache, and `IsOverLimitWithLocalCache` refuses it without the Redis
//!   increment until its time slot ends: the cache key carries the slot). Here the cache is the
//!   replica's (its rate-limit service as a sidecar): a cached refusal costs no round trip and
//!   no store call, and lasts until the limiter's `reset_after` (the end of a fixed window).
//! - `synced`: Kong's rate-limiting plugin with `sync_rate` (Kong/kong
//!   `kong/plugins/rate-limiting/policies/init.lua`: each node decides on its cached usage
//!   plus its own increments since the last sync, `cur_usage` + `cur_delta`, and every
//!   `sync_rate` seconds pushes its delta to Redis and reads the total back; `sync_rate = -1`
//!   is synchronous). Here each replica keeps its own limiter, and at every sync of a replica
//!   its admissions since the last one are charged to every other replica's limiter (the
//!   total read back): an interval of 0 charges them at once, which makes the replicas' states
//!   equal to one central limiter's.
//! - `leases`: each replica holds a share of the limit leased from the store for a lease
//!   period, rebalanced by demand at each renewal (Doorman's proportional share; see
//!   [`super::lease`]).

use super::lease::Leases;
use crate::model::{Level, OnStoreError, Placement, ReplicaEvent, Scope, Store};
use crate::server::Levels;
use limiters::{LimiterError, Nanos, ParamValue, Params, Rate, Registry};
use std::collections::HashMap;

/// `level`'s parameters with its limit divided among `n` replicas: counts (`limit`, `burst`,
/// `max`, `capacity`) divided rounding down (at least 1), a `rate` kept exact by stretching
/// its period n times.
///
/// ```
/// use sim::server::deployment::split_params;
/// use limiters::Params;
/// let p = Params::new().with("rate", "60/min").with("burst", 60i64);
/// let s = split_params(&p, 3).unwrap();
/// assert_eq!(s.rate("rate").unwrap().per_sec(), 1.0 / 3.0);
/// assert_eq!(s.positive_u64("burst").unwrap(), 20);
/// ```
pub fn split_params(params: &Params, n: u32) -> Result<Params, LimiterError> {
    let mut out = params.clone();
    let n64 = u64::from(n.max(1));
    for name in ["limit", "burst", "max", "capacity"] {
        if let Some(ParamValue::Int(v)) = params.get(name) {
            out.insert(name, (*v / n64 as i64).max(1));
        }
    }
    if params.get("rate").is_some() {
        let r = params.rate("rate")?;
        let split = Rate::new(r.count, Nanos(r.period.0.saturating_mul(n64)))?;
        out.insert("rate", format!("{}/{}ns", split.count, split.period.0));
    }
    Ok(out)
}

/// A level's limit as `(count, window)`: `limit` over `period`/`window`, or a `rate`'s count
/// over its period. `None` for a level without one (a concurrency cap).
pub fn limit_of(params: &Params) -> Option<(u64, Nanos)> {
    if let Some(ParamValue::Int(l)) = params.get("limit") {
        let w = params
            .duration("window")
            .or_else(|_| params.duration("period"))
            .ok()?;
        return Some((u64::try_from(*l).ok()?, w));
    }
    let r = params.rate("rate").ok()?;
    Some((r.count, r.period))
}

/// A level whose state is shared between the replicas (`central` or `synced`).
#[derive(Debug)]
pub struct SharedLevel {
    /// The level's index in the scenario.
    pub index: usize,
    pub(super) status: u16,
    pub(super) scope: Scope,
    pub(super) store: Store,
    /// `central`: the store's one state. `synced`: unused.
    pub(super) central: Levels,
    /// `synced`: each replica's own limiter; `central` with `on_store_error = "local"`: each
    /// replica's fallback (the split limit).
    pub(super) own: Vec<Levels>,
    /// `synced`: the sync interval (`None` for `central`).
    pub(super) interval: Option<Nanos>,
    /// `synced`: each replica's admissions since its last sync `(fleet, key, tenant, cost)`.
    pub(super) delta: Vec<Vec<(u16, u32, u32, u32)>>,
    /// `over_limit_cache`: per replica, state id -> refused until then (else empty).
    pub(super) over: Option<Vec<HashMap<u32, (Nanos, limiters::Decision)>>>,
    /// `leases`: the store's leases and the replicas' use of them.
    pub(super) leases: Option<Leases>,
}

impl SharedLevel {
    /// Build shared level `index` of `level` for `n` replicas.
    pub fn build(
        index: usize,
        level: &Level,
        placement: &Placement,
        n: u32,
        registry: &Registry,
    ) -> Result<SharedLevel, (usize, LimiterError)> {
        let one = |l: &Level| {
            Levels::build(std::slice::from_ref(l), registry).map_err(|(_, e)| (index, e))
        };
        let mut split = level.clone();
        split.params = split_params(&level.params, n).map_err(|e| (index, e))?;
        let (store, interval) = match placement {
            Placement::Central(s) | Placement::OverLimitCache(s) => (s.clone(), None),
            Placement::Synced { store, interval } => (store.clone(), Some(*interval)),
            Placement::Leases { store, .. } => (store.clone(), None),
            _ => (Store::default(), None),
        };
        let leases = match placement {
            Placement::Leases { period, .. } => {
                // Validation refuses a `leases` level without a limit; a concurrency cap has
                // nothing to lease.
                let (limit, window) = limit_of(&level.params).ok_or_else(|| {
                    let e = LimiterError::Missing {
                        param: "limit".into(),
                        expected: "a `leases` level needs a limit (or a rate) to lease".into(),
                    };
                    (index, e)
                })?;
                Some(Leases::new(limit, window, *period, n))
            }
            _ => None,
        };
        let own = match (interval, store.on_error) {
            (Some(_), _) => (0..n).map(|_| one(level)).collect::<Result<_, _>>()?,
            (None, OnStoreError::Local) => (0..n).map(|_| one(&split)).collect::<Result<_, _>>()?,
            _ => Vec::new(),
        };
        Ok(SharedLevel {
            index,
            status: level.status,
            scope: level.scope,
            over: matches!(placement, Placement::OverLimitCache(_))
                .then(|| vec![HashMap::new(); n as usize]),
            store,
            central: one(level)?,
            own,
            interval,
            delta: vec![Vec::new(); n as usize],
            leases,
        })
    }

    /// The state id of a request in this level's scope.
    pub(super) fn id(&self, key: u32, tenant: u32) -> u32 {
        match self.scope {
            Scope::Global => 0,
            Scope::Key => key,
            Scope::Tenant => tenant,
        }
    }

    /// `over_limit_cache`: replica `r`'s cached refusal of state `id` at `now`, if any.
    pub(super) fn cached(&self, r: usize, id: u32, now: Nanos) -> Option<limiters::Decision> {
        let (until, mut d) = *self.over.as_ref()?.get(r)?.get(&id)?;
        (now < until).then(|| {
            let left = until - now;
            d.reset_after = left;
            d.retry_after = d.retry_after.map(|_| left);
            d
        })
    }

    /// True for a `synced` level.
    pub fn synced(&self) -> bool {
        self.interval.is_some()
    }

    /// Sync replica `r`: charge its admissions since its last sync to every other replica's
    /// limiter (they read the store's total back). Returns the admissions pushed.
    pub fn sync(&mut self, r: usize, now: Nanos) -> Result<usize, LimiterError> {
        let delta = std::mem::take(&mut self.delta[r]);
        for (o, levels) in self.own.iter_mut().enumerate() {
            if o == r {
                continue;
            }
            for &(fleet, key, tenant, cost) in &delta {
                // The total read back includes them whatever this replica's limiter says: a
                // charge past its limit is refused and leaves it full, as a counter at the
                // limit stays refusing.
                let _ = levels.admit_as(Some(fleet), now, key, tenant, cost)?;
            }
        }
        let n = delta.len();
        let mut delta = delta;
        delta.clear();
        self.delta[r] = delta;
        Ok(n)
    }
}

/// True when replica `r` cannot reach the store at `now` (a store outage, or a partition of
/// the replica), and the extra latency of an active latency spike.
pub fn store_state(events: &[ReplicaEvent], r: u32, now: Nanos) -> (bool, Nanos) {
    use crate::model::EventKind as K;
    let mut down = false;
    let mut extra = Nanos::ZERO;
    for e in events.iter().filter(|e| e.active(now)) {
        match e.kind {
            K::StoreOutage => down = true,
            K::StorePartition if e.replica == Some(r) => down = true,
            K::StoreLatency(x) => extra += x,
            _ => {}
        }
    }
    (down, extra)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_split_limit_keeps_the_rate_and_divides_the_counts() {
        let p = Params::new().with("limit", 10i64).with("period", "1m");
        let s = split_params(&p, 3).unwrap();
        assert_eq!(s.positive_u64("limit").unwrap(), 3);
        assert_eq!(limit_of(&p), Some((10, Nanos::from_secs(60))));
        let one = split_params(&Params::new().with("max", 2i64), 8).unwrap();
        assert_eq!(one.positive_u64("max").unwrap(), 1, "never below one");
        let r = split_params(&Params::new().with("rate", "100/s"), 4).unwrap();
        assert_eq!(r.rate("rate").unwrap().per_sec(), 25.0);
    }
}
