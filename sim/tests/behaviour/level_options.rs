//! Limiter-level options the seed APIs need: a fixed `Retry-After` (seed 000's constant 60),
//! charging on completion (seed 001's check-then-record metering) and levels restricted to
//! some fleets; in the model and through scenario files.

use limiters::{Nanos, Outcome, Params, Registry};
use sim::model::{Charge, Level, Scope};
use sim::server::{Admission, Levels};

fn window(limit: i64) -> Params {
    Params::new().with("limit", limit).with("period", "60s")
}

fn allowed(l: &mut Levels, fleet: Option<u16>, now: Nanos, n: usize) -> usize {
    (0..n)
        .filter(|_| {
            matches!(
                l.admit_as(fleet, now, 0, 0, 1).unwrap(),
                Admission::Allowed { .. }
            )
        })
        .count()
}

#[test]
fn fixed_retry_after_replaces_the_limiters_own() {
    let mut level = Level::new(
        Scope::Key,
        "sliding_log",
        Params::new().with("limit", 1i64).with("window", "60s"),
    );
    let mut plain = Levels::build(std::slice::from_ref(&level), &Registry::builtin()).unwrap();
    level.retry_after = Some(Nanos::from_secs(60));
    let mut fixed = Levels::build(&[level], &Registry::builtin()).unwrap();
    for l in [&mut plain, &mut fixed] {
        assert!(matches!(
            l.admit(Nanos::ZERO, 0, 0, 1).unwrap(),
            Admission::Allowed { .. }
        ));
    }
    let wait = |l: &mut Levels| match l.admit(Nanos::from_secs(45), 0, 0, 1).unwrap() {
        Admission::Denied { decision, .. } => decision.retry_after,
        other => panic!("expected a denial, got {other:?}"),
    };
    // The rolling window frees its slot at 60 s, 15 s later; the fixed header says 60.
    assert_eq!(wait(&mut plain), Some(Nanos::from_secs(15)));
    assert_eq!(wait(&mut fixed), Some(Nanos::from_secs(60)));
}

#[test]
fn a_credit_balance_denial_keeps_no_retry_after() {
    let mut level = Level::new(
        Scope::Key,
        "quota",
        Params::new().with("limit", 1i64).with("period", "none"),
    );
    level.retry_after = Some(Nanos::from_secs(60));
    let mut l = Levels::build(&[level], &Registry::builtin()).unwrap();
    allowed(&mut l, None, Nanos::ZERO, 1);
    match l.admit(Nanos::ZERO, 0, 0, 1).unwrap() {
        Admission::Denied { decision, .. } => assert_eq!(decision.retry_after, None),
        other => panic!("expected a denial, got {other:?}"),
    }
}

#[test]
fn charge_on_completion_lets_concurrent_checks_all_pass() {
    let mut level = Level::new(Scope::Tenant, "fixed_window", window(2));
    let mut atomic = Levels::build(std::slice::from_ref(&level), &Registry::builtin()).unwrap();
    level.charge = Charge::OnCompletion;
    let mut metered = Levels::build(&[level], &Registry::builtin()).unwrap();
    let t0 = Nanos::ZERO;
    // Five workers check at once: check-and-charge admits 2, check-then-record all 5.
    assert_eq!(allowed(&mut atomic, None, t0, 5), 2);
    assert_eq!(allowed(&mut metered, None, t0, 5), 5);
    // A failed call records nothing; successes record, saturating at the limit.
    let t1 = Nanos::from_secs(1);
    metered
        .release(t1, 0, 0, 1, Outcome::failure(Nanos::ZERO))
        .unwrap();
    assert_eq!(allowed(&mut metered, None, t1, 1), 1);
    metered.release(t1, 0, 0, 1, Outcome::success(t1)).unwrap();
    assert_eq!(allowed(&mut metered, None, t1, 1), 1);
    metered.release(t1, 0, 0, 1, Outcome::success(t1)).unwrap();
    assert_eq!(allowed(&mut metered, None, t1, 3), 0);
    // The next window starts empty.
    assert_eq!(allowed(&mut metered, None, Nanos::from_secs(60), 3), 3);
}

#[test]
fn a_level_restricted_to_fleets_skips_the_others() {
    let mut limited = Level::new(Scope::Tenant, "fixed_window", window(1));
    limited.fleets = vec!["b".to_string()];
    let mut l = Levels::build(&[limited], &Registry::builtin()).unwrap();
    l.bind_fleets(&["a", "b"]);
    assert_eq!(allowed(&mut l, Some(0), Nanos::ZERO, 5), 5);
    assert_eq!(allowed(&mut l, Some(1), Nanos::ZERO, 5), 1);
}

fn scenario(level_extra: &str) -> String {
    format!(
        r#"name = "opts"
duration = "1m"
[[server.limiters]]
scope = "tenant"
algorithm = "fixed_window"
limit = 10
period = "60s"
{level_extra}
[fleet.doc]
count = 1
arrival = {{ process = "poisson", rate = "1/s" }}
[fleet.lab]
count = 1
arrival = {{ process = "poisson", rate = "1/s" }}
"#
    )
}

#[test]
fn scenario_files_carry_the_options() {
    let s = sim::scenario::load_str(
        "opts.toml",
        &scenario("retry_after = \"60s\"\ncharge = \"on_completion\"\nfleets = [\"doc\"]"),
    )
    .unwrap();
    let l = &s.server.levels[0];
    assert_eq!(l.retry_after, Some(Nanos::from_secs(60)));
    assert_eq!(l.charge, Charge::OnCompletion);
    assert_eq!(l.fleets, vec!["doc".to_string()]);
    assert!(
        l.params.get("charge").is_none(),
        "not an algorithm parameter"
    );
}

#[test]
fn bad_options_point_at_their_line() {
    let cases = [
        (
            "charge = \"on_record\"",
            "opts.toml:8:10: unknown charge `on_record`",
        ),
        ("fleets = [\"web\"]", "opts.toml:8:10: unknown fleet `web`"),
        (
            "retry_after = 60",
            "opts.toml:8:15: `retry_after` of a limiter level",
        ),
        (
            "retry_after = \"0s\"",
            "opts.toml:8:15: `retry_after` must be longer than zero",
        ),
        ("fleets = []", "opts.toml:8:10: `fleets` is empty"),
    ];
    for (extra, want) in cases {
        let err = sim::scenario::load_str("opts.toml", &scenario(extra))
            .unwrap_err()
            .to_string();
        assert!(err.starts_with(want), "{extra}: {err}");
    }
}
