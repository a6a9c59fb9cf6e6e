//! `throttlelab load` against `throttlelab serve`: a live run writes the files of a simulated
//! run (`"mode": "live"`), `report` rebuilds its charts, the fleet's retry policy and gates
//! (the simulator's own) shape what is sent, within the run's time and attempt bounds; and
//! non-loopback targets are refused before anything is sent.

// live mode: built with the `live` feature (the default)
#![cfg(feature = "live")]

use crate::live_common;

use live_common::Server;
use serde_json::Value;
use std::path::{Path, PathBuf};
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

/// A fresh temporary directory for one test.
fn tmp(tag: &str) -> PathBuf {
    let p = std::env::temp_dir().join(format!("throttlelab-load-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&p);
    std::fs::create_dir_all(&p).expect("temp dir");
    p
}

fn write(dir: &Path, text: &str) -> PathBuf {
    let p = dir.join("scenario.in.toml");
    std::fs::write(&p, text).expect("write scenario");
    p
}

fn throttlelab(args: &[&str]) -> (Option<i32>, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_throttlelab"))
        .args(args)
        .output()
        .expect("run throttlelab");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn read_json(p: &Path) -> Value {
    let text = std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    serde_json::from_str(&text).expect("JSON")
}

/// `load` into `out`; returns the run directory.
fn load(srv: &Server, scenario: &Path, out: &Path, extra: &[&str]) -> PathBuf {
    let s = scenario.to_string_lossy();
    let o = out.to_string_lossy();
    let k = srv.keys_file.to_string_lossy();
    let mut args = vec![
        "load",
        "--target",
        &srv.base,
        "--scenario",
        &s,
        "--out",
        &o,
        "--keys-file",
        &k,
    ];
    args.extend_from_slice(extra);
    let (code, stdout, err) = throttlelab(&args);
    assert_eq!(code, Some(0), "stdout: {stdout}\nstderr: {err}");
    assert!(stdout.contains("wrote"), "{stdout}");
    let name_dir = std::fs::read_dir(out)
        .expect("out")
        .filter_map(Result::ok)
        .find(|e| e.path().is_dir())
        .expect("scenario dir")
        .path();
    std::fs::read_dir(name_dir)
        .expect("seed dir")
        .filter_map(Result::ok)
        .next()
        .expect("seed dir")
        .path()
}

#[test]
fn a_live_run_writes_a_runs_files_and_report_rebuilds_them() {
    let srv = Server::start(&["--keys", "2", "--limiter", "key:gcra rate=5/s burst=5"]);
    let dir = tmp("files");
    let scenario = write(&dir, SCENARIO);
    let started = Instant::now();
    let run = load(
        &srv,
        &scenario,
        &dir.join("out"),
        &["--duration", "2s", "--keys", "2", "--no-report"],
    );
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "bounded in time"
    );
    for f in [
        "manifest.json",
        "summary.json",
        "summary.csv",
        "timeseries.csv",
        "clients.csv",
        "tenants.csv",
        "result.json",
        "live.json",
        "scenario.toml",
    ] {
        assert!(run.join(f).is_file(), "{f} missing in {}", run.display());
    }
    // Parquet beside the CSV exactly when the build writes it
    assert_eq!(
        run.join("timeseries.parquet").is_file(),
        cfg!(feature = "parquet")
    );
    let manifest = read_json(&run.join("manifest.json"));
    assert_eq!(manifest["mode"], "live");
    assert_eq!(manifest["live"]["truncated"], false);
    let summary = read_json(&run.join("summary.json"));
    assert_eq!(summary["mode"], "live");
    assert_eq!(summary["duration_s"], 2.0);
    let t = &summary["summary"];
    let n = |k: &str| t[k].as_u64().unwrap_or_else(|| panic!("{k} in {t}"));
    // 100/s offered against 2 keys x 5/s: most attempts are throttled and retried
    assert!(n("logical_requests") > 100, "{t}");
    assert_eq!(n("attempts"), n("first_attempts") + n("retries"));
    let throttled = t["rejected"]["429"].as_u64().expect("429 column");
    assert!(throttled > n("successes"), "{t}");
    assert!(
        t["retry_amplification"].as_f64().unwrap_or(0.0) > 1.5,
        "{t}"
    );
    // the server admits at most burst + rate x time per key
    assert!(n("admitted") as f64 <= 2.0 * (5.0 + 5.0 * 2.5), "{t}");
    assert!(n("successes") <= n("admitted"));
    assert!(
        t["give_ups"]["max_attempts"].as_u64().unwrap_or(0) > 0,
        "{t}"
    );
    assert!(t["latency"]["p50_ms"].as_f64().is_some(), "{t}");
    // one time-series row per 1 s bucket, total and per fleet
    let series = std::fs::read_to_string(run.join("timeseries.csv")).expect("series");
    assert!(series.lines().count() >= 3, "{series}");

    let (code, out, err) = throttlelab(&["report", &run.to_string_lossy()]);
    assert_eq!(code, Some(0), "report: {out} {err}");
    assert!(out.contains("live run"), "{out}");
    assert!(run.join("report.html").is_file());
    // Staged and sealed like a simulated run's folder (issue #14): without its seal (a load
    // killed while writing) or with a file changed, `report` refuses it.
    report::files::complete::check(&run).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(run.join("result.json"), "{}").unwrap();
    let (code, _, err) = throttlelab(&["report", &run.to_string_lossy()]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("result.json has 2 bytes"), "{err}");
    std::fs::remove_file(run.join(report::files::complete::MARKER)).unwrap();
    let (code, _, err) = throttlelab(&["report", &run.to_string_lossy()]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("no complete.json"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_attempt_budget_caps_the_run() {
    let srv = Server::start(&["--keys", "2"]);
    let dir = tmp("budget");
    let scenario = write(&dir, SCENARIO);
    let run = load(
        &srv,
        &scenario,
        &dir.join("out"),
        &[
            "--duration",
            "3s",
            "--max-requests",
            "40",
            "--keys",
            "2",
            "--no-report",
        ],
    );
    let summary = read_json(&run.join("summary.json"));
    assert_eq!(summary["summary"]["attempts"], 40, "{summary}");
    let live = read_json(&run.join("live.json"));
    assert_eq!(live["truncated"], true);
    assert!(live["horizon_s"].as_f64().unwrap_or(9.0) < 3.0, "{live}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Every attempt fails (500); immediate retries up to 4 attempts.
const FAILING: &str = r#"
name = "live-gate-test"
duration = "60s"
[fleet.web]
count = 5
arrival = { process = "constant", rate = "10/s" }
timeout = "2s"
retry = { policy = "immediate", max_attempts = 4 }
"#;

#[test]
fn a_retry_budget_gate_limits_live_retries() {
    let srv = Server::start(&["--keys", "5", "--error-rate", "1.0"]);
    let dir = tmp("gate");
    let retries = |text: &str, tag: &str| -> (u64, u64, Value) {
        let scenario = write(&dir, text);
        let run = load(
            &srv,
            &scenario,
            &dir.join(tag),
            &["--duration", "2s", "--keys", "5", "--no-report"],
        );
        let s = read_json(&run.join("summary.json"))["summary"].clone();
        (
            s["retries"].as_u64().expect("retries"),
            s["first_attempts"].as_u64().expect("first"),
            s,
        )
    };
    let (open, first, s) = retries(FAILING, "open");
    assert!(first >= 50, "{s}");
    assert!(
        open >= 2 * first,
        "without a gate every failure is retried: {s}"
    );
    // gRPC retry throttling: 10 tokens, a failure costs 1, retries stop at half
    let gated = format!(
        "{FAILING}[[fleet.web.gates]]\nkind = \"grpc_throttle\"\nmax_tokens = 10\ntoken_ratio = 0.1\n"
    );
    let (limited, first, s) = retries(&gated, "gated");
    assert!(first >= 50, "{s}");
    assert!(
        limited <= 10,
        "the gate stops retries once its tokens are spent: {s}"
    );
    assert!(s["give_ups"]["gate"].as_u64().unwrap_or(0) > 0, "{s}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn non_loopback_targets_are_refused_without_allow_remote() {
    let dir = tmp("remote");
    let scenario = write(&dir, SCENARIO);
    for target in [
        "http://10.0.0.1:8080",
        "http://192.168.0.10",
        "http://example.com:80",
    ] {
        let (code, out, err) = throttlelab(&[
            "load",
            "--target",
            target,
            "--scenario",
            &scenario.to_string_lossy(),
        ]);
        assert_eq!(code, Some(2), "{target}: {out} {err}");
        assert!(err.contains("not a loopback address"), "{err}");
        assert!(out.is_empty());
    }
    let _ = std::fs::remove_dir_all(&dir);
}
