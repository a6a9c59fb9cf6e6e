//! Crash-safe output folders (issue #14): `run` and `sweep` killed with SIGKILL at fixed
//! offsets leave every folder either complete (sealed, its files the ones sealed) or clearly
//! incomplete and refused by `report` with exit code 2; a rerun replaces the whole folder; a
//! truncated file (the 0-byte `runs.parquet` of a killed sweep) is named by `report`.

use report::files::complete::{check, MARKER};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_throttlelab"))
}

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("crash-safe-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// A scenario that takes a second or two in a debug build: long enough to be killed midway.
const SCENARIO: &str = r#"name = "crash"
duration = "60s"
[fleet.web]
count = 200
arrival = { process = "poisson", rate = "10/s" }
[[server.limiters]]
scope = "global"
algorithm = "token_bucket"
rate = "1000/s"
burst = 100
"#;

fn out(args: &[&str]) -> Output {
    bin().args(args).output().unwrap()
}

/// Start `args`, SIGKILL it after `ms` (if still running).
fn kill_after(args: &[&str], ms: u64) {
    let mut child = bin()
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(ms));
    let _ = child.kill(); // SIGKILL on Unix
    child.wait().unwrap();
}

/// Every folder under `root` (hidden ones included): complete, or refused by `report`.
fn every_folder_is_complete_or_refused(root: &Path, name_of_final: &str) -> (usize, usize) {
    let (mut complete, mut refused) = (0, 0);
    let Ok(entries) = std::fs::read_dir(root) else {
        return (0, 0); // killed before it created anything
    };
    for e in entries {
        let dir = e.unwrap().path();
        if !dir.is_dir() {
            continue;
        }
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        match check(&dir) {
            Ok(()) => {
                // A previous folder moved aside, killed before it was removed, is hidden.
                let aside = name.starts_with(&format!(".{name_of_final}.old-"));
                assert!(
                    name == name_of_final || aside,
                    "{name}: sealed, under another name"
                );
                complete += 1;
            }
            Err(e) => {
                assert!(
                    name.starts_with('.'),
                    "{name}: incomplete folder in place: {e}"
                );
                assert!(!dir.join(MARKER).exists());
                let r = out(&["report", &dir.display().to_string()]);
                let err = String::from_utf8_lossy(&r.stderr);
                assert_eq!(r.status.code(), Some(2), "report took {name} for complete");
                assert!(err.contains("no complete.json"), "{err}");
                refused += 1;
            }
        }
    }
    (complete, refused)
}

const OFFSETS_MS: [u64; 8] = [0, 40, 150, 400, 800, 1300, 2000, 3000];

#[test]
fn killed_runs_leave_complete_folders_or_refused_ones() {
    let d = tmp("run");
    let file = d.join("crash.toml");
    std::fs::write(&file, SCENARIO).unwrap();
    let (f, o) = (file.display().to_string(), d.join("out"));
    let os = o.display().to_string();
    let (mut complete, mut refused) = (0, 0);
    for (i, ms) in OFFSETS_MS.into_iter().enumerate() {
        if i == OFFSETS_MS.len() / 2 {
            // The second half replaces a complete folder.
            let r = out(&["--quiet", "run", &f, "--out", &os]);
            assert_eq!(r.status.code(), Some(0));
        }
        kill_after(&["--quiet", "run", &f, "--out", &os], ms);
        let (c, r) = every_folder_is_complete_or_refused(&o.join("crash"), "1");
        complete += c;
        refused += r;
        if i >= OFFSETS_MS.len() / 2 {
            check(&o.join("crash/1")).expect("a killed rerun lost the complete folder");
        }
    }
    assert!(refused > 0, "no kill landed midway (complete {complete})");
    std::fs::remove_dir_all(d).unwrap();
}

#[test]
fn killed_sweeps_leave_complete_folders_or_refused_ones() {
    let d = tmp("sweep");
    let file = d.join("crash.toml");
    std::fs::write(&file, SCENARIO).unwrap();
    let (f, o) = (file.display().to_string(), d.join("out"));
    let os = o.display().to_string();
    let args = [
        "--quiet",
        "sweep",
        &f,
        "--param",
        "fleet.web.count=100,200",
        "--seeds",
        "2",
        "--threads",
        "1",
        "--out",
        &os,
    ];
    let mut refused = 0;
    for ms in OFFSETS_MS {
        kill_after(&args, ms);
        if o.join("crash").is_dir() {
            let sweep = std::fs::read_dir(o.join("crash"))
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .find(|n| n.starts_with("sweep-"))
                .unwrap_or_default();
            refused += every_folder_is_complete_or_refused(&o.join("crash"), &sweep).1;
        }
    }
    assert!(refused > 0, "no kill landed midway");
    std::fs::remove_dir_all(d).unwrap();
}

#[test]
fn a_rerun_replaces_the_whole_folder_and_report_names_truncated_files() {
    let d = tmp("rerun");
    let file = d.join("crash.toml");
    std::fs::write(&file, SCENARIO.replace("60s", "5s")).unwrap();
    let (f, os) = (
        file.display().to_string(),
        d.join("out").display().to_string(),
    );
    assert!(out(&["--quiet", "run", &f, "--out", &os]).status.success());
    let run = d.join("out/crash/1");
    assert!(run.join("charts").is_dir());
    // The second run writes no report: nothing of the first run's may be left beside it.
    assert!(out(&["--quiet", "run", &f, "--out", &os, "--no-report"])
        .status
        .success());
    assert!(!run.join("charts").exists() && !run.join("report.html").exists());
    check(&run).unwrap();

    assert!(out(&[
        "--quiet",
        "sweep",
        &f,
        "--param",
        "fleet.web.count=1,2",
        "--seeds",
        "1",
        "--out",
        &os,
    ])
    .status
    .success());
    let sweep = std::fs::read_dir(d.join("out/crash"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("sweep-")
        })
        .unwrap();
    assert_eq!(
        out(&["--quiet", "report", &sweep.display().to_string()])
            .status
            .code(),
        Some(0)
    );
    std::fs::write(sweep.join("runs.parquet"), "").unwrap();
    let r = out(&["report", &sweep.display().to_string()]);
    let err = String::from_utf8_lossy(&r.stderr);
    assert_eq!(r.status.code(), Some(2), "{err}");
    assert!(err.contains("runs.parquet has 0 bytes"), "{err}");
    std::fs::remove_dir_all(d).unwrap();
}
