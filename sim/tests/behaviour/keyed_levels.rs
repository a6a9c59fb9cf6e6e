//! A limiter level with `max_keys` keeps its per-key states in the bounded, evicting
//! `limiters::keyed` store (issue #13): never more than `max_keys` states whatever the number
//! of keys, idle keys dropped exactly (the same decisions as unbounded state), and the
//! eviction figures in the run's results.

use sim::metrics::RunResult;

fn run(level_extra: &str, keys: u32) -> RunResult {
    let text = format!(
        r#"
name = "keyed"
duration = "60s"
[[server.limiters]]
scope = "key"
algorithm = "token_bucket"
rate = "1/s"
burst = 2
{level_extra}
[fleet.many]
count = {keys}
keys = {keys}
arrival = {{ process = "poisson", rate = "1/2s" }}
"#
    );
    let s = sim::scenario::load_str("keyed.toml", &text).unwrap();
    sim::run(&s, 7).unwrap()
}

#[test]
fn idle_eviction_is_exact_and_the_figures_are_reported() {
    let dense = run("", 300);
    assert!(dense.keyed.is_empty(), "no bounded level");
    // room for every key: only idle (full-capacity) keys are dropped, decisions unchanged
    let bounded = run("max_keys = 1000\nidle_after = \"2s\"", 300);
    assert_eq!(bounded.summary, dense.summary);
    let k = &bounded.keyed[0];
    assert_eq!((k.level, k.scope.as_str(), k.max_keys), (0, "key", 1000));
    assert!(k.idle_evictions > 0, "{k:?}");
    assert_eq!(k.forced_evictions, 0);
    assert!(k.peak_keys <= 300 && k.keys_at_end <= k.peak_keys, "{k:?}");
}

#[test]
fn memory_stays_bounded_under_more_keys_than_max_keys() {
    let r = run("max_keys = 50", 2000);
    let k = &r.keyed[0];
    assert!(k.peak_keys <= 50, "{k:?}");
    assert!(k.keys_at_end <= 50);
    assert!(k.idle_evictions + k.forced_evictions > 1000, "{k:?}");
    // a lost token bucket state is a full one: admissions never fall
    let dense = run("", 2000);
    assert!(r.summary.admitted >= dense.summary.admitted);
}

#[test]
fn bad_bounds_are_errors_with_their_position() {
    for (extra, want) in [
        ("max_keys = 0", "`max_keys` is a whole number"),
        ("idle_after = \"5s\"", "`idle_after` needs `max_keys`"),
        (
            "max_keys = 10\nidle_after = \"soon\"",
            "`idle_after` is a duration",
        ),
    ] {
        let text = format!(
            "name = \"k\"\nduration = \"1s\"\n[[server.limiters]]\nscope = \"key\"\n\
             algorithm = \"gcra\"\nrate = \"1/s\"\n{extra}\n[fleet.a]\ncount = 1\n\
             arrival = {{ process = \"constant\", rate = \"1/s\" }}\n"
        );
        let e = sim::scenario::load_str("k.toml", &text)
            .unwrap_err()
            .to_string();
        assert!(e.contains(want) && e.contains("k.toml:"), "{e}");
    }
}
