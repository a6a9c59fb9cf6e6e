//! `throttlelab run` through the real binary: the files it writes (tables, charts and
//! `report.html` unless `--no-report`), byte-identical across two runs of the same scenario
//! and seed, and exit code 2 on bad input.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const FILES: [&str; 10] = [
    "manifest.json",
    "summary.json",
    "summary.csv",
    "timeseries.csv",
    "clients.csv",
    "tenants.csv",
    "report.html",
    "charts/timeline.png",
    "charts/timeline.svg",
    "charts/latency_time.png",
];

fn scenario(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(name)
}

fn tmp(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("throttlelab-cli-run-{}-{tag}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

fn run(args: &[&std::ffi::OsStr]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_throttlelab"))
        .arg("run")
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn same_scenario_and_seed_give_byte_identical_files() {
    for name in ["calm.toml", "retry-storm.toml"] {
        let (a, b) = (tmp(&format!("a-{name}")), tmp(&format!("b-{name}")));
        for out in [&a, &b] {
            let o = run(&[
                scenario(name).as_os_str(),
                "--out".as_ref(),
                out.as_os_str(),
                "--quiet".as_ref(),
            ]);
            assert_eq!(
                o.status.code(),
                Some(0),
                "{}",
                String::from_utf8_lossy(&o.stderr)
            );
            assert!(o.stdout.is_empty(), "--quiet prints nothing");
        }
        let stem = name.trim_end_matches(".toml");
        for f in FILES {
            let pa = a.join(stem).join("42").join(f);
            let pb = b.join(stem).join("42").join(f);
            let (x, y) = (std::fs::read(&pa).unwrap(), std::fs::read(&pb).unwrap());
            assert!(!x.is_empty(), "{}", pa.display());
            assert!(x == y, "{} differs between two identical runs", f);
        }
        let _ = (std::fs::remove_dir_all(&a), std::fs::remove_dir_all(&b));
    }
}

#[test]
fn run_prints_the_table_and_writes_a_manifest_with_hash_seed_and_version() {
    let out = tmp("manifest");
    let o = run(&[
        scenario("retry-storm.toml").as_os_str(),
        "--seed".as_ref(),
        "7".as_ref(),
        "--out".as_ref(),
        out.as_os_str(),
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let stdout = String::from_utf8_lossy(&o.stdout);
    for needle in [
        "offered/s",
        "amplif.",
        "goodput/s",
        "p99 ms",
        "Jain",
        "nojitter",
        "jitter",
        "503:",
    ] {
        assert!(
            stdout.contains(needle),
            "`{needle}` missing from:\n{stdout}"
        );
    }
    let dir = out.join("retry-storm").join("7");
    assert!(stdout.contains("report.html"), "{stdout}");
    for chart in ["timeline", "latency_time", "retry_delays", "arrivals"] {
        assert!(
            dir.join("charts").join(format!("{chart}.png")).is_file(),
            "{chart}"
        );
    }
    let m: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(m["scenario"], "retry-storm");
    assert_eq!(m["seed"], 7);
    assert_eq!(m["throttlelab_version"], env!("CARGO_PKG_VERSION"));
    let hash = m["scenario_sha256"].as_str().unwrap();
    assert_eq!(hash.len(), 64);
    assert!(hash.bytes().all(|b| b.is_ascii_hexdigit()));
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["seed"], 7);
    assert!(summary["fleets"]["nojitter"]["attempts"].as_u64().unwrap() > 0);
    // summary.csv: a header, one row per fleet, an `all` row.
    let csv = std::fs::read_to_string(dir.join("summary.csv")).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 4, "{csv}");
    assert!(lines[0].starts_with("fleet,clients,logical_requests,offered_rps"));
    assert!(lines[3].starts_with("all,400,"));
    // timeseries.csv: one row per 1 s bucket of 180 s, for `all` and each of 2 fleets.
    let ts = std::fs::read_to_string(dir.join("timeseries.csv")).unwrap();
    assert_eq!(
        ts.lines().count(),
        1 + 3 * 180,
        "{}",
        &ts[..200.min(ts.len())]
    );
    let clients = std::fs::read_to_string(dir.join("clients.csv")).unwrap();
    assert_eq!(clients.lines().count(), 1 + 400);
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn no_report_writes_the_tables_only() {
    let out = tmp("no-report");
    let o = run(&[
        scenario("calm.toml").as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
        "--no-report".as_ref(),
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let dir = out.join("calm").join("42");
    assert!(dir.join("summary.json").is_file());
    assert!(!dir.join("report.html").exists());
    assert!(!dir.join("charts").exists());
    assert!(!String::from_utf8_lossy(&o.stdout).contains("report.html"));
    // the scenario's copy is kept: `report` draws the charts later, as `run` would have
    assert!(dir.join("scenario.toml").is_file());
    let r = Command::new(env!("CARGO_BIN_EXE_throttlelab"))
        .arg("report")
        .arg(&dir)
        .output()
        .unwrap();
    assert_eq!(
        r.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&r.stderr)
    );
    assert!(dir.join("report.html").is_file() && dir.join("charts/timeline.svg").is_file());
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn a_different_seed_gives_different_results() {
    let out = tmp("seeds");
    for seed in ["1", "2"] {
        let o = run(&[
            scenario("calm.toml").as_os_str(),
            "--seed".as_ref(),
            seed.as_ref(),
            "--out".as_ref(),
            out.as_os_str(),
            "--quiet".as_ref(),
        ]);
        assert_eq!(o.status.code(), Some(0));
    }
    let a = std::fs::read(out.join("calm/1/clients.csv")).unwrap();
    let b = std::fs::read(out.join("calm/2/clients.csv")).unwrap();
    assert_ne!(a, b);
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn bad_input_exits_2_and_writes_nothing() {
    let out = tmp("bad");
    let bad = scenario("bad/fleet-count-zero.toml");
    let o = run(&[bad.as_os_str(), "--out".as_ref(), out.as_os_str()]);
    assert_eq!(o.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr.contains("fleet-count-zero.toml:") && stderr.contains("at least 1"),
        "{stderr}"
    );
    assert!(!out.exists());
    let o = run(&["no/such/file.toml".as_ref()]);
    assert_eq!(o.status.code(), Some(2));
    let o = run(&[
        scenario("calm.toml").as_os_str(),
        "--seed".as_ref(),
        "-3".as_ref(),
    ]);
    assert_eq!(o.status.code(), Some(2), "a negative seed is a flag error");
}

/// Bug: `throttlelab run … | head` panicked with "failed printing to stdout: Broken pipe". A
/// reader that closes the pipe early must not turn a finished run into a panic or a failure.
#[test]
fn run_into_a_closed_pipe_does_not_panic() {
    let out = tmp("closed-pipe");
    let mut child = Command::new(env!("CARGO_BIN_EXE_throttlelab"))
        .arg("run")
        .arg(scenario("calm.toml"))
        .arg("--no-report")
        .arg("--out")
        .arg(&out)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn throttlelab");
    // close the read end before the run has printed anything (the simulation takes a while)
    drop(child.stdout.take());
    let result = child.wait_with_output().expect("wait for throttlelab");
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert!(!stderr.contains("panicked"), "run panicked: {stderr}");
    assert!(
        result.status.success(),
        "exit {:?}: {stderr}",
        result.status
    );
    let _ = std::fs::remove_dir_all(&out);
}
