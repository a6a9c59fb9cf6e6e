//! `throttlelab load` against `throttlelab serve`: the fleet's retry policy and the server's
//! limit shape what comes back, within the run's time and attempt bounds; non-loopback targets
//! are refused before anything is sent.

mod live_common;

use live_common::Server;
use std::process::Command;
use std::time::{Duration, Instant};

const SCENARIO: &str = r#"
name = "live-load-test"
duration = "60s"
[fleet.web]
count = 10
keys = 2
arrival = { process = "poisson", rate = "10/s" }
timeout = "2s"
deadline = "10s"
[fleet.web.retry]
policy = "exponential"
base = "20ms"
cap = "200ms"
jitter = "full"
max_attempts = 3
"#;

fn scenario_file(tag: &str) -> std::path::PathBuf {
    let p = std::env::temp_dir().join(format!(
        "throttlelab-load-{tag}-{}.toml",
        std::process::id()
    ));
    std::fs::write(&p, SCENARIO).expect("write scenario");
    p
}

fn load(args: &[&str]) -> (Option<i32>, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_throttlelab"))
        .arg("load")
        .args(args)
        .output()
        .expect("run load");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_fleet_meets_the_limit_and_the_report_adds_up() {
    let srv = Server::start(&["--keys", "2", "--limiter", "key:gcra rate=5/s burst=5"]);
    let path = scenario_file("ok");
    let started = Instant::now();
    let (code, out, err) = load(&[
        "--target",
        &srv.base,
        "--scenario",
        &path.to_string_lossy(),
        "--duration",
        "2s",
        "--grace",
        "2s",
        "--max-requests",
        "3000",
        "--keys",
        "2",
    ]);
    let took = started.elapsed();
    assert_eq!(code, Some(0), "stderr: {err}");
    assert!(took < Duration::from_secs(15), "bounded in time: {took:?}");
    let r: serde_json::Value = serde_json::from_str(&out).expect("JSON report");
    let t = &r["total"];
    let attempts = t["attempts"].as_u64().expect("attempts");
    let logical = t["logical_requests"].as_u64().expect("logical");
    let ok = t["statuses"]["200"].as_u64().unwrap_or(0);
    let throttled = t["statuses"]["429"].as_u64().unwrap_or(0);
    assert!(attempts <= 3000);
    assert_eq!(
        attempts,
        ok + throttled + t["no_response"].as_u64().unwrap_or(0)
    );
    // 100/s offered against 2 keys x 5/s: most attempts are throttled and retried
    assert!(logical > 100, "offered {logical}");
    assert!(throttled > ok, "{ok} ok, {throttled} throttled");
    assert!(
        t["retry_amplification"].as_f64().unwrap_or(0.0) > 1.5,
        "{t}"
    );
    // the server admits at most burst + rate x time per key, over the whole run incl. grace
    let secs = took.as_secs_f64();
    let bound = 2.0 * (5.0 + 5.0 * secs);
    assert!((ok as f64) <= bound, "{ok} admitted > bound {bound:.0}");
    assert_eq!(t["successes"].as_u64(), Some(ok));
    assert!(t["give_ups"]["max_attempts"].as_u64().unwrap_or(0) > 0);
    assert!(t["latency_ms"]["p50"].as_f64().is_some());
    let _ = std::fs::remove_file(&path);
}

#[test]
fn the_attempt_budget_caps_the_run() {
    let srv = Server::start(&["--keys", "2"]);
    let path = scenario_file("budget");
    let (code, out, err) = load(&[
        "--target",
        &srv.base,
        "--scenario",
        &path.to_string_lossy(),
        "--duration",
        "3s",
        "--grace",
        "1s",
        "--max-requests",
        "40",
        "--keys",
        "2",
    ]);
    assert_eq!(code, Some(0), "stderr: {err}");
    let r: serde_json::Value = serde_json::from_str(&out).expect("JSON report");
    assert_eq!(r["total"]["attempts"], 40);
    assert!(r["total"]["give_ups"]["load_budget"].as_u64().unwrap_or(0) > 0);
    let _ = std::fs::remove_file(&path);
}

#[test]
fn non_loopback_targets_are_refused_without_allow_remote() {
    let path = scenario_file("remote");
    for target in [
        "http://10.0.0.1:8080",
        "http://192.168.0.10",
        "http://example.com:80",
    ] {
        let (code, out, err) = load(&["--target", target, "--scenario", &path.to_string_lossy()]);
        assert_eq!(code, Some(2), "{target}: {out} {err}");
        assert!(err.contains("not a loopback address"), "{err}");
        assert!(out.is_empty());
    }
    let _ = std::fs::remove_file(&path);
}
