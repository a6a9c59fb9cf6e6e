//! The library backoffs as retry policies: Resilience4j's randomise-then-cap and Polly's
//! DecorrelatedJitterV2, through `RetryPolicy::decide` and from scenario files.

use limiters::Nanos;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use sim::retry::{AttemptResult, RetryDecision, RetryPolicy, RetryState, Strategy};
use sim::retry::{PollyV2, RandomizeThenCap};

fn delays(p: &RetryPolicy, rng: &mut ChaCha8Rng) -> Vec<Nanos> {
    let mut st = RetryState::first();
    let mut out = Vec::new();
    while let RetryDecision::Retry(d) = p.decide(&mut st, &AttemptResult::status(503), rng) {
        out.push(d);
        st.attempts += 1;
    }
    out
}

#[test]
fn randomize_then_cap_resynchronises_every_client_at_the_cap() {
    let p = RetryPolicy::new(
        Strategy::RandomizeThenCap(RandomizeThenCap {
            max_ms: 5_000,
            ..RandomizeThenCap::default()
        }),
        12,
    );
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let clients: Vec<Vec<Nanos>> = (0..1000).map(|_| delays(&p, &mut rng)).collect();
    // Retry n (1-based) draws from [0.5, 1.5) x 500 ms x 1.5^(n-1): early retries spread,
    for c in &clients {
        assert!(c[0] >= Nanos::from_millis(250) && c[0] < Nanos::from_millis(750));
    }
    // but from retry 9 on (500 * 1.5^8 = 12.8 s; its lowest draw 6.4 s > 5 s) every client
    // waits exactly the cap: they fail together and come back together.
    for c in &clients {
        assert_eq!(c.len(), 11);
        assert!(c[8..].iter().all(|d| *d == Nanos::from_secs(5)));
    }
    // With full jitter (capped first, then randomised) they stay spread.
    let full = RetryPolicy::new(
        Strategy::Exponential(sim::retry::Backoff {
            base: Nanos::from_millis(500),
            cap: Nanos::from_secs(5),
            jitter: sim::retry::Jitter::Full,
        }),
        12,
    );
    let at_cap = (0..1000)
        .map(|_| delays(&full, &mut rng))
        .filter(|c| c[10] == Nanos::from_secs(5))
        .count();
    assert_eq!(at_cap, 0);
}

#[test]
fn polly_v2_through_the_policy_matches_polly_s_own_series() {
    let polly = PollyV2 {
        mean_first_delay: Nanos::from_millis(200),
    };
    let p = RetryPolicy::new(Strategy::PollyV2(polly), 6);
    let got = delays(&p, &mut ChaCha8Rng::seed_from_u64(9));
    let want = polly.series(5, &mut ChaCha8Rng::seed_from_u64(9));
    assert_eq!(got.len(), 5);
    for (g, w) in got.iter().zip(&want) {
        // prev is recovered from the sum of tick-truncated delays: within a few ticks.
        assert!(g.as_nanos().abs_diff(w.as_nanos()) <= 1_000, "{g} vs {w}");
    }
}

#[test]
fn scenario_files_name_them() {
    let text = r#"
name = "b"
duration = "10s"
[fleet.a]
count = 1
arrival = { process = "poisson", rate = "1/s" }
retry = { policy = "randomize_then_cap", base = "1s", multiplier = 2.0, randomization_factor = 0.25, cap = "30s" }
[fleet.b]
count = 1
arrival = { process = "poisson", rate = "1/s" }
retry = { policy = "polly_v2", base = "250ms", max_attempts = 3 }
"#;
    let s = sim::scenario::load_str("b.toml", text).unwrap();
    assert_eq!(
        s.fleets[0].retry.strategy,
        Strategy::RandomizeThenCap(RandomizeThenCap {
            initial_ms: 1000,
            multiplier_milli: 2000,
            randomization_milli: 250,
            max_ms: 30_000
        })
    );
    assert_eq!(
        s.fleets[1].retry.strategy,
        Strategy::PollyV2(PollyV2 {
            mean_first_delay: Nanos::from_millis(250)
        })
    );
    let bad = text.replace("randomization_factor = 0.25", "randomization_factor = 2.0");
    let e = sim::scenario::load_str("b.toml", &bad)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("`randomization_factor` must be from 0 to 1"),
        "{e}"
    );
    let bad = text.replace(
        "policy = \"polly_v2\", base",
        "policy = \"polly_v2\", multiplier = 2.0, base",
    );
    assert!(sim::scenario::load_str("b.toml", &bad).is_err());
}
