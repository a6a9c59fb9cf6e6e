//! The experiment subcommands run as a user would: `throttlelab layers` (experiment 8) and
//! `throttlelab occ` (experiment 1), at reduced size, checked for their qualitative result;
//! bad flags exit with code 2.

use std::process::{Command, Output};

fn throttlelab(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_throttlelab"))
        .args(args)
        .output()
        .expect("the binary runs")
}

/// A fresh output root for one test.
fn out_dir(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("cli-exp-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

fn stdout(args: &[&str]) -> String {
    // Files go to a temporary root of their own unless the test names one.
    static CALLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let tmp = out_dir(&format!("default-{n}"));
    let mut args = args.to_vec();
    if !args.contains(&"--out") {
        args.extend(["--out", tmp.to_str().expect("UTF-8 temp dir")]);
    }
    let out = throttlelab(&args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

/// The numeric columns of the table row whose first column is `first` (and second `second`).
fn row(text: &str, first: &str, second: Option<&str>) -> Vec<f64> {
    let line = text
        .lines()
        .find(|l| {
            let mut w = l.split_whitespace();
            w.next() == Some(first) && second.is_none_or(|s| w.next() == Some(s))
        })
        .unwrap_or_else(|| panic!("no row {first} {second:?} in\n{text}"));
    line.split_whitespace()
        .filter_map(|w| w.parse().ok())
        .collect()
}

#[test]
fn layers_amplify_an_always_failing_bottom_three_to_the_fifth() {
    let text = stdout(&["layers", "--p", "0,0.5,1", "--requests", "200"]);
    assert!(text.contains("up to 243 bottom calls"), "{text}");
    // p, expected calls, simulated calls, expected failure, simulated failure
    assert_eq!(row(&text, "1", None), vec![1.0, 243.0, 243.0, 1.0, 1.0]);
    let half = row(&text, "0.5", None);
    assert!(
        (half[1] - 2.0).abs() < 0.01 && (half[2] - 2.0).abs() < 0.3,
        "{half:?}"
    );
    assert_eq!(row(&text, "0", None)[1..3], [1.0, 1.0]);
}

#[test]
fn occ_jitter_needs_fewer_writes_than_plain_exponential_backoff() {
    let text = stdout(&["occ", "--clients", "60", "--seeds", "3"]);
    let writes = |s: &str| row(&text, s, Some("60"))[1];
    let plain = writes("exponential");
    for s in ["full", "equal", "decorrelated"] {
        assert!(
            writes(s) * 1.3 < plain,
            "{s}: {} vs {plain}\n{text}",
            writes(s)
        );
    }
    assert!(writes("none") > plain * 0.8, "{text}");
}

#[test]
fn occ_writes_every_run_and_charts_with_a_hundred_runs_by_default() {
    let dir = out_dir("occ");
    let text = stdout(&[
        "occ",
        "--clients",
        "5,10",
        "--strategies",
        "full,none",
        "--out",
        dir.to_str().unwrap(),
    ]);
    assert!(text.contains("occ.csv"), "{text}");
    let occ = dir.join("occ");
    let csv = std::fs::read_to_string(occ.join("occ.csv")).unwrap();
    // 2 strategies x 2 client counts x 100 seeds, and a header.
    assert_eq!(csv.lines().count(), 401);
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(occ.join("occ.json")).unwrap()).unwrap();
    assert_eq!(json["parameters"]["seeds"], 100);
    assert_eq!(json["rows"].as_array().unwrap().len(), 400);
    for c in ["occ_writes", "occ_completion"] {
        for ext in ["svg", "png"] {
            assert!(
                occ.join("charts").join(format!("{c}.{ext}")).exists(),
                "{c}.{ext}"
            );
        }
    }
    // Written aside and sealed whole, like every results folder (issue #14).
    report::files::complete::check(&occ).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn layers_writes_its_rows_and_a_chart() {
    let dir = out_dir("layers");
    stdout(&[
        "layers",
        "--p",
        "0,0.5,1",
        "--requests",
        "100",
        "--seed",
        "4",
        "--out",
        dir.to_str().unwrap(),
    ]);
    let l = dir.join("layers");
    let csv = std::fs::read_to_string(l.join("layers.csv")).unwrap();
    assert_eq!(csv.lines().count(), 4, "{csv}");
    assert!(
        csv.lines()
            .nth(3)
            .unwrap()
            .starts_with("1.0,4,100,243.0,243.0,"),
        "{csv}"
    );
    assert!(l.join("layers.json").exists());
    assert!(
        l.join("charts/layers_calls.svg").exists() && l.join("charts/layers_calls.png").exists()
    );
    report::files::complete::check(&l).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn bad_flags_exit_with_code_two() {
    for args in [
        &["layers", "--p", "1.5"][..],
        &["layers", "--attempts", "0,3"],
        &["occ", "--strategies", "fulll"],
        &["occ", "--clients", "0"],
        &["occ", "--base", "5"],
    ] {
        let out = throttlelab(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {out:?}");
    }
}
