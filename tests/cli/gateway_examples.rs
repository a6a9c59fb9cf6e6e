//! The shipped `examples/gateways/` configurations of Envoy, envoyproxy/ratelimit, Kong and
//! AWS, each run through `throttlelab run` by the scenario that references it (`from = ...`),
//! and held to the limit its gateway promises: a configuration that was misread (a level
//! dropped, a window misplaced) would admit more than the bound computed by hand below.
//! Also `import` and `export` through the binary: output, bad input (exit 2, file:line:col).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn example(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples/gateways")
        .join(name)
}

fn throttlelab(args: &[&std::ffi::OsStr]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_throttlelab"))
        .args(args)
        .output()
        .unwrap()
}

/// Run `scenario` and return (admitted, rejected) of its summary.
fn run(scenario: &str, name: &str) -> (u64, u64) {
    let out = std::env::temp_dir().join(format!("throttlelab-gw-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    let o = throttlelab(&[
        "run".as_ref(),
        example(scenario).as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
        "--quiet".as_ref(),
        "--no-report".as_ref(),
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let text = std::fs::read_to_string(out.join(name).join("42/summary.json")).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let _ = std::fs::remove_dir_all(&out);
    let n = |k: &str| {
        v["summary"][k]
            .as_u64()
            .unwrap_or_else(|| panic!("{k} in {text}"))
    };
    (n("admitted"), n("rejected_total"))
}

#[test]
fn envoy_timer_bucket_admits_at_most_its_steps() {
    // 50 tokens at start, +10 at each 500 ms tick: 120 ticks in 60 s
    let (admitted, rejected) = run("envoy-local-ratelimit.toml", "gateway-envoy");
    assert!(rejected > 0 && admitted > 1000, "{admitted} {rejected}");
    assert!(admitted <= 50 + 10 * 120, "{admitted}");
}

#[test]
fn ratelimit_global_minute_windows_on_the_clock() {
    // starts at 12:00:45: minute windows [0,15 s), [15,75 s), [75,135 s) -> at most 3 x 600
    let (admitted, rejected) = run("ratelimit-config.toml", "gateway-ratelimit");
    assert!(rejected > 0, "{admitted} {rejected}");
    assert!(admitted <= 3 * 600, "{admitted}");
}

#[test]
fn kong_minute_limit_per_consumer() {
    // 20 consumers, 60 per UTC minute, 3 minutes from a minute's start
    let (admitted, rejected) = run("kong-rate-limiting.toml", "gateway-kong");
    assert!(rejected > 0, "{admitted} {rejected}");
    assert!(admitted <= 20 * 60 * 3, "{admitted}");
}

#[test]
fn aws_daily_quota_per_key() {
    // 10 keys, 150 a day each; the run lasts 2 minutes of one UTC day
    let (admitted, rejected) = run("aws-usage-plan.toml", "gateway-aws");
    assert!(rejected > 0, "{admitted} {rejected}");
    assert!(admitted <= 10 * 150, "{admitted}");
}

#[test]
fn import_prints_levels_and_bad_input_exits_2_at_the_line() {
    let o = throttlelab(&[
        "import".as_ref(),
        example("kong-rate-limiting.yaml").as_os_str(),
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.contains("algorithm = \"fixed_window\"") && text.contains("period = \"month\""),
        "{text}"
    );

    let bad = std::env::temp_dir().join(format!(
        "throttlelab-gw-{}-ratelimit.yaml",
        std::process::id()
    ));
    std::fs::write(&bad, "domain: edge\ndescriptors:\n  - key: a\n    rate_limit:\n      unit: fortnight\n      requests_per_unit: 3\n").unwrap();
    let o = throttlelab(&["import".as_ref(), bad.as_os_str()]);
    let _ = std::fs::remove_file(&bad);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("ratelimit.yaml:5:13") && err.contains("invalid rate limit unit"),
        "{err}"
    );
}

#[test]
fn export_writes_what_the_dialect_can_say_and_refuses_the_rest() {
    let o = throttlelab(&[
        "export".as_ref(),
        "--format".as_ref(),
        "ratelimit".as_ref(),
        example("ratelimit-config.toml").as_os_str(),
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.contains("unit: minute\n    requests_per_unit: 600"),
        "{text}"
    );
    // Envoy's filter is a token bucket: clock windows cannot be said in it
    let o = throttlelab(&[
        "export".as_ref(),
        "--format".as_ref(),
        "envoy".as_ref(),
        example("ratelimit-config.toml").as_os_str(),
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_ne!(o.status.code(), Some(0));
    assert!(err.contains("cannot say a fixed_window"), "{err}");
}
