//! Behaviour of the stateful and composite algorithms: concurrency, AIMD, gradient, hierarchy.
//! Hand-computed expectations, and proptest invariants.

use limiters::adaptive::{Gradient, GradientConfig};
use limiters::hierarchy::{check_all, peek_all};
use limiters::{
    ConcurrencyLimit, Decision, Hierarchy, Limiter, Nanos, Outcome, OutcomeKind, Params, Registry,
};
use proptest::prelude::*;

fn ms(v: u64) -> Nanos {
    Nanos::from_millis(v)
}

/// A small fixed-window test double (so these tests do not depend on another module): `limit`
/// per `period`, windows aligned to zero.
#[derive(Clone, Debug)]
struct Window {
    limit: u64,
    period: Nanos,
    start: Nanos,
    used: u64,
}

impl Window {
    fn new(limit: u64, period: Nanos) -> Window {
        Window {
            limit,
            period,
            start: Nanos::ZERO,
            used: 0,
        }
    }
    fn decide(&self, now: Nanos, cost: u32) -> (Decision, Nanos, u64) {
        let start = Nanos(now.0 / self.period.0 * self.period.0);
        let used = if start == self.start { self.used } else { 0 };
        let reset = start + self.period - now;
        let cost = u64::from(cost);
        if cost > self.limit {
            return (Decision::never(self.limit), start, used);
        }
        if used + cost <= self.limit {
            let d = Decision::allow(self.limit, self.limit - used - cost, reset);
            (d, start, used + cost)
        } else {
            (
                Decision::deny(self.limit, self.limit - used, reset, reset),
                start,
                used,
            )
        }
    }
}

impl Limiter for Window {
    fn check(&mut self, now: Nanos, cost: u32) -> Decision {
        let (d, start, used) = self.decide(now, cost);
        self.start = start;
        self.used = used;
        d
    }
    fn peek(&self, now: Nanos, cost: u32) -> Decision {
        self.decide(now, cost).0
    }
    fn name(&self) -> &'static str {
        "test_window"
    }
}

// ---------------------------------------------------------------- gradient

fn small_gradient() -> Gradient {
    Gradient::new(GradientConfig {
        sample_interval: ms(100),
        min_rtt_interval: Nanos::from_secs(60),
        min_rtt_request_count: 5,
        min_concurrency: 3,
        max_limit: 1000,
        buffer_ppm: 250_000,
        percentile_ppm: 500_000,
        retry_hint: ms(50),
    })
    .unwrap()
}

/// Run `n` requests one after another from `t`, each taking `latency`; returns the end time.
fn serve(g: &mut Gradient, mut t: Nanos, n: usize, latency: Nanos) -> Nanos {
    for _ in 0..n {
        assert!(g.check(t, 1).allowed);
        t += latency;
        g.release(t, 1, Outcome::success(latency));
    }
    t
}

#[test]
fn gradient_measures_min_rtt_then_grows_by_gradient_and_sqrt_headroom() {
    let mut g = small_gradient();
    assert_eq!(g.limit(), 3);
    // minRTT window: 5 samples of 10ms (p50 = 10ms), ends at t = 50ms.
    let t = serve(&mut g, Nanos::ZERO, 5, ms(10));
    assert_eq!(t, ms(50));
    assert!(!g.in_min_rtt_window());
    assert_eq!(g.min_rtt(), ms(10));
    assert_eq!(g.limit(), 3); // the deferred limit (the initial 3) is restored
                              // Sample windows end at 150ms, 250ms, 350ms. Latency 10ms: gradient = 12.5/10 = 1.25.
                              // 3*1.25 = 3.75, + sqrt(3.75) = 5.69 -> 5; 5*1.25 = 6.25 + 2.5 -> 8; 8*1.25 = 10 + 3.16 -> 13.
    let mut t = t;
    for expected in [5, 8, 13] {
        t = serve(&mut g, t, 3, ms(10));
        let window_end = Nanos(((t.0 - ms(50).0) / ms(100).0 + 1) * ms(100).0 + ms(50).0);
        let _ = g.check(window_end, 0); // fires the sample timer
        assert_eq!(g.sample_rtt(), ms(10));
        assert_eq!(g.limit(), expected);
        t = window_end;
    }
    // A window of 40ms latency: 12.5/40 = 0.3125, clamped to 0.5: 13*0.5 = 6.5 + 2.55 -> 9.
    serve(&mut g, t, 2, ms(40));
    let _ = g.check(ms(450), 0);
    assert_eq!(g.sample_rtt(), ms(40));
    assert_eq!(g.limit(), 9);
}

#[test]
fn gradient_aggregates_the_window_at_the_percentile() {
    let mut g = small_gradient();
    let mut t = serve(&mut g, Nanos::ZERO, 5, ms(10));
    for latency in [8, 10, 12, 14, 40] {
        t = serve(&mut g, t, 1, ms(latency));
    }
    assert!(t < ms(150));
    let _ = g.check(ms(150), 0);
    // p50 (nearest rank 3 of 5) = 12ms, not the mean (16.8ms): 12.5/12 = 1.0417;
    // 3*1.0417 = 3.125 + sqrt(3.125) = 4.89 -> 4.
    assert_eq!(g.sample_rtt(), ms(12));
    assert_eq!(g.limit(), 4);
}

#[test]
fn gradient_remeasures_min_rtt_after_five_windows_at_the_floor() {
    let mut g = small_gradient();
    let mut t = serve(&mut g, Nanos::ZERO, 5, ms(10)); // minRTT 10ms, limit 3
                                                       // Latency far above minRTT keeps the limit at the floor: 3*0.5 = 1.5 + 1.22 -> 2 -> 3.
    for w in 1..=5u64 {
        t = serve(&mut g, t.max(ms(100 * w - 40)), 1, ms(30));
        let _ = g.check(ms(50 + 100 * w), 0);
        assert_eq!(g.limit(), 3);
        assert!(!g.in_min_rtt_window() || w == 5, "window {w}");
    }
    // The fifth consecutive window that sets the floor starts a new minRTT measurement.
    assert!(g.in_min_rtt_window());
}

#[test]
fn gradient_drops_cancel_samples_and_in_flight_is_capped() {
    let mut g = small_gradient();
    for _ in 0..3 {
        assert!(g.check(Nanos::ZERO, 1).allowed);
    }
    let d = g.check(Nanos::ZERO, 1);
    assert!(!d.allowed);
    assert_eq!(d.retry_after, Some(ms(50)));
    let dropped = Outcome {
        kind: OutcomeKind::Dropped,
        latency: ms(1),
    };
    for _ in 0..3 {
        g.release(ms(1), 1, dropped);
    }
    assert!(
        g.in_min_rtt_window(),
        "dropped requests are not latency samples"
    );
    assert_eq!(g.in_flight(), 0);
    assert!(g.check(ms(1), 1001).is_never());
}

#[test]
fn gradient_peek_sees_pending_window_ends_without_changing_state() {
    let mut g = small_gradient();
    let t = serve(&mut g, Nanos::ZERO, 5, ms(10));
    serve(&mut g, t, 3, ms(10));
    let before = g.clone();
    let d = g.peek(ms(150), 1);
    assert_eq!(d.limit, 5, "peek applies the window end due at 150ms");
    assert_eq!(g, before, "peek changed nothing");
    assert_eq!(g.check(ms(150), 1).limit, 5);
}

#[test]
fn gradient_params_are_validated() {
    let reg = Registry::builtin();
    let bad = [
        (
            "sample_interval",
            Params::new().with("sample_interval", "0s"),
        ),
        (
            "min_concurrency",
            Params::new().with("min_concurrency", 0i64),
        ),
        ("percentile", Params::new().with("percentile", 120.0)),
        ("max_limit", Params::new().with("max_limit", 2i64)),
        (
            "min_rtt_request_count",
            Params::new().with("min_rtt_request_count", 0i64),
        ),
    ];
    for (name, p) in bad {
        let Err(e) = reg.build("gradient", &p) else {
            panic!("{name}: accepted")
        };
        assert_eq!(e.param(), Some(name), "{e}");
    }
    assert!(reg.build("gradient", &Params::new()).is_ok());
    assert!(reg
        .build("aimd", &Params::new().with("backoff_ratio", 0.4))
        .is_err());
    assert!(reg.build("concurrency", &Params::new()).is_err());
}

// ---------------------------------------------------------------- AIMD via registry

#[test]
fn aimd_from_registry_backs_off_on_failure() {
    let reg = Registry::builtin();
    let p = Params::new()
        .with("initial_limit", 10i64)
        .with("min_limit", 2i64);
    let mut a = reg.build("aimd", &p).unwrap();
    assert_eq!(a.check(Nanos::ZERO, 1).limit, 10);
    a.release(ms(1), 1, Outcome::failure(ms(1)));
    assert_eq!(a.peek(ms(1), 1).limit, 9);
}

// ---------------------------------------------------------------- hierarchy

#[test]
fn org_denial_leaves_the_credential_uncharged() {
    // Seed 002: 60 per minute per credential AND 600 per minute per org. Scaled: 3 and 5.
    let mut org = Window::new(5, Nanos::from_secs(60));
    let mut cred_a = Window::new(3, Nanos::from_secs(60));
    let mut cred_b = Window::new(3, Nanos::from_secs(60));
    for _ in 0..3 {
        assert!(check_all(&mut [&mut cred_a, &mut org], Nanos::ZERO, 1).allowed);
    }
    for _ in 0..2 {
        assert!(check_all(&mut [&mut cred_b, &mut org], Nanos::ZERO, 1).allowed);
    }
    // The org is exhausted: cred_b's third request is denied by the org...
    let d = check_all(&mut [&mut cred_b, &mut org], Nanos::from_secs(1), 1);
    assert!(!d.allowed);
    assert_eq!(d.limit, 5, "the denying level is reported");
    assert_eq!(d.retry_after, Some(Nanos::from_secs(59)));
    // ...and must NOT have been charged to cred_b: it still has exactly one left.
    assert_eq!(cred_b.peek(Nanos::from_secs(1), 1).remaining, 0);
    assert!(cred_b.peek(Nanos::from_secs(1), 1).allowed);
    assert_eq!(cred_b.used, 2);
}

#[test]
fn combined_decisions_are_the_most_restrictive() {
    let hint = Nanos::from_secs(1);
    let mut h = Hierarchy::new(vec![
        Box::new(Window::new(10, Nanos::from_secs(60))),
        Box::new(ConcurrencyLimit::new(4, hint).unwrap()),
    ])
    .unwrap();
    let d = h.check(Nanos::from_secs(30), 2);
    assert!(d.allowed);
    assert_eq!(
        (d.limit, d.remaining),
        (4, 2),
        "binding level: least remaining"
    );
    h.check(Nanos::from_secs(30), 2);
    // Concurrency is full (the window still has 6): the concurrency denial is reported.
    let d = h.check(Nanos::from_secs(30), 1);
    assert_eq!(d.retry_after, Some(hint));
    h.release(Nanos::from_secs(31), 4, Outcome::success(hint));
    assert!(h.check(Nanos::from_secs(31), 4).allowed);
    h.release(Nanos::from_secs(31), 4, Outcome::success(hint));
    assert!(h.check(Nanos::from_secs(31), 2).allowed); // window now 10/10 used
    let d = h.check(Nanos::from_secs(31), 1);
    assert_eq!(d.retry_after, Some(Nanos::from_secs(29)));
    // Both deny: the longer retry wins.
    assert_eq!(
        h.check(Nanos::from_secs(31), 3).retry_after,
        Some(Nanos::from_secs(29))
    );
    // One level can never admit cost 5 (concurrency max 4): never beats any retry time.
    assert!(h.check(Nanos::from_secs(31), 5).is_never());
    assert!(Hierarchy::new(vec![]).is_err());
}

// ---------------------------------------------------------------- properties

#[derive(Clone, Debug)]
enum Op {
    Check(u32),
    Release,
}

fn ops() -> impl Strategy<Value = Vec<Op>> {
    prop::collection::vec(
        prop_oneof![(0u32..6).prop_map(Op::Check), Just(Op::Release)],
        0..200,
    )
}

proptest! {
    #[test]
    fn concurrency_never_exceeds_max_in_flight(max in 1u64..10, ops in ops()) {
        let mut c = ConcurrencyLimit::new(max, ms(10)).unwrap();
        let mut admitted: Vec<u32> = Vec::new();
        for (i, op) in ops.into_iter().enumerate() {
            let now = Nanos(i as u64);
            match op {
                Op::Check(cost) => {
                    let d = c.check(now, cost);
                    if d.allowed { admitted.push(cost); }
                    prop_assert_eq!(d.is_never(), u64::from(cost) > max);
                }
                Op::Release => {
                    if let Some(cost) = admitted.pop() {
                        c.release(now, cost, Outcome::success(Nanos(1)));
                    }
                }
            }
            let truth: u64 = admitted.iter().map(|&c| u64::from(c)).sum();
            prop_assert_eq!(c.in_flight(), truth);
            prop_assert!(truth <= max);
        }
    }

    #[test]
    fn hierarchy_never_charges_any_level_on_denial(
        limits in prop::collection::vec(1u64..6, 1..4),
        reqs in prop::collection::vec((0u64..180, 0u32..4), 0..80),
    ) {
        let mut levels: Vec<Window> =
            limits.iter().map(|&l| Window::new(l, Nanos::from_secs(60))).collect();
        let mut reqs = reqs;
        reqs.sort_by_key(|r| r.0);
        for (secs, cost) in reqs {
            let now = Nanos::from_secs(secs);
            let before: Vec<Decision> = levels.iter().map(|l| l.peek(now, 0)).collect();
            let mut refs: Vec<&mut dyn Limiter> =
                levels.iter_mut().map(|l| l as &mut dyn Limiter).collect();
            let expected = peek_all(&refs, now, cost);
            let d = check_all(&mut refs, now, cost);
            prop_assert_eq!(d, expected);
            let after: Vec<Decision> = levels.iter().map(|l| l.peek(now, 0)).collect();
            if d.allowed {
                for (b, a) in before.iter().zip(&after) {
                    prop_assert_eq!(a.remaining + u64::from(cost), b.remaining);
                }
            } else {
                prop_assert_eq!(before, after, "a denial charged a level");
            }
        }
    }
}
