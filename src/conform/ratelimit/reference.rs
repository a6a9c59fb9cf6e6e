//! envoyproxy/ratelimit's decision on one request, ported from its Go source (commit
//! f2fb157 of <https://github.com/envoyproxy/ratelimit>) onto a real Redis: the same cache
//! key, the same `INCRBY` + `EXPIRE` pipeline, the same comparisons.
//!
//! - `service/ratelimit.go` `constructLimitsToCheck` (lines 119-182): a matched `unlimited`
//!   limit answers OK and is not passed to the cache; its `replaces` still count; a limit
//!   whose `name` another matched limit `replaces` is dropped.
//! - `redis/fixed_cache_impl.go` `DoLimit` (lines 74-221): keys already over the limit in the
//!   local cache are not sent to Redis; with `stopCacheKeyIncrementWhenOverlimit`, a `GET`
//!   pipeline first finds the keys this request would put over the limit and only those are
//!   incremented (`getHitsAddend`, lines 44-72); then `INCRBY key hits` and
//!   `EXPIRE key divider` for every key (lines 35-38, 160-187; no expiration jitter).
//! - `limiter/cache_key.go` `GenerateCacheKey` (lines 48-88): `prefix + domain + "_" +
//!   (entry.key + "_" + entry.value + "_")* + (now / divider) * divider`.
//! - `limiter/base_limiter.go` `GetResponseDescriptorStatus` (lines 83-143): OVER_LIMIT when
//!   the key is in the local cache, or when `limitAfterIncrease > requests_per_unit`, which
//!   also puts the key in the local cache for `divider` seconds; `shadow_mode` turns
//!   OVER_LIMIT into OK.
//! - `service/ratelimit.go` `shouldRateLimitWorker` (lines 186-279): the overall answer is
//!   OVER_LIMIT when any descriptor is (quota mode is not ported: the importer refuses it).
//!
//! Envoy's side, building the descriptors, is the importer's assumption: a request carries
//! one descriptor per rule of the file, each entry with the rule's value, or the request's
//! `X-Key` where the rule has none. The lookup (`GetLimit`) then finds that rule.

use gateways::ratelimit::{RuleSpec, Rules};
use std::collections::HashMap;
use std::sync::Mutex;

/// Options of the service (its environment settings).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Options {
    /// `LOCAL_CACHE_SIZE_IN_BYTES` > 0: remember over-limit keys in process.
    pub local_cache: bool,
    /// `STOP_CACHE_KEY_INCREMENT_WHEN_OVERLIMIT`.
    pub stop_increment_when_overlimit: bool,
}

/// The over-limit local cache (freecache in the Go service): key -> Unix second it expires
/// at; an entry is live while `now < expire_at` (freecache `Get`: `expireAt <= now` is
/// expired).
#[derive(Debug, Default)]
pub struct LocalCache {
    entries: Mutex<HashMap<String, u64>>,
}

impl LocalCache {
    fn contains(&self, key: &str, now_s: u64) -> bool {
        let map = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        map.get(key).is_some_and(|&at| now_s < at)
    }
    fn set(&self, key: &str, now_s: u64, ttl_s: u64) {
        let mut map = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() >= 100_000 {
            // freecache evicts when full; expired entries are never read again
            map.retain(|_, at| now_s < *at);
        }
        map.insert(key.to_string(), now_s + ttl_s);
    }
}

/// `GenerateCacheKey` for `rule` with the request's client key `x` at Unix second `now_s`
/// (no prefix: `CACHE_KEY_PREFIX` is empty by default).
pub fn cache_key(domain: &str, rule: &RuleSpec, x: &str, now_s: u64) -> String {
    let mut b = String::with_capacity(64);
    b.push_str(domain);
    b.push('_');
    for (k, v) in &rule.path {
        b.push_str(k);
        b.push('_');
        b.push_str(v.as_deref().unwrap_or(x));
        b.push('_');
    }
    let d = rule.divider;
    b.push_str(&((now_s / d) * d).to_string());
    b
}

/// `constructLimitsToCheck`: for each rule (one descriptor each), the limit to send to the
/// cache (`None`: no limit, or unlimited, or replaced), and whether it was unlimited.
pub fn limits_to_check(rules: &Rules) -> (Vec<Option<&RuleSpec>>, Vec<bool>) {
    let mut limits: Vec<Option<&RuleSpec>> = rules.rules.iter().map(Some).collect();
    let mut unlimited = vec![false; limits.len()];
    let mut replacing: Vec<&str> = Vec::new();
    for (i, l) in limits.iter_mut().enumerate() {
        if let Some(r) = *l {
            replacing.extend(r.replaces.iter().map(String::as_str));
            if r.unlimited {
                unlimited[i] = true;
                *l = None;
            }
        }
    }
    for l in &mut limits {
        if l.and_then(|r| r.name.as_deref())
            .is_some_and(|n| replacing.contains(&n))
        {
            *l = None;
        }
    }
    (limits, unlimited)
}

/// The service's answer to one request for client key `x` at Unix millisecond `now_ms`:
/// `true` for OVER_LIMIT. Redis errors are returned (the Go service panics into a 500).
pub fn should_rate_limit(
    con: &mut redis::Connection,
    rules: &Rules,
    opts: Options,
    cache: &LocalCache,
    x: &str,
    now_ms: u64,
) -> redis::RedisResult<bool> {
    let now_s = now_ms / 1000; // timeSource.UnixNow(): time.Now().Unix()
    let (limits, unlimited) = limits_to_check(rules);
    let n = limits.len();
    let hits = 1u64; // GetHitsAddends: hits_addend 0 means 1
    let keys: Vec<String> = limits
        .iter()
        .map(|l| l.map_or(String::new(), |r| cache_key(&rules.domain, r, x, now_s)))
        .collect();
    // DoLimit lines 96-113: keys over the limit in the local cache
    let mut over_local = vec![false; n];
    if opts.local_cache {
        for (i, k) in keys.iter().enumerate() {
            over_local[i] = !k.is_empty() && cache.contains(k, now_s);
        }
    }
    let any_over_local = over_local.iter().any(|&o| o);
    // lines 117-158: with stop-increment, which keys this request puts over the limit
    let mut near = vec![false; n];
    let mut any_near = false;
    if opts.stop_increment_when_overlimit && !any_over_local {
        let mut get = redis::pipe();
        let live: Vec<usize> = (0..n).filter(|&i| !keys[i].is_empty()).collect();
        for &i in &live {
            get.cmd("GET").arg(&keys[i]);
        }
        let current: Vec<Option<u64>> = if live.is_empty() {
            Vec::new()
        } else {
            get.query(con)?
        };
        for (&i, c) in live.iter().zip(current) {
            let after = c.unwrap_or(0) + hits;
            // IsOverLimitThresholdReached: limitAfterIncrease > RequestsPerUnit
            if limits[i].is_some_and(|r| after > r.requests_per_unit) {
                near[i] = true;
                any_near = true;
            }
        }
    }
    // lines 160-187 and 35-38: INCRBY + EXPIRE for every key not over in the local cache
    let mut pipe = redis::pipe();
    let mut sent = Vec::new();
    for i in 0..n {
        let Some(rule) = limits[i] else { continue };
        if over_local[i] {
            continue;
        }
        let addend = hits_addend(opts, hits, any_over_local, any_near, near[i]);
        pipe.cmd("INCRBY").arg(&keys[i]).arg(addend);
        pipe.cmd("EXPIRE").arg(&keys[i]).arg(rule.divider).ignore();
        sent.push(i);
    }
    let results: Vec<u64> = if sent.is_empty() {
        Vec::new()
    } else {
        pipe.query(con)?
    };
    let mut after = vec![0u64; n];
    for (&i, r) in sent.iter().zip(results) {
        after[i] = r;
    }
    // GetResponseDescriptorStatus per descriptor, then shouldRateLimitWorker's overall code
    let mut over_any = false;
    for i in 0..n {
        if unlimited[i] {
            continue; // OK, LimitRemaining MaxUint32
        }
        let Some(rule) = limits[i] else { continue };
        let over = if over_local[i] {
            true
        } else if after[i] > rule.requests_per_unit {
            if opts.local_cache {
                cache.set(&keys[i], now_s, rule.divider);
            }
            true
        } else {
            false
        };
        if over && !rule.shadow_mode {
            over_any = true;
        }
    }
    Ok(over_any)
}

/// `getHitsAddend` (fixed_cache_impl.go lines 44-72).
fn hits_addend(opts: Options, hits: u64, over: bool, any_near: bool, near: bool) -> u64 {
    if !opts.stop_increment_when_overlimit {
        return hits;
    }
    if over {
        return 0;
    }
    if !any_near {
        return hits;
    }
    if near {
        hits
    } else {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(yaml: &str) -> Rules {
        gateways::ratelimit::rules("r.yaml", yaml).unwrap()
    }

    #[test]
    fn cache_key_is_domain_entries_and_window_start() {
        let r = rules("domain: api\ndescriptors:\n  - key: generic_key\n    value: all\n    descriptors:\n      - key: user\n        rate_limit: {unit: minute, requests_per_unit: 5}\n");
        let k = cache_key(&r.domain, &r.rules[0], "alice", 1_700_000_059);
        assert_eq!(k, "api_generic_key_all_user_alice_1700000040");
        let k = cache_key(&r.domain, &r.rules[0], "alice", 1_700_000_100);
        assert_eq!(k, "api_generic_key_all_user_alice_1700000100");
    }

    #[test]
    fn unlimited_and_replaced_limits_are_not_checked() {
        let r = rules("domain: api\ndescriptors:\n  - key: user\n    rate_limit: {unit: second, requests_per_unit: 5, name: per_user}\n  - key: tenant\n    rate_limit: {unlimited: true, replaces: [{name: per_user}]}\n  - key: org\n    rate_limit: {unit: second, requests_per_unit: 9}\n");
        let (limits, unlimited) = limits_to_check(&r);
        assert_eq!(unlimited, vec![false, true, false]);
        assert!(limits[0].is_none() && limits[1].is_none());
        assert_eq!(limits[2].map(|l| l.requests_per_unit), Some(9));
    }

    #[test]
    fn stop_increment_charges_only_the_keys_going_over() {
        let on = Options {
            local_cache: false,
            stop_increment_when_overlimit: true,
        };
        assert_eq!(hits_addend(Options::default(), 1, true, true, false), 1);
        assert_eq!(hits_addend(on, 1, true, false, false), 0);
        assert_eq!(hits_addend(on, 1, false, false, false), 1);
        assert_eq!(hits_addend(on, 1, false, true, false), 0);
        assert_eq!(hits_addend(on, 1, false, true, true), 1);
    }

    #[test]
    fn local_cache_entry_lives_until_its_expiry_second() {
        let c = LocalCache::default();
        c.set("k", 100, 1);
        assert!(c.contains("k", 100));
        assert!(!c.contains("k", 101));
        assert!(!c.contains("other", 100));
    }
}
