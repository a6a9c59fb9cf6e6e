//! The model side of a concurrency check (nginx `limit_conn`, HAProxy `conn_cur`): each
//! request's open and close times on the gateway's clock, replayed through the lab's
//! `concurrency` level (`limiters::ConcurrencyLimit`, one per key) and compared one by one.
//!
//! A gateway holds a slot from its check to the end of the request: nginx adds the release
//! as a cleanup of the request's pool (ngx_http_limit_conn_module.c, handler lines 180-305,
//! `ngx_http_limit_conn_cleanup` lines 392-418), run when the request is freed, after its
//! access log line is written with the same cached millisecond. So the model takes a slot at
//! the request's start and gives it back at its end, both as the gateway logged them.
//!
//! Order within one millisecond: the gateway's clock cannot order an end and a start that fall
//! on the same millisecond. The model frees first; a disagreement that the other order
//! resolves is marked as agreeing one millisecond earlier (`shift = -1`), a timing cause.

use crate::conform::{Comparison, Disagreement, Observation, Verdict};
use limiters::{ConcurrencyLimit, Limiter, Nanos, Outcome};
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
///     seq, key: "a".into(), gateway_ms: start, verdict, gateway_rate: None, sent_us: 0,
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
    for (i, h) in held.iter().enumerate() {
        let start = h.observation.gateway_ms;
        let end = h.end_ms.max(start);
        events.push((start, 1, i));
        events.push((end, if end == start { 2 } else { 0 }, i));
    }
    events.sort_by_key(|&(ms, order, i)| (ms, order, held[i].observation.seq, i));
    let fresh = ConcurrencyLimit::new(max, Nanos::from_secs(1)).expect("max >= 1 checked");
    let mut slots: HashMap<(u32, &str), ConcurrencyLimit> = HashMap::new();
    let mut admitted = vec![false; held.len()];
    let mut out = Comparison::default();
    let mut found: Vec<(usize, Disagreement)> = Vec::new();
    for (ms, order, i) in events {
        let o = &held[i].observation;
        let slot = slots
            .entry((o.stream, o.key.as_str()))
            .or_insert_with(|| fresh.clone());
        let now = Nanos::from_millis(ms);
        if order != 1 {
            if admitted[i] {
                slot.release(now, 1, Outcome::success(Nanos::ZERO));
            }
            continue;
        }
        let d = slot.check(now, 1);
        admitted[i] = d.allowed;
        let said = if d.allowed {
            Verdict::Pass
        } else {
            Verdict::Reject
        };
        out.requests += 1;
        out.gateway_counts[o.verdict as usize] += 1;
        if said == o.verdict {
            out.agreed += 1;
        } else {
            // would the request pass if the ends in this same millisecond came after it?
            let ends_now = held
                .iter()
                .enumerate()
                .filter(|(j, h)| {
                    admitted[*j]
                        && h.end_ms == ms
                        && h.observation.gateway_ms < ms
                        && h.observation.stream == o.stream
                        && h.observation.key == o.key
                })
                .count() as u64;
            let other_order = if slot.in_flight() + ends_now - u64::from(d.allowed) + 1 > max {
                Verdict::Reject
            } else {
                Verdict::Pass
            };
            found.push((
                i,
                Disagreement {
                    observation: o.clone(),
                    model: said,
                    model_rate: None,
                    shift: (ends_now > 0 && other_order == o.verdict).then_some(-1),
                },
            ));
        }
    }
    found.sort_by_key(|(i, _)| (held[*i].observation.stream, held[*i].observation.seq));
    out.disagreements = found.into_iter().map(|(_, d)| d).collect();
    out
}
