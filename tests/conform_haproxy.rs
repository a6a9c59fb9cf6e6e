//! `throttlelab conform --gateway haproxy` against the real HAProxy (Debian's 2.6): thousands
//! of requests, every decision must match the lab's model of the stick-table rate fed HAProxy's
//! own clock (at least 99%: see the timing note in docs/conformance.md). Skipped, with a notice, only when /usr/sbin/haproxy is absent (CI installs it).

// live mode: built with the `live` feature (the default)
#![cfg(feature = "live")]

use std::path::Path;
use std::process::Command;

const HAPROXY: &str = "/usr/sbin/haproxy";

fn conform(name: &str, cfg: &str) {
    if !Path::new(HAPROXY).exists() {
        eprintln!(
            "NOTICE: {HAPROXY} not installed; conform_haproxy skipped (apt-get install -y haproxy)"
        );
        return;
    }
    let dir =
        std::env::temp_dir().join(format!("tl-conform-haproxy-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("haproxy.cfg");
    std::fs::write(&file, cfg).unwrap();
    let out = dir.join("out");
    let o = Command::new(env!("CARGO_BIN_EXE_throttlelab"))
        .args([
            "conform",
            "--gateway",
            "haproxy",
            file.to_str().unwrap(),
            "--requests",
            "2000",
            "--streams",
            "8",
            "--seed",
            "5",
            "--out",
            out.to_str().unwrap(),
            "--min-agreement",
            "99",
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    // HAProxy decides on its own clock (now_ms = date + an offset that moves when the
    // poller wakes late on a loaded machine), the lab reads `date`: at most 1% of requests
    // may fall on the other side of a millisecond (docs/conformance.md)
    assert!(stdout.contains("agreement "), "{stdout}");
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("conform.json")).unwrap()).unwrap();
    let d = &report["gateway_decisions"];
    assert!(
        d["reject"].as_u64().unwrap() > 0 && d["pass"].as_u64().unwrap() > 0,
        "{report}"
    );
}

#[test]
fn sliding_rate_over_one_second() {
    conform(
        "1s",
        "frontend api\n    bind :8080\n    stick-table type ip size 100k expire 30s store http_req_rate(1s)\n\
         \x20   http-request track-sc0 src\n    http-request deny deny_status 429 if { sc_http_req_rate(0) gt 20 }\n",
    );
}

#[test]
fn named_acl_ge_and_a_short_period() {
    conform(
        "acl",
        "frontend api\n    bind :8080\n    stick-table type string len 32 size 1m store http_req_rate(300ms)\n\
         \x20   http-request track-sc0 req.hdr(x-api-key)\n    acl fast sc0_http_req_rate ge 6\n    http-request deny if fast\n",
    );
}

/// `conn_cur`: overlapping held requests (the lab's backend holds each 20-300 ms) against the
/// lab's concurrency level fed each request's check and end dates from HAProxy's log. The only
/// disagreements allowed are orders HAProxy's millisecond date cannot tell (a start in the
/// same millisecond as another start or end of its key; docs/conformance.md).
#[test]
fn conn_cur_with_held_requests() {
    if !Path::new(HAPROXY).exists() {
        eprintln!("NOTICE: {HAPROXY} not installed; conform_haproxy skipped");
        return;
    }
    let dir = std::env::temp_dir().join(format!("tl-conform-haproxy-{}-conn", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("haproxy.cfg");
    std::fs::write(
        &file,
        "frontend api\n    bind :8080\n    stick-table type string len 32 size 100k expire 30s store conn_cur\n\
         \x20   http-request track-sc0 req.hdr(x-api-key)\n    http-request deny deny_status 429 if { sc_conn_cur(0) gt 2 }\n",
    )
    .unwrap();
    let out = dir.join("out");
    let o = Command::new(env!("CARGO_BIN_EXE_throttlelab"))
        .args(["conform", "--gateway", "haproxy", file.to_str().unwrap()])
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
        "a disagreement not explained by the order within a millisecond: {report}"
    );
}
