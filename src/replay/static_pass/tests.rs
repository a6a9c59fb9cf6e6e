use super::*;

fn level(scope: &str, algorithm: &str, params: &[(&str, &str)]) -> Vec<Level> {
    let mut toml = format!(
        "name = \"t\"\nduration = \"1m\"\n[fleet.f]\ncount = 1\narrival = {{ process = \"constant\", rate = \"1/s\" }}\n[[server.limiters]]\nscope = \"{scope}\"\nalgorithm = \"{algorithm}\"\n"
    );
    for (k, v) in params {
        toml.push_str(&format!("{k} = {v}\n"));
    }
    sim::scenario::load_str("t.toml", &toml)
        .unwrap_or_else(|e| panic!("{e}"))
        .server
        .levels
}

const S: u64 = 1_000_000_000;
const T0: u64 = 1_700_000_000 * S;

#[test]
fn fixed_window_per_key_counts_by_hand() {
    // 3 per second per key. Client a sends 5 in second 0 and 2 in second 1: 2 refused,
    // the first at its 4th request (0.4 s). Client b sends 3: none refused.
    let mut p = StaticPass::new(vec![(
        "w3".into(),
        level(
            "key",
            "fixed_window",
            &[("limit", "3"), ("period", "\"1s\"")],
        ),
    )])
    .unwrap();
    for i in 0..5 {
        p.observe(T0 + i * S / 10, "a", "t1", 200).unwrap();
    }
    for i in 0..3 {
        p.observe(T0 + S / 2 + i, "b", "t1", 200).unwrap();
    }
    for i in 0..2 {
        p.observe(T0 + S + i, "a", "t1", 429).unwrap();
    }
    let c = &p.candidates[0];
    assert_eq!(c.refused, 2);
    assert_eq!(c.clients.of(0), 2);
    assert_eq!(c.clients.of(1), 0);
    assert_eq!(c.clients.first_of(0), Some(Nanos(3 * S / 10)));
    assert_eq!(c.tenants.of(0), 2);
    assert_eq!(p.client_log.refused[0], 2);
    assert_eq!(p.requests, 10);
}

#[test]
fn several_candidates_and_tenant_scope_in_one_pass() {
    let mut p = StaticPass::new(vec![
        (
            "tight".into(),
            level(
                "tenant",
                "token_bucket",
                &[("rate", "\"1/s\""), ("burst", "2")],
            ),
        ),
        (
            "loose".into(),
            level(
                "tenant",
                "token_bucket",
                &[("rate", "\"10/s\""), ("burst", "10")],
            ),
        ),
    ])
    .unwrap();
    // 6 requests at one instant from two clients of one tenant.
    for i in 0..6 {
        let client = if i % 2 == 0 { "a" } else { "b" };
        p.observe(T0, client, "org", 200).unwrap();
    }
    assert_eq!(p.candidates[0].refused, 4);
    assert_eq!(p.candidates[0].tenants.of(0), 4);
    assert_eq!(
        p.candidates[0].clients.of(0) + p.candidates[0].clients.of(1),
        4
    );
    assert_eq!(p.candidates[1].refused, 0);
}

#[test]
fn out_of_order_lines_never_move_time_back() {
    let mut p = StaticPass::new(vec![(
        "g".into(),
        level(
            "global",
            "token_bucket",
            &[("rate", "\"1/s\""), ("burst", "1")],
        ),
    )])
    .unwrap();
    p.observe(T0, "a", "t", 200).unwrap();
    p.observe(T0 + 2 * S, "a", "t", 200).unwrap();
    p.observe(T0 + S, "a", "t", 200).unwrap(); // logged 1 s earlier: checked at 2 s
    assert_eq!(p.out_of_order, 1);
    assert_eq!(p.max_skew, Nanos(S));
    assert_eq!(p.candidates[0].refused, 1);
}

#[test]
fn a_level_charged_on_completion_records_logged_successes() {
    // seed 001's metering: 3 per minute, recorded when a call succeeds. Without the record
    // the level would never refuse; with it, the 4th logged success is refused, and a
    // logged failure records nothing.
    let mut levels = level(
        "key",
        "fixed_window",
        &[("limit", "3"), ("period", "\"60s\"")],
    );
    levels[0].charge = Charge::OnCompletion;
    let mut p = StaticPass::new(vec![("meter".into(), levels)]).unwrap();
    p.observe(T0, "a", "t", 500).unwrap();
    for i in 0..4 {
        p.observe(T0 + i + 1, "a", "t", 200).unwrap();
    }
    assert_eq!(p.candidates[0].refused, 1);
}

#[test]
fn limiters_that_need_completions_are_refused() {
    let e = StaticPass::new(vec![(
        "c".into(),
        level("global", "concurrency", &[("max", "2")]),
    )])
    .unwrap_err();
    assert!(e.contains("in flight"), "{e}");
    let e = StaticPass::new(vec![("none".into(), Vec::new())]).unwrap_err();
    assert!(e.contains("no [[server.limiters]]"), "{e}");
}
