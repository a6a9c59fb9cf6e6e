//! The classic experiments of `scenarios/experiments/`, run at their declared sweep points
//! (fewer seeds, sometimes shorter), each checked for the qualitative result it is there to
//! show. A scenario file that stops showing it fails here.

use sim::metrics::Summary;
use sim::sweep::{Plan, SweepArgs};
use sim::RunResult;
use std::path::PathBuf;

fn file(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../scenarios/experiments")
        .join(name)
}

/// The sweep plan of an experiment file.
fn plan(name: &str) -> Plan {
    let path = file(name);
    let text = std::fs::read_to_string(&path).expect("experiment file");
    Plan::from_text(&path.display().to_string(), &text, &SweepArgs::default())
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// Run the point whose label is exactly `label` with the scenario's own seed.
fn run_point(p: &Plan, label: &str) -> RunResult {
    let i = (0..p.points.len())
        .find(|&i| p.label(i) == label)
        .unwrap_or_else(|| {
            let all: Vec<String> = (0..p.points.len()).map(|i| p.label(i)).collect();
            panic!("no point `{label}` in {all:?}")
        });
    let s = &p.points[i].scenario;
    sim::run(s, s.seed).expect("run")
}

fn fleet<'a>(r: &'a RunResult, name: &str) -> &'a Summary {
    r.fleets.get(name).expect("fleet")
}

// ---- Experiment 3: metastable failure ----

#[test]
fn metastable_with_immediate_retries_does_not_recover_and_without_retries_does() {
    let p = plan("metastable.toml");
    let stuck = run_point(&p, "fleet.base.retry.max_attempts=4");
    let base = fleet(&stuck, "base");
    let rec = base
        .recovery
        .as_ref()
        .expect("a trigger window gives recovery figures");
    assert_eq!((rec.fault_start_s, rec.fault_end_s), (60.0, 65.0));
    assert!((7.0..=9.0).contains(&rec.pre_fault_goodput_rps), "{rec:?}");
    assert!(!rec.recovered, "metastable: must not recover: {rec:?}");
    // After the spike the base fleet's goodput is near zero for the rest of the run.
    let series = &stuck.series.fleets["base"];
    let after: u64 = series[100..].iter().map(|b| b.successes).sum();
    assert!(after < 100, "goodput after the spike: {after} in 200 s");
    assert!(
        base.retry_amplification > 3.0,
        "{}",
        base.retry_amplification
    );

    let calm = run_point(&p, "fleet.base.retry.max_attempts=1");
    let rec = fleet(&calm, "base").recovery.clone().expect("recovery");
    assert!(rec.recovered, "without retries the queue drains: {rec:?}");
    assert!(rec.time_to_recover_s.unwrap_or(f64::MAX) < 120.0, "{rec:?}");
}

/// Issue #12: the run's verdict is its fleets'. Summed over fleets, the trigger fleet's
/// successes during its spike put goodput "back" at once, while `base` never recovers.
#[test]
fn metastable_run_level_verdict_follows_the_stuck_fleet() {
    let path = file("metastable.toml");
    let text = std::fs::read_to_string(&path).expect("experiment file");
    let s = sim::scenario::load_str(&path.display().to_string(), &text).expect("scenario");
    let r = sim::run(&s, s.seed).expect("run");
    let base = fleet(&r, "base")
        .recovery
        .as_ref()
        .expect("base has a figure");
    assert!(!base.recovered, "{base:?}");
    assert!(
        fleet(&r, "spike").recovery.is_none(),
        "the trigger fleet has no pre-fault goodput"
    );
    let run = r.summary.recovery.as_ref().expect("run-level figure");
    assert!(!run.recovered, "run-level verdict: {run:?}");
    assert_eq!(run.time_to_recover_s, None);
    assert_eq!(run.fleets_not_recovered, ["base"]);
}

#[test]
fn metastable_needs_a_deep_and_long_relief() {
    let p = plan("metastable-relief.toml");
    let recovered = |label: &str| {
        let r = run_point(&p, label);
        fleet(&r, "base")
            .recovery
            .as_ref()
            .expect("recovery")
            .recovered
    };
    let rate = "fleet.base.arrival.points.1.rate";
    let until = "fleet.base.arrival.points.2.from";
    // No load for a minute: the queue empties and stays empty.
    assert!(recovered(&format!("{rate}=off, {until}=180s")));
    // Dropping to 6/s (4 x 6 = 24 attempts/s > 10/s) never gets out, however long.
    assert!(!recovered(&format!("{rate}=3/4s, {until}=180s")));
    // Stopping all load for only 5 s is not enough: old requests' retries refill the queue.
    assert!(!recovered(&format!("{rate}=off, {until}=125s")));
}

#[test]
fn a_trigger_fleet_needs_a_piecewise_arrival() {
    let text = "name = \"t\"\nduration = \"1m\"\n[fleet.spike]\ncount = 1\ntrigger = true\narrival = { process = \"poisson\", rate = \"1/s\" }\n";
    let e = sim::scenario::load_str("t.toml", text)
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("t.toml:5:11:"), "{e}");
    assert!(e.contains("piecewise"), "{e}");
}

/// Run point `i`, checking that its label mentions each of `expect`.
fn run_nth(p: &Plan, i: usize, expect: &[&str]) -> RunResult {
    let label = p.label(i);
    for e in expect {
        assert!(label.contains(e), "point {i} is `{label}`, expected {e}");
    }
    let s = &p.points[i].scenario;
    sim::run(s, s.seed).expect("run")
}

fn errors_503(s: &Summary) -> u64 {
    s.server_errors.get(&503).copied().unwrap_or(0)
}

// ---- Experiment 4: open versus closed loop ----

#[test]
fn backoff_relieves_a_closed_loop_but_not_an_open_one() {
    let p = plan("open-closed.toml");
    assert_eq!(p.points.len(), 4);
    let open_now = run_nth(&p, 0, &["poisson", "immediate"]).summary;
    let open_backoff = run_nth(&p, 1, &["poisson", "exponential"]).summary;
    let closed_now = run_nth(&p, 2, &["closed", "immediate"]).summary;
    let closed_backoff = run_nth(&p, 3, &["closed", "exponential"]).summary;
    // Open loop: backoff moves the retries later, it does not remove them.
    assert!(
        errors_503(&open_backoff) * 100 >= errors_503(&open_now) * 95,
        "open: {} -> {}",
        errors_503(&open_now),
        errors_503(&open_backoff)
    );
    assert!((open_backoff.success_ratio - open_now.success_ratio).abs() < 0.02);
    // Closed loop: a client in backoff sends nothing, so the overload is lighter.
    assert!(
        errors_503(&closed_backoff) * 100 <= errors_503(&closed_now) * 90,
        "closed: {} -> {}",
        errors_503(&closed_now),
        errors_503(&closed_backoff)
    );
    assert!(closed_backoff.success_ratio > closed_now.success_ratio);
    // The closed loop adapts its load to the capacity: far fewer failures than open loop.
    assert!(errors_503(&closed_now) * 2 < errors_503(&open_now));
    assert!(closed_now.success_ratio > open_now.success_ratio + 0.04);
}

// ---- Experiment 6: tenant fairness ----

#[test]
fn per_tenant_limits_are_fairer_than_a_global_one_and_a_hierarchy_keeps_the_capacity() {
    use sim::metrics::{jain_max_min, TenantRow};
    let p = plan("fairness.toml");
    assert_eq!(p.points.len(), 3);
    let pairs = |t: &[TenantRow]| {
        t.iter()
            .map(|t| (t.successes, t.demand))
            .collect::<Vec<_>>()
    };
    let quiet_share = |t: &[TenantRow]| {
        let q = t.iter().filter(|t| t.tenant.starts_with("quiet"));
        let (ok, d) = q.fold((0, 0), |(a, b), t| (a + t.successes, b + t.demand));
        ok as f64 / d as f64
    };
    let global = run_nth(&p, 0, &["global"]);
    let tenant = run_nth(&p, 1, &["\"25/s\"", "tenant"]);
    let both = run_nth(&p, 2, &["\"70/s\"", "global"]);
    let jg = jain_max_min(pairs(&global.tenants).into_iter()).unwrap();
    let jt = jain_max_min(pairs(&tenant.tenants).into_iter()).unwrap();
    let jb = jain_max_min(pairs(&both.tenants).into_iter()).unwrap();
    assert!(jg < 0.85, "global limit: {jg}");
    assert!(jt > 0.99 && jb > 0.97, "per tenant {jt}, hierarchy {jb}");
    // The quiet tenants get under half their demand behind the noisy one, all of it alone.
    assert!(quiet_share(&global.tenants) < 0.5);
    assert!(quiet_share(&tenant.tenants) > 0.99);
    assert!(quiet_share(&both.tenants) > 0.95);
    // Share of demand alone calls the global limit fair: everyone gets the same fraction.
    assert!(global.summary.fairness_tenants.unwrap() > 0.99);
    // Per-tenant limits leave capacity unused; the hierarchy serves the full 100/s.
    assert!(tenant.summary.goodput_rps < 60.0);
    assert!(both.summary.goodput_rps > 95.0 && global.summary.goodput_rps > 95.0);
}

// ---- Experiment 5: client-side adaptive throttling (SRE book) ----

/// What reached the server: admitted or rejected by its limiter.
fn received(s: &Summary) -> u64 {
    s.admitted + s.rejected_total
}

#[test]
fn sre_throttling_sends_about_k_times_what_the_backend_accepts() {
    let p = plan("sre-throttling.toml");
    assert_eq!(p.points.len(), 4);
    let mut sent_per_accept = Vec::new();
    for (i, k) in [(0, 2.0), (1, 1.5), (2, 1.1)] {
        let s = run_nth(&p, i, &[&format!("k={k}")]).summary;
        let ratio = received(&s) as f64 / s.admitted as f64;
        assert!(
            (ratio - k).abs() < 0.1 * k,
            "K = {k}: sent / accepted = {ratio}"
        );
        assert!(
            s.give_ups["gate"] > s.logical_requests / 2,
            "K = {k}: clients drop most"
        );
        assert!((90.0..=110.0).contains(&s.goodput_rps), "{}", s.goodput_rps);
        sent_per_accept.push(ratio);
    }
    assert!(sent_per_accept.windows(2).all(|w| w[0] > w[1]));
    // K = 1000 never rejects: the backend gets the whole 500/s.
    let none = run_nth(&p, 3, &["k=1000"]).summary;
    // (Only the very first requests, before any accept, are ever refused.)
    assert!(none.give_ups["gate"] * 1000 < none.logical_requests);
    assert!(received(&none) as f64 / none.admitted as f64 > 4.5);
}

// ---- Experiment 8: layered retries ----

#[test]
fn five_layers_of_three_attempts_amplify_an_always_failing_bottom_243_times() {
    use rand::SeedableRng;
    use sim::retry::{expected_bottom_calls, simulate_layers, top_failure_probability};
    let layers = [3u32; 5];
    assert_eq!(expected_bottom_calls(&layers, 1.0), 243.0);
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
    assert_eq!(simulate_layers(&layers, 1.0, 100, &mut rng), (243.0, 1.0));
    // A bottom failing half the time costs about 2 calls and almost never fails at the top.
    assert!((expected_bottom_calls(&layers, 0.5) - 2.0).abs() < 0.01);
    assert!(top_failure_probability(&layers, 0.5) < 1e-70);
    // A single layer of 3 attempts (retry only at the top) sends 3 calls.
    assert_eq!(expected_bottom_calls(&[3, 1, 1, 1, 1], 1.0), 3.0);
}

// ---- Experiment 1: backoff and jitter under contention ----

#[test]
fn jitter_cuts_the_work_of_contended_writers() {
    use limiters::Nanos;
    use sim::contention::{run_occ, Occ};
    use sim::model::{Backoff, Distribution, Jitter, RetryPolicy, StatusSet, Strategy};
    let run = |strategy: Strategy, clients: u32| {
        let mut retry = RetryPolicy::new(strategy, u32::MAX);
        retry.retry_on = StatusSet::of(&[409]);
        let occ = Occ {
            clients,
            delay: Distribution::NormalAbs {
                mean: Nanos::from_millis(10),
                sd: Nanos::from_millis(2),
            },
            retry,
            horizon: Nanos::from_secs(3_600),
        };
        let (mut w, mut t) = (0.0, 0.0);
        for seed in 1..=3 {
            let r = run_occ(&occ, seed).expect("run");
            assert_eq!(r.completed, clients, "everyone writes in the end");
            w += r.writes as f64 / 3.0;
            t += r.completion_s / 3.0;
        }
        (w, t)
    };
    let exp = |jitter| {
        Strategy::Exponential(Backoff {
            base: Nanos::from_millis(5),
            cap: Nanos::from_secs(2),
            jitter,
        })
    };
    let n = 100;
    let (none_w, _) = run(Strategy::Immediate, n);
    let (exp_w, exp_t) = run(exp(Jitter::None), n);
    let (full_w, full_t) = run(exp(Jitter::Full), n);
    let (eq_w, _) = run(exp(Jitter::Equal), n);
    let (dec_w, _) = run(exp(Jitter::Decorrelated), n);
    // Without jitter the clients that collided collide again: about as much work as no backoff
    // at all; any jitter cuts it by half or more (Brooker 2015, "total calls").
    assert!(exp_w > 0.5 * none_w, "exp {exp_w} vs none {none_w}");
    for (name, w) in [("full", full_w), ("equal", eq_w), ("decorrelated", dec_w)] {
        assert!(
            w * 1.5 < exp_w,
            "{name}: {w} writes vs {exp_w} without jitter"
        );
    }
    // And full jitter finishes sooner than un-jittered backoff.
    assert!(full_t < exp_t, "full {full_t} s vs exponential {exp_t} s");
    // Work grows with contention.
    let (few, _) = run(exp(Jitter::Full), 10);
    assert!(few < full_w);
}
