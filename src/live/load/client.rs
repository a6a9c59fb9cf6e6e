//! One logical request of a live client, step for step the simulator's client
//! (`sim::client::flow`): the fleet's gate (`sim::retry::ClientGate`: retry budgets, circuit
//! breakers, SRE adaptive throttling, AWS adaptive rate limiting) is asked before every
//! attempt and told every outcome; the attempt goes out over real HTTP with a real timeout
//! (the per-attempt timeout, cut to the logical request's deadline and the run's horizon); the
//! answer's `Retry-After` / `X-RateLimit-*` / `RateLimit` headers are parsed by
//! `limiters::headers::parse` (or the fleet's `HeaderClient`); and the fleet's retry policy
//! (`sim::retry::RetryPolicy`) decides the wait or the give-up. A hedging fleet sends each
//! attempt as a round of copies ([`super::hedge`]). Nothing of the policies is re-implemented
//! here.

use super::attempt::{dur, exchange, legs, limits, settle, Marks};
pub use super::attempt::{ClientJitter, Shared, Who};
use super::record::Ev;
use limiters::Nanos;
use sim::retry::{GateCall, GateDecision, GiveUpReason, RetryDecision, RetryState};
use std::sync::atomic::Ordering;
use std::sync::Arc;

/// Run one logical request of `who` to its end (success, give-up, or the horizon).
pub async fn logical(shared: &Arc<Shared>, who: &Who<'_>, rng: &ClientJitter) {
    let log = &shared.log;
    let (c, fi) = (who.client, who.fi);
    let f = usize::from(fi);
    let first_sent = log.now();
    log.push(c, fi, Ev::Logical);
    let deadline = who.fleet.deadline.map_or(Nanos::MAX, |d| first_sent + d);
    let horizon = log.horizon();
    let req = shared.requests.fetch_add(1, Ordering::Relaxed) % (u32::MAX - 1);
    let idem = who
        .fleet
        .idempotency_key
        .then(|| uuid::Uuid::new_v4().to_string());
    // every attempt of a non-idempotent request carries its tag: the server counts the
    // executions beyond the first (duplicates), as the simulator does
    let tag = (!who.fleet.idempotent).then(|| format!("{fi}.{c}.{req}"));
    // the upstream its attempts go to, and the failures counted there (the fleet's failover)
    let (mut upstream, mut failures) = (0u8, 0u8);
    let mut state = RetryState {
        attempts: 0,
        prev_delay: Nanos::ZERO,
    };
    let give_up = |reason: GiveUpReason| log.push(c, fi, Ev::GiveUp(reason));
    loop {
        let now = log.now();
        let call = GateCall::admit(now, c, req, state.attempts + 1);
        let decision = shared
            .gate(f)
            .map(|mut g| rng.with(|r| g.admit_call(&call, r)));
        match decision {
            None | Some(GateDecision::Allow) => {}
            Some(GateDecision::Deny) => {
                give_up(GiveUpReason::Gate);
                return;
            }
            Some(GateDecision::Delay(wait)) => {
                let at = now + wait;
                if at >= deadline {
                    give_up(GiveUpReason::Deadline);
                    return;
                }
                if at >= horizon {
                    return;
                }
                // at the instant the gate named, after those told to wait before this one
                let place = shared.waiters[f].enter(at);
                log.sleep_until(at).await;
                place.turn().await;
                continue;
            }
        }
        if !shared.take_attempt() {
            return;
        }
        state.attempts += 1;
        let sent = log.now();
        log.push(
            c,
            fi,
            Ev::Attempt {
                retry: state.attempts > 1,
            },
        );
        let round = (req, state.attempts, sent, first_sent);
        let settled = match &shared.hedges[f] {
            Some(h) => {
                let r = super::hedge::Round::new(round, deadline, idem.as_deref());
                r.run(shared, who, h, rng).await
            }
            None => {
                let (timeout, horizon_left) = limits(who, sent, deadline, horizon);
                let changed = (idem.is_some()
                    && sim::server::idempotency::body_changed(
                        shared.body_salts[f],
                        c,
                        u64::from(req),
                        state.attempts,
                        who.fleet.changed_body,
                    ))
                .then_some(state.attempts);
                // without hedges the n-th send is the simulator's attempt n (hedge copies
                // are not numbered: they draw from the server's sequence)
                let identity = who.numbered.map(|(i, n)| {
                    crate::live::attempt_id::value(&who.fleet.name, i, n, state.attempts)
                });
                let marks = Marks {
                    legs: legs(shared, who, req, state.attempts),
                    identity: identity.as_deref(),
                    idem: idem.as_deref(),
                    changed,
                    tag: tag.as_deref(),
                    upstream: shared
                        .upstreams
                        .get(usize::from(upstream))
                        .map(String::as_str),
                };
                let raw = exchange(shared, who, marks, timeout, horizon_left).await;
                settle(shared, who, raw, round)
            }
        };
        let Some(result) = settled else {
            return;
        };
        let now = log.now();
        if result.is_success() {
            log.push(c, fi, Ev::Success(now - first_sent));
            return;
        }
        if result.status.is_none() && now >= deadline {
            give_up(GiveUpReason::Deadline);
            return;
        }
        if let Some(f) = who.fleet.failover {
            let n = shared.upstreams.len();
            (upstream, failures) = f.next(upstream, failures, result.status, n);
        }
        match rng.with(|r| who.fleet.retry.decide(&mut state, &result, r)) {
            RetryDecision::Retry(wait) => {
                log.push(c, fi, Ev::RetryDelay(wait));
                let at = now + wait;
                if at >= deadline {
                    give_up(GiveUpReason::Deadline);
                    return;
                }
                if at >= horizon {
                    return;
                }
                tokio::time::sleep(dur(wait)).await;
            }
            RetryDecision::GiveUp(reason) => {
                give_up(reason);
                return;
            }
        }
    }
}
