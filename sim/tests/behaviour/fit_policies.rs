//! Retry-policy inference (issue #17) on generated logs of fleets with known policies: every
//! client's delays are drawn by the simulator's own [`RetryPolicy::decide`], the server refuses
//! a random number of attempts per episode (some episodes to the client's attempt cap, where it
//! gives up) and always sends a random `Retry-After` (1 to 10 s), and the fit sees only what a
//! log would show: times, routes, statuses, hints. The bar: the class right for at least
//! 95% of clients, the base delay and the attempt cap within 10%.

use limiters::Nanos;
use rand::Rng;
use sim::engine::Stream;
use sim::retry::fit::{chains, fit_client, Class, FitParams, Obs};
use sim::retry::{
    AttemptResult, Backoff, HonourRetryAfter, Jitter, RetryDecision, RetryPolicy, RetryState,
    Strategy,
};

const CLASSES: [Class; 5] = [
    Class::None,
    Class::Fixed,
    Class::Exponential,
    Class::ExponentialJitter,
    Class::RetryAfter,
];

struct Truth {
    class: Class,
    base: Nanos,
    max_attempts: u32,
}

fn policy(class: Class, base: Nanos, max_attempts: u32) -> RetryPolicy {
    let backoff = |jitter| Backoff {
        base,
        cap: base.saturating_mul(8),
        jitter,
    };
    let strategy = match class {
        Class::None => Strategy::None,
        Class::Fixed => Strategy::Fixed { delay: base },
        Class::Exponential => Strategy::Exponential(backoff(Jitter::None)),
        Class::ExponentialJitter => Strategy::Exponential(backoff(Jitter::Full)),
        _ => Strategy::RetryAfter(HonourRetryAfter::default()),
    };
    RetryPolicy::new(strategy, max_attempts)
}

/// One client's log: 40 refusal episodes 1,000 s apart on 3 routes, with successful requests on
/// another route between them.
fn client_log(p: &RetryPolicy, rng: &mut Stream) -> Vec<Obs> {
    let mut log = Vec::new();
    for e in 0..40u64 {
        let mut t = Nanos::from_secs(e * 1000 + rng.gen_range(0..100));
        let route = rng.gen_range(0..3);
        log.push(Obs {
            t: t.saturating_sub(Nanos::from_secs(50)),
            route: 9,
            status: 200,
            retry_after: None,
        });
        // The server refuses the first `r` attempts (r = cap + 1: the client gives up).
        let refusals = rng.gen_range(1..=p.max_attempts + 1);
        let mut state = RetryState::first();
        loop {
            let refused = state.attempts <= refusals;
            let hint = Nanos::from_secs(rng.gen_range(1..=10));
            log.push(Obs {
                t,
                route,
                status: if refused { 429 } else { 200 },
                retry_after: refused.then_some(hint),
            });
            if !refused {
                break;
            }
            let result = AttemptResult {
                retry_after: Some(hint),
                ..AttemptResult::status(429)
            };
            match p.decide(&mut state, &result, rng) {
                RetryDecision::Retry(d) => {
                    state.attempts += 1;
                    state.prev_delay = d;
                    t = t.saturating_add(d);
                }
                RetryDecision::GiveUp(_) => break,
            }
        }
    }
    log.sort_by_key(|o| o.t);
    log
}

fn within(got: Nanos, want: Nanos, pct: u64) -> bool {
    got.0.abs_diff(want.0) * 100 <= want.0 * pct
}

#[test]
fn known_fleets_are_recognised() {
    let mut rng = Stream::from_seed(17);
    let (mut clients, mut right) = (0, 0);
    let (mut based, mut base_ok) = (0, 0);
    let (mut capped, mut cap_ok) = (0, 0);
    let mut wrong = Vec::new();
    for i in 0..250 {
        let truth = Truth {
            class: CLASSES[i % CLASSES.len()],
            base: Nanos::from_millis(rng.gen_range(200..3000)),
            max_attempts: rng.gen_range(3..=6),
        };
        let p = policy(truth.class, truth.base, truth.max_attempts);
        let log = client_log(&p, &mut rng);
        let fit = fit_client(&chains(&log, Nanos::from_secs(300)), FitParams::default());
        clients += 1;
        if fit.class == truth.class {
            right += 1;
        } else {
            wrong.push((i, truth.class, fit.class));
        }
        if matches!(
            truth.class,
            Class::Fixed | Class::Exponential | Class::ExponentialJitter
        ) {
            based += 1;
            base_ok += usize::from(within(fit.base, truth.base, 10));
        }
        if truth.class != Class::None {
            capped += 1;
            let n = u64::from(fit.max_attempts);
            cap_ok += usize::from(
                fit.cap_seen
                    && n.abs_diff(u64::from(truth.max_attempts)) * 10
                        <= u64::from(truth.max_attempts),
            );
        }
    }
    println!(
        "class right {right}/{clients}, base within 10% {base_ok}/{based}, \
         attempt cap within 10% {cap_ok}/{capped}; wrong: {wrong:?}"
    );
    assert!(
        right * 100 >= clients * 95,
        "class right for {right} of {clients}: {wrong:?}"
    );
    assert!(
        base_ok * 100 >= based * 95,
        "base within 10% for {base_ok} of {based}"
    );
    assert!(
        cap_ok * 100 >= capped * 95,
        "attempt cap within 10% for {cap_ok} of {capped}"
    );
}

#[test]
fn a_client_that_only_sends_fresh_requests_is_not_called_a_retrier() {
    // Refusals and later requests more than the window apart: no chain has a retry.
    let log: Vec<Obs> = (0..20u64)
        .map(|i| Obs {
            t: Nanos::from_secs(i * 600),
            route: 0,
            status: 429,
            retry_after: None,
        })
        .collect();
    let fit = fit_client(&chains(&log, Nanos::from_secs(300)), FitParams::default());
    assert_eq!(fit.class, Class::None);
}
