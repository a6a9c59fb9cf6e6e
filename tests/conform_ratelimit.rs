//! `throttlelab conform --gateway ratelimit`: the lab's reference of envoyproxy/ratelimit's
//! Redis fixed-window code, over a real redis-server, against the lab's `fixed_window` levels
//! imported from the same YAML; streams straddle the one-second windows. Skipped, with a
//! notice, only when /usr/bin/redis-server is absent (CI installs it).

// live mode: built with the `live` feature (the default)
#![cfg(feature = "live")]

use std::path::Path;
use std::process::Command;

const REDIS: &str = "/usr/bin/redis-server";

fn run(
    name: &str,
    yaml: &str,
    extra: &[&str],
) -> Option<(std::process::Output, serde_json::Value)> {
    run_n(name, yaml, "1200", extra)
}

fn run_n(
    name: &str,
    yaml: &str,
    requests: &str,
    extra: &[&str],
) -> Option<(std::process::Output, serde_json::Value)> {
    if !Path::new(REDIS).exists() {
        eprintln!("NOTICE: {REDIS} not installed; conform_ratelimit skipped (apt-get install -y redis-server)");
        return None;
    }
    let dir = std::env::temp_dir().join(format!("tl-conform-rl-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("ratelimit.yaml");
    std::fs::write(&file, yaml).unwrap();
    let out = dir.join("out");
    let mut args = vec![
        "conform",
        "--gateway",
        "ratelimit",
        file.to_str().unwrap(),
        "--requests",
        requests,
        "--streams",
        "8",
        "--seed",
        "4",
        "--out",
        out.to_str().unwrap(),
    ];
    if !extra.contains(&"--min-agreement") {
        args.extend_from_slice(&["--min-agreement", "100"]);
    }
    args.extend_from_slice(extra);
    let o = Command::new(env!("CARGO_BIN_EXE_throttlelab"))
        .args(&args)
        .output()
        .unwrap();
    let report = std::fs::read_to_string(out.join("conform.json"))
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or(serde_json::Value::Null);
    Some((o, report))
}

fn agrees(name: &str, yaml: &str, extra: &[&str]) {
    let Some((o, report)) = run(name, yaml, extra) else {
        return;
    };
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(
        stdout.contains("agreement 100.0000% (1200 of 1200)"),
        "{stdout}"
    );
    // the streams reach the limit: the reference refused some requests and passed others
    let d = &report["gateway_decisions"];
    assert!(
        d["reject"].as_u64().unwrap() > 0 && d["pass"].as_u64().unwrap() > 0,
        "{report}"
    );
}

#[test]
fn per_user_per_second_windows() {
    agrees(
        "second",
        "domain: api\ndescriptors:\n  - key: user\n    rate_limit:\n      unit: second\n      requests_per_unit: 5\n",
        &[],
    );
}

/// `replaces` drops the 4/s rule (so the 6/s one decides), the shadow 2/s rule never refuses
/// and the unlimited one is not counted: a reference or model ignoring any of them refuses at
/// 2 or 4 per second where the other passes up to 6.
#[test]
fn replaces_shadow_mode_and_unlimited() {
    agrees(
        "replaces",
        "domain: api\ndescriptors:\n  - key: user\n    rate_limit: {unit: second, requests_per_unit: 4, name: per_user}\n\
         \x20 - key: plan\n    rate_limit: {unit: second, requests_per_unit: 6, replaces: [{name: per_user}]}\n\
         \x20 - key: tier\n    shadow_mode: true\n    rate_limit: {unit: second, requests_per_unit: 2}\n\
         \x20 - key: internal\n    rate_limit: {unlimited: true}\n",
        &[],
    );
}

#[test]
fn local_cache_and_stop_increment() {
    agrees(
        "cache",
        "domain: api\ndescriptors:\n  - key: user\n    rate_limit: {unit: second, requests_per_unit: 3}\n",
        &["--local-cache", "--stop-increment-when-overlimit"],
    );
}

#[test]
fn a_global_rule_needs_one_stream() {
    let Some((o, _)) = run(
        "global",
        "domain: api\ndescriptors:\n  - key: generic_key\n    value: all\n    rate_limit: {unit: second, requests_per_unit: 50}\n",
        &[],
    ) else {
        return;
    };
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("--streams 1"), "{err}");
}

/// Two rules on one request (3 per second, 10 per minute): ratelimit increments both counters
/// before comparing, so requests the per-second rule refuses still use up the minute's 10, and
/// it refuses requests the lab (which charges a level only when every level admits) passes.
/// With STOP_CACHE_KEY_INCREMENT_WHEN_OVERLIMIT only the counter going over is charged, and
/// the two agree. The known difference must show, and only in that direction.
#[test]
fn two_rules_differ_unless_increments_stop_when_over() {
    let yaml = "domain: api\ndescriptors:\n  - key: user\n    rate_limit: {unit: second, requests_per_unit: 3}\n  - key: account\n    rate_limit: {unit: minute, requests_per_unit: 10}\n";
    let Some((o, report)) = run_n("two", yaml, "400", &["--min-agreement", "0"]) else {
        return;
    };
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let ds = report["disagreements"].as_array().unwrap();
    assert!(!ds.is_empty(), "{report}");
    assert!(
        ds.iter()
            .all(|d| d["gateway"] == "reject" && d["model"] == "pass"),
        "{report}"
    );
    let Some((o, report)) = run_n(
        "two-stop",
        yaml,
        "400",
        &["--stop-increment-when-overlimit"],
    ) else {
        return;
    };
    assert!(
        o.status.success(),
        "{}{report}",
        String::from_utf8_lossy(&o.stdout)
    );
    assert_eq!(report["agreement"].as_f64(), Some(1.0), "{report}");
}
