//! `throttlelab compare DIR_A DIR_B` through the real binary: a live run's directory compares
//! with a simulated one (issue #7: `load` writes the run layout "so that report and compare
//! work on it"), two simulated runs are rebuilt from their scenario copies, and runs of
//! different lengths are refused with exit code 2 instead of comparing rates that do not
//! compare.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn tmp(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!(
        "throttlelab-compare-runs-{}-{tag}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&d);
    d
}

fn throttlelab(args: &[&str], out: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_throttlelab"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(args)
        .arg("--out")
        .arg(out)
        .output()
        .unwrap()
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// The `total` row of `figure` in comparison.csv: (a, b).
fn total(csv: &str, figure: &str) -> (f64, f64) {
    let line = csv
        .lines()
        .find(|l| l.contains(&format!(",total,{figure},")))
        .unwrap_or_else(|| panic!("no total {figure} row in\n{csv}"));
    let cells: Vec<&str> = line.split(',').collect();
    (cells[5].parse().unwrap(), cells[6].parse().unwrap())
}

#[test]
#[cfg(feature = "live")]
fn a_live_run_compares_with_its_simulation() {
    let out = tmp("live");
    let o = throttlelab(
        &["check-live", "scenarios/calm.toml", "--duration", "3s"],
        &out,
    );
    assert!(o.status.success(), "{}", text(&o));
    let dir = out.join("calm").join("check-live");
    let (sim, live) = (dir.join("sim"), dir.join("live"));
    let o = Command::new(env!("CARGO_BIN_EXE_throttlelab"))
        .args(["compare"])
        .arg(&sim)
        .arg(&live)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o));
    let printed = text(&o);
    assert!(printed.contains("recorded"), "{printed}");
    let csv =
        std::fs::read_to_string(out.join("compare-runs-calm-sim-vs-calm-live/comparison.csv"))
            .unwrap();
    assert!(
        csv.starts_with("scenario,seed,duration_s,fleet,figure,a,b,"),
        "{csv}"
    );
    // calm at 200 requests a second for 3 s: both sides see the same schedule
    let (a, b) = total(&csv, "logical requests");
    assert!(a > 500.0 && (a - b).abs() / a < 0.05, "{a} vs {b}");
    let (a, b) = total(&csv, "admitted");
    assert!(a > 500.0 && (a - b).abs() / a < 0.05, "{a} vs {b}");
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn simulated_runs_are_rebuilt_and_a_run_equals_itself() {
    let out = tmp("sim");
    for seed in ["1", "2"] {
        let o = throttlelab(&["run", "scenarios/calm.toml", "--seed", seed], &out);
        assert!(o.status.success(), "{}", text(&o));
    }
    let run = |a: &str, b: &str| {
        Command::new(env!("CARGO_BIN_EXE_throttlelab"))
            .arg("compare")
            .arg(out.join("calm").join(a))
            .arg(out.join("calm").join(b))
            .arg("--out")
            .arg(&out)
            .output()
            .unwrap()
    };
    let o = run("1", "1");
    assert!(o.status.success(), "{}", text(&o));
    let csv =
        std::fs::read_to_string(out.join("compare-runs-calm-1-vs-calm-1/comparison.csv")).unwrap();
    let (a, b) = total(&csv, "attempts");
    assert!(a > 10_000.0 && a == b, "{a} vs {b}");
    // A run compared with itself: the report opens with "Yes" (issue #12).
    let html =
        std::fs::read_to_string(out.join("compare-runs-calm-1-vs-calm-1/report.html")).unwrap();
    assert!(html.contains("Yes: B agrees with A within 5%"), "{html}");
    let o = run("1", "2");
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("re-simulated, seed 2"), "{}", text(&o));
    let csv =
        std::fs::read_to_string(out.join("compare-runs-calm-1-vs-calm-2/comparison.csv")).unwrap();
    let (a, b) = total(&csv, "attempts");
    assert!(
        a != b,
        "different seeds draw different arrivals: {a} vs {b}"
    );
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
#[cfg(feature = "live")]
fn runs_of_different_lengths_are_refused() {
    let out = tmp("len");
    let o = throttlelab(
        &["check-live", "scenarios/calm.toml", "--duration", "2s"],
        &out,
    );
    assert!(o.status.success(), "{}", text(&o));
    let o = throttlelab(&["run", "scenarios/calm.toml"], &out);
    assert!(o.status.success(), "{}", text(&o));
    let o = Command::new(env!("CARGO_BIN_EXE_throttlelab"))
        .arg("compare")
        .arg(out.join("calm/42"))
        .arg(out.join("calm/check-live/live"))
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("same length"), "{}", text(&o));
    // a run directory and a scenario file do not compare
    let o = Command::new(env!("CARGO_BIN_EXE_throttlelab"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .arg("compare")
        .arg(out.join("calm/42"))
        .arg("scenarios/calm.toml")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("not one of each"), "{}", text(&o));
    let _ = std::fs::remove_dir_all(&out);
}
