//! `throttlelab conform --gateway nginx` against the real nginx (Debian's nginx-light):
//! thousands of requests, every decision must match the lab's model fed nginx's own clock.
//! Skipped, with a notice, only when /usr/sbin/nginx is absent (CI installs it).

// live mode: built with the `live` feature (the default)
#![cfg(feature = "live")]

use std::path::Path;
use std::process::Command;

const NGINX: &str = "/usr/sbin/nginx";

fn conform(name: &str, conf: &str) {
    if !Path::new(NGINX).exists() {
        eprintln!(
            "NOTICE: {NGINX} not installed; conform_nginx skipped (apt-get install -y nginx-light)"
        );
        return;
    }
    let dir = std::env::temp_dir().join(format!("tl-conform-nginx-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("nginx.conf");
    std::fs::write(&file, conf).unwrap();
    let out = dir.join("out");
    let o = Command::new(env!("CARGO_BIN_EXE_throttlelab"))
        .args([
            "conform",
            "--gateway",
            "nginx",
            file.to_str().unwrap(),
            "--requests",
            "2000",
            "--streams",
            "8",
            "--seed",
            "3",
            "--out",
            out.to_str().unwrap(),
            "--min-agreement",
            "100",
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(
        stdout.contains("agreement 100.0000% (2000 of 2000)"),
        "{stdout}"
    );
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("conform.json")).unwrap()).unwrap();
    let d = &report["gateway_decisions"];
    // the streams reach the limit: nginx refused some requests and passed others
    assert!(
        d["reject"].as_u64().unwrap() > 0 && d["pass"].as_u64().unwrap() > 0,
        "{report}"
    );
    assert!(std::fs::read_to_string(out.join("conform.md"))
        .unwrap()
        .contains("| nginx"));
}

#[test]
fn nodelay_burst_enforcing() {
    conform(
        "nodelay",
        "http { limit_req_zone $binary_remote_addr zone=a:1m rate=100r/s;\n\
         limit_req_status 429;\n server { location / { limit_req zone=a burst=4 nodelay; } } }\n",
    );
}

#[test]
fn delay_in_dry_run() {
    conform(
        "delay",
        "http { limit_req_zone $binary_remote_addr zone=a:1m rate=150r/s;\n\
         server { location / { limit_req zone=a burst=6 delay=2; } } }\n",
    );
}

#[test]
fn no_burst_and_a_per_minute_rate() {
    // 6000r/m: rate 100000/1000; with burst 0 one request per 10 ms per key
    conform(
        "perminute",
        "http { limit_req_zone $binary_remote_addr zone=a:1m rate=6000r/m;\n\
         server { location / { limit_req zone=a; } } }\n",
    );
}

/// `limit_conn`: overlapping held requests (the lab's backend holds each 20-300 ms) against
/// the lab's concurrency level fed each request's start and end from nginx's access log. The
/// only disagreements allowed are a request starting in the very millisecond another of its
/// key ended (nginx's clock cannot order the two; docs/conformance.md).
#[test]
fn limit_conn_with_held_requests() {
    if !Path::new(NGINX).exists() {
        eprintln!("NOTICE: {NGINX} not installed; conform_nginx skipped");
        return;
    }
    let dir = std::env::temp_dir().join(format!("tl-conform-nginx-{}-conn", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("nginx.conf");
    std::fs::write(
        &file,
        "http { limit_conn_zone $binary_remote_addr zone=c:1m; limit_conn_status 429;\n\
         server { location / { limit_conn c 2; } } }\n",
    )
    .unwrap();
    let out = dir.join("out");
    let o = Command::new(env!("CARGO_BIN_EXE_throttlelab"))
        .args(["conform", "--gateway", "nginx", file.to_str().unwrap()])
        .args(["--requests", "1600", "--streams", "8", "--seed", "3"])
        .args(["--out", out.to_str().unwrap(), "--min-agreement", "98"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("conform.json")).unwrap()).unwrap();
    let d = &report["gateway_decisions"];
    assert!(
        d["reject"].as_u64().unwrap() > 100 && d["pass"].as_u64().unwrap() > 100,
        "{report}"
    );
    let disagreeing = report["requests"].as_u64().unwrap() - report["agreed"].as_u64().unwrap();
    assert_eq!(
        report["disagreements_within_1ms_of_the_gateway_clock"].as_u64(),
        Some(disagreeing),
        "a disagreement not explained by a same-millisecond end and start: {report}"
    );
}

/// `--measure-delays`: nginx enforces the delays and the time it held each delayed request
/// (`$request_time`) is compared with the model's delay. nginx's timer can fire late (the
/// worker wakes when the machine lets it) but never early, so no request may be held for less
/// than the model predicts, and on time (difference 0) must be the most common case.
#[test]
fn delay_lengths_measured() {
    if !Path::new(NGINX).exists() {
        eprintln!("NOTICE: {NGINX} not installed; conform_nginx skipped");
        return;
    }
    let dir = std::env::temp_dir().join(format!("tl-conform-nginx-{}-len", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("nginx.conf");
    std::fs::write(
        &file,
        "http { limit_req_zone $binary_remote_addr zone=a:1m rate=150r/s;\n\
         server { location / { limit_req zone=a burst=6 delay=2; } } }\n",
    )
    .unwrap();
    let out = dir.join("out");
    let o = Command::new(env!("CARGO_BIN_EXE_throttlelab"))
        .args(["conform", "--gateway", "nginx", file.to_str().unwrap()])
        .args(["--requests", "2000", "--streams", "8", "--seed", "3"])
        .args(["--out", out.to_str().unwrap(), "--min-agreement", "99"])
        .arg("--measure-delays")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(stdout.contains("enforcing, delays measured"), "{stdout}");
    let d: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("delays.json")).unwrap()).unwrap();
    assert!(
        d["delayed_requests_compared"].as_u64().unwrap() > 200,
        "{d}"
    );
    let diffs = d["measured_minus_predicted_ms"].as_object().unwrap();
    let early: Vec<_> = diffs.keys().filter(|k| k.starts_with('-')).collect();
    assert!(early.is_empty(), "held shorter than the model's delay: {d}");
    let on_time = diffs.get("0").and_then(|v| v.as_u64()).unwrap_or(0);
    assert!(
        diffs.values().all(|v| v.as_u64().unwrap() <= on_time),
        "{d}"
    );
}
