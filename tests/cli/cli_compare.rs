//! `throttlelab compare` through the real binary: the same seeds for both variants (so a
//! scenario compared with itself differs by exactly zero), paired differences that match the
//! runs table, and exit code 2 on bad input.

use report::tables::{read_table, Cell, Table};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn variant(name: &str, policy: &str) -> String {
    format!(
        r#"name = "{name}"
seed = 5
duration = "30s"

[[faults]]
kind = "error_rate"
start = "0s"
duration = "30s"
status = 503
rate = 0.3

[fleet.web]
count = 30
arrival = {{ process = "poisson", rate = "2/s" }}
timeout = "2s"
[fleet.web.retry]
policy = "{policy}"
"#
    )
}

fn tmp(tag: &str) -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("cli-compare-{tag}"));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn throttlelab(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_throttlelab"))
        .args(args)
        .output()
        .unwrap()
}

fn write(dir: &Path, file: &str, text: &str) -> String {
    let p = dir.join(file);
    std::fs::write(&p, text).unwrap();
    p.to_str().unwrap().to_string()
}

fn figure(t: &Table, name: &str) -> Vec<Cell> {
    let figs = t.column("figure").unwrap();
    let row = figs
        .iter()
        .position(|c| *c == Cell::Str(name.into()))
        .unwrap_or_else(|| panic!("no row {name}"));
    t.names()
        .iter()
        .map(|n| t.column(n).unwrap()[row].clone())
        .collect()
}

#[test]
fn retries_against_errors_raise_success_and_load() {
    let dir = tmp("retries");
    let a = write(&dir, "none.toml", &variant("no-retry", "none"));
    let b = write(&dir, "exp.toml", &variant("retry", "exponential"));
    let out = dir.join("out");
    let o = throttlelab(&[
        "compare",
        &a,
        &b,
        "--seeds",
        "4",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.starts_with("A = no-retry"), "{text}");
    assert!(text.contains("success_ratio"), "{text}");

    let d = out.join("compare-no-retry-vs-retry");
    let runs = read_table(&d, "runs", None).unwrap();
    assert_eq!(runs.len(), 8);
    assert_eq!(
        runs.column("seed").unwrap()[..4],
        runs.column("seed").unwrap()[4..],
        "same seeds"
    );
    assert_eq!(
        runs.column("variant").unwrap()[0],
        Cell::Str("no-retry".into())
    );

    let cmp = read_table(&d, "compare", None).unwrap();
    assert_eq!(
        cmp.names()[..4],
        ["figure", "a_mean", "b_mean", "diff_mean"]
    );
    let amp = figure(&cmp, "retry_amplification");
    let (a_mean, b_mean) = (amp[1].as_f64().unwrap(), amp[2].as_f64().unwrap());
    assert_eq!(a_mean, 1.0, "no retries: one attempt per request");
    assert!(
        b_mean > 1.2,
        "retries against 30% errors amplify load: {b_mean}"
    );
    assert_eq!(amp[8], Cell::Bool(true), "significant");
    // The paired mean difference is the difference of the means over the same seeds.
    let col = runs.column("success_ratio").unwrap();
    let m = |r: &[Cell]| r.iter().map(|c| c.as_f64().unwrap()).sum::<f64>() / 4.0;
    let sr = figure(&cmp, "success_ratio");
    assert!((sr[3].as_f64().unwrap() - (m(&col[4..]) - m(&col[..4]))).abs() < 1e-9);
    assert_eq!(sr[7], Cell::I64(4), "counts read back as Int64");

    // The report: verdicts with intervals, the forest plot, and `report DIR` rebuilds it.
    let html = std::fs::read_to_string(d.join("report.html")).unwrap();
    assert!(html.contains("<h1>no-retry vs retry</h1>"), "heading");
    let row = html
        .split("<tr")
        .find(|r| r.contains("<td>retry_amplification</td>"))
        .expect("amplification row");
    assert!(row.contains("class=\"worse\""), "{row}");
    assert!(row.contains("B worse"), "{row}");
    let row = html
        .split("<tr")
        .find(|r| r.contains("<td>success_ratio</td>"))
        .expect("success row");
    assert!(row.contains("B better"), "{row}");
    assert!(html.contains("id=\"chart-compare_changes\""));
    assert!(d.join("charts/compare_changes.png").is_file());
    std::fs::remove_file(d.join("report.html")).unwrap();
    let o = throttlelab(&["report", d.to_str().unwrap()]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(
        std::fs::read_to_string(d.join("report.html")).unwrap(),
        html
    );
}

#[test]
fn a_scenario_compared_with_itself_differs_by_zero() {
    let dir = tmp("self");
    let a = write(&dir, "a.toml", &variant("same", "exponential"));
    let out = dir.join("out");
    let o = throttlelab(&[
        "compare",
        &a,
        &a,
        "--seeds",
        "3",
        "--out",
        out.to_str().unwrap(),
        "--quiet",
        "--no-timeseries",
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let d = out.join("compare-same-vs-same-b");
    assert!(!d.join("timeseries.parquet").exists());
    let cmp = read_table(&d, "compare", None).unwrap();
    let pairs = cmp.column("pairs").unwrap();
    for (i, diff) in cmp.column("diff_mean").unwrap().iter().enumerate() {
        // A figure no run produced (time to recover when none recovered) has no pair.
        let expect = if pairs[i] == Cell::I64(0) {
            None
        } else {
            Some(0.0)
        };
        assert_eq!(diff.as_f64(), expect, "row {i}");
        assert_eq!(cmp.column("significant").unwrap()[i], Cell::Bool(false));
    }
}

#[test]
fn bad_input_exits_2() {
    let dir = tmp("bad");
    let a = write(&dir, "a.toml", &variant("a", "exponential"));
    let broken = write(&dir, "b.toml", &variant("b", "sometimes"));
    let o = throttlelab(&["compare", &a, &broken]);
    assert_eq!(o.status.code(), Some(2));
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(e.contains("b.toml:"), "file position for a file error: {e}");
    let o = throttlelab(&["compare", &a, &a, "--seeds", "0"]);
    assert_eq!(o.status.code(), Some(2));
    let o = throttlelab(&["compare", &a, "missing.toml"]);
    assert_eq!(o.status.code(), Some(2));
}
