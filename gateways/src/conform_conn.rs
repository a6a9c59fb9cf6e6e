//! The model side of a concurrency check (nginx `limit_conn`, HAProxy `conn_cur`): each
//! request's open and close times on the gateway's clock, replayed through the lab's
//! `concurrency` level (`limiters::ConcurrencyLimit`, one per key) and compared one by one.
//!
//! The slots in use are the gateway's: a request the gateway admitted holds one from its start
//! to its end, one it refused holds none, whatever the model said of it (so one disagreement
//! does not spread to the requests after it); the model's decision on each request is the lab's
//! level's with those requests in flight.
//!
//! A gateway holds a slot from its check to the end of the request: nginx adds the release
//! as a cleanup of the request's pool (ngx_http_limit_conn_module.c, handler lines 180-305,
//! `ngx_http_limit_conn_cleanup` lines 392-418), run when the request is freed, after its
//! access log line is written with the same cached millisecond. So the model takes a slot at
//! the request's start and gives it back at its end, both as the gateway logged them.
//!
//! Order within one millisecond: the gateway's clock cannot order an end and a start, or two
//! starts, that fall on the same millisecond (two connections read in one event loop
//! iteration, in the kernel's order). The model frees first and takes starts in the order the
//! lab sent them; a disagreement that another order of that millisecond resolves is marked
//! `shift = -1`, a timing cause.

use crate::conform::{Comparison, Disagreement, Observation, Verdict};
use limiters::{ConcurrencyLimit, Limiter, Nanos};
use std::collections::HashMap;

/// One request of a concurrency check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Held {
    /// The request and the gateway's decision; `gateway_ms` is when it started.
    pub observation: Observation,
    /// When the gateway finished it (its log time), ms on the same clock.
    pub end_ms: u64,
}

/// Replay `held` (any order; keys of different streams are disjoint) through one
/// `ConcurrencyLimit` of `max` per key, and compare.
///
/// ```
/// use gateways::conform::{Observation, Verdict};
/// use gateways::conform_conn::{compare_concurrency, Held};
/// let h = |seq, start, end, verdict| Held { end_ms: end, observation: Observation { stream: 0,
///     seq, key: "a".into(), gateway_ms: start, verdict, gateway_rate: None, gateway_delay_ms: None,
///     sent_us: 0,
///     answered_us: 0 } };
/// // max 1: the second request starts while the first is held, the third after it ended
/// let seen = [h(0, 0, 100, Verdict::Pass), h(1, 50, 50, Verdict::Reject), h(2, 100, 150, Verdict::Pass)];
/// let c = compare_concurrency(&seen, 1);
/// assert_eq!((c.requests, c.agreed), (3, 3));
/// let wrong = [h(0, 0, 100, Verdict::Pass), h(1, 50, 90, Verdict::Pass)];
/// assert_eq!(compare_concurrency(&wrong, 1).disagreements[0].model, Verdict::Reject);
/// ```
pub fn compare_concurrency(held: &[Held], max: u64) -> Comparison {
    // events: (ms, order, index); at one ms, ends of earlier requests (0), then starts (1),
    // then ends of requests that started in that same ms (2)
    let mut events: Vec<(u64, u8, usize)> = Vec::with_capacity(2 * held.len());
    // per (stream, key, ms): gateway-admitted starts and ends of earlier-started requests
    let mut starts: HashMap<(u32, &str, u64), Vec<u64>> = HashMap::new();
    let mut ends: HashMap<(u32, &str, u64), u64> = HashMap::new();
    for (i, h) in held.iter().enumerate() {
        let o = &h.observation;
        let start = o.gateway_ms;
        let end = h.end_ms.max(start);
        events.push((start, 1, i));
        events.push((end, if end == start { 2 } else { 0 }, i));
        if o.verdict != Verdict::Reject {
            starts
                .entry((o.stream, &o.key, start))
                .or_default()
                .push(o.seq);
            if end > start {
                *ends.entry((o.stream, &o.key, end)).or_default() += 1;
            }
        }
    }
    events.sort_by_key(|&(ms, order, i)| (ms, order, held[i].observation.seq, i));
    let fresh = ConcurrencyLimit::new(max, Nanos::from_secs(1)).expect("max >= 1 checked");
    // requests the gateway holds, per key: the slots as the gateway saw them
    let mut in_flight: HashMap<(u32, &str), u64> = HashMap::new();
    let mut out = Comparison::default();
    let mut found: Vec<(usize, Disagreement)> = Vec::new();
    for (ms, order, i) in events {
        let o = &held[i].observation;
        let n = in_flight.entry((o.stream, o.key.as_str())).or_default();
        let gateway_holds = o.verdict != Verdict::Reject;
        if order != 1 {
            if gateway_holds {
                *n -= 1;
            }
            continue;
        }
        // the lab's level with the gateway's requests in flight
        let said = verdict(&fresh, *n, ms);
        if gateway_holds {
            *n += 1;
        }
        out.requests += 1;
        out.gateway_counts[o.verdict as usize] += 1;
        if said == o.verdict {
            out.agreed += 1;
            continue;
        }
        // the other orders of this millisecond: starts of the key before this one may come
        // after it, ends of the key in it may come after it, starts after it may come before
        let same = starts.get(&(o.stream, o.key.as_str(), ms));
        let before = same.map_or(0, |v| v.iter().filter(|&&s| s < o.seq).count()) as u64;
        let after = same.map_or(0, |v| v.iter().filter(|&&s| s > o.seq).count()) as u64;
        let ending = ends
            .get(&(o.stream, o.key.as_str(), ms))
            .copied()
            .unwrap_or(0);
        let base = *n - u64::from(gateway_holds);
        let other = (base.saturating_sub(before)..=base + ending + after)
            .any(|k| verdict(&fresh, k, ms) == o.verdict);
        found.push((
            i,
            Disagreement {
                observation: o.clone(),
                model: said,
                model_rate: None,
                shift: other.then_some(-1),
            },
        ));
    }
    found.sort_by_key(|(i, _)| (held[*i].observation.stream, held[*i].observation.seq));
    out.disagreements = found.into_iter().map(|(_, d)| d).collect();
    out
}

/// The lab's concurrency level's decision with `in_flight` requests held.
fn verdict(fresh: &ConcurrencyLimit, in_flight: u64, ms: u64) -> Verdict {
    let mut level = fresh.clone();
    let now = Nanos::from_millis(ms);
    for _ in 0..in_flight.min(fresh.max()) {
        level.check(now, 1);
    }
    if level.peek(now, 1).allowed {
        Verdict::Pass
    } else {
        Verdict::Reject
    }
}
