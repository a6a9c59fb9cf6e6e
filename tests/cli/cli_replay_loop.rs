//! `throttlelab replay --closed-loop` through the real binary, on the shipped sample log (a
//! server with a 4/s, burst 20 token bucket per organisation wrote it, its clients retried
//! after 1, 2 and 4 s: `scripts/gen-sample-log.py`) and the candidates of `examples/limits/`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root(p: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(p)
}

fn sample(extra: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_throttlelab"))
        .arg("replay")
        .arg(root("examples/logs/sample-access.log.gz"))
        .arg("--limits")
        .args(["org-4s", "org-2s"].map(|n| root(&format!("examples/limits/{n}.toml"))))
        .args([
            "--tenant",
            "path:/v1/orgs/{org}/...",
            "--retry-window",
            "10s",
        ])
        .args(extra)
        .output()
        .unwrap()
}

fn stdout(o: &Output) -> String {
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// The closed-loop row of `name`: (static, closed loop, retries induced, lost).
fn closed_row(out: &str, name: &str) -> (u64, u64, i64, i64) {
    let at = out.find("closed loop:").expect("a closed-loop section");
    let line = out[at..]
        .lines()
        .find(|l| l.split_whitespace().next() == Some(name))
        .unwrap_or_else(|| panic!("no closed-loop row {name} in\n{out}"));
    let w: Vec<i64> = line
        .split_whitespace()
        .skip(1)
        .take(5)
        .map(|v| v.replace([',', '+'], "").parse().unwrap())
        .collect();
    (w[0] as u64, w[1] as u64, w[3], w[4])
}

#[test]
fn the_limit_that_wrote_the_log_reproduces_its_refusals_in_the_closed_loop() {
    let out = stdout(&sample(&["--closed-loop"]));
    // 7,132 lines: 2,140 are the retries of the 2,729 refusals (589 chains gave up after 4).
    assert!(
        out.contains("4,992 original requests replayed") && out.contains("2,140 logged retries"),
        "{out}"
    );
    assert!(out.contains("exponential base 1.000 s"), "{out}");
    let (st, closed, retries, lost) = closed_row(&out, "org-4s");
    assert_eq!(st, 2_730);
    // The log's own 429s: 2,729; its retries 2,140; its give-ups 589.
    assert!(closed.abs_diff(2_729) * 100 <= 2_729 * 3, "{closed}");
    assert!((retries - 2_140).abs() * 100 <= 2_140 * 3, "{retries}");
    assert!((lost - 589).abs() * 100 <= 589 * 3, "{lost}");
}

#[test]
fn a_tighter_limit_refuses_more_than_the_static_count_because_the_retries_meet_it_again() {
    let out = stdout(&sample(&["--closed-loop"]));
    let (st, closed, retries, lost) = closed_row(&out, "org-2s");
    assert_eq!(st, 3_046);
    assert!(closed > st * 11 / 10, "closed {closed} static {st}");
    assert!(retries > 2_140 && lost > 589, "{retries} {lost}");
    assert!(
        out.contains("under `org-2s` the closed loop counts")
            && out.contains("more than the static"),
        "{out}"
    );
    // acme, never refused in the log, is hurt under org-2s.
    let hurt = &out[out.find("who gets hurt under `org-2s`").unwrap()..];
    assert!(
        hurt.lines().any(|l| l.trim_start().starts_with("acme ")),
        "{hurt}"
    );
}

#[test]
fn same_seed_same_bytes_another_seed_other_draws() {
    let a = stdout(&sample(&["--closed-loop", "--seed", "5"]));
    let b = stdout(&sample(&["--closed-loop", "--seed", "5"]));
    assert_eq!(a, b);
    let c = stdout(&sample(&["--closed-loop", "--seed", "6"]));
    assert_ne!(closed_row(&a, "org-2s"), closed_row(&c, "org-2s"));
}

#[test]
fn out_has_parquet_csv_and_a_report_with_the_verdict_first() {
    let dir = std::env::temp_dir().join(format!("cli-replay-loop-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let out = sample(&["--closed-loop", "--out", dir.to_str().unwrap()]);
    stdout(&out);
    for stem in [
        "closed_summary",
        "closed_tenants",
        "closed_clients",
        "closed_classes",
    ] {
        assert_eq!(
            dir.join(format!("{stem}.parquet")).is_file(),
            report::tables::PARQUET,
            "{stem}: Parquet exactly in a build with it"
        );
        assert!(dir.join(format!("{stem}.csv")).is_file(), "{stem}");
    }
    let csv = std::fs::read_to_string(dir.join("closed_summary.csv")).unwrap();
    assert!(
        csv.starts_with("candidate,static_refused,refused,difference,"),
        "{csv}"
    );
    assert_eq!(csv.lines().count(), 3);
    // Latency added per client: the mean of its successes' latency against the run without the
    // levels; under the tighter `org-2s` the retries it causes make some client slower.
    let clients = std::fs::read_to_string(dir.join("closed_clients.csv")).unwrap();
    let header: Vec<&str> = clients.lines().next().unwrap().split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let (cand, added) = (col("candidate"), col("latency_mean_added_ms"));
    let slower = clients
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect::<Vec<_>>())
        .filter(|r| r[cand] == "org-2s")
        .filter_map(|r| r[added].parse::<f64>().ok())
        .filter(|ms| *ms > 0.0)
        .count();
    assert!(slower > 0, "no client slower under org-2s:\n{clients}");
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    let verdict = html.find("id=\"headline\"").expect("a verdict");
    assert!(verdict < html.find("id=\"candidates\"").unwrap());
    assert!(html[verdict..].contains("`org-2s` refuses most"), "{html}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_bad_assumed_policy_is_exit_2_with_a_sentence() {
    let o = sample(&["--closed-loop", "--assume-retry", "policy = \"sometimes\""]);
    assert_eq!(o.status.code(), Some(2));
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(e.contains("--assume-retry `policy = \"sometimes\"`"), "{e}");
    let o = sample(&["--assume-retry", "policy = \"none\""]);
    assert_eq!(o.status.code(), Some(2), "needs --closed-loop");
}

#[test]
fn gateway_configurations_are_candidates_read_as_from_reads_them() {
    let gw = |f: &str| root(&format!("examples/gateways/{f}"));
    let o = Command::new(env!("CARGO_BIN_EXE_throttlelab"))
        .arg("replay")
        .arg(root("examples/logs/sample-access.log.gz"))
        .arg("--limits")
        .args([
            gw("nginx.conf"),
            gw("haproxy.cfg"),
            gw("kong-rate-limiting.yaml"),
        ])
        .args(["--tenant", "path:/v1/orgs/{org}/...", "--closed-loop"])
        .args(["--retry-window", "10s"])
        .output()
        .unwrap();
    let out = stdout(&o);
    // HAProxy's 50 per 10 s per address: the logged traffic exceeds it only with the retries
    // the old limit caused (2,413 static refusals); the original requests alone never do, so
    // in the closed loop nothing is refused and nothing retried.
    assert_eq!(closed_row(&out, "haproxy.cfg"), (2_413, 0, 0, 0), "{out}");
    assert_eq!(closed_row(&out, "nginx.conf").1, 0, "{out}");
    // Kong's per-organisation limit bites the burst job either way.
    let (st, kong, retries, _) = closed_row(&out, "kong-rate-limiting.yaml");
    assert!(st > 2_000 && kong > 1_000 && retries > 1_000, "{out}");

    let dir = std::env::temp_dir().join(format!("cli-replay-gw-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.conf");
    std::fs::write(&bad, "http {\n  limit_req_zone x\n").unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_throttlelab"))
        .arg("replay")
        .arg(root("examples/logs/sample-access.log.gz"))
        .arg("--limits")
        .arg(&bad)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(
        e.contains("bad.conf:2:3:"),
        "the gateway file's own line and column: {e}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
