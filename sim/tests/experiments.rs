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
