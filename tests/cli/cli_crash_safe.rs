//! Crash-safe output folders (issue #14): `run`, `sweep` and `compare` killed with SIGKILL at
//! fixed offsets leave every folder either complete (sealed, its files the ones sealed) or
//! clearly incomplete and refused by `report` with exit code 2; a rerun replaces the whole
//! folder; a truncated file (the 0-byte `runs.parquet` of a killed sweep) is named by `report`;
//! `merge` replaces its folder whole too (no stale file sealed with the merged tables).

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
    // the first table file this build writes (runs.parquet, or runs.csv without Parquet)
    let victim = &report::tables::table_files("runs")[0];
    std::fs::write(sweep.join(victim), "").unwrap();
    let r = out(&["report", &sweep.display().to_string()]);
    let err = String::from_utf8_lossy(&r.stderr);
    assert_eq!(r.status.code(), Some(2), "{err}");
    assert!(err.contains(&format!("{victim} has 0 bytes")), "{err}");
    std::fs::remove_dir_all(d).unwrap();
}

#[test]
fn killed_compares_leave_the_previous_folder_or_refused_ones() {
    let d = tmp("compare");
    let (a, b) = (d.join("a.toml"), d.join("b.toml"));
    std::fs::write(&a, SCENARIO.replace("60s", "20s")).unwrap();
    std::fs::write(&b, SCENARIO.replace("60s", "20s").replace("100\n", "50\n")).unwrap();
    let os = d.join("out").display().to_string();
    let (af, bf) = (a.display().to_string(), b.display().to_string());
    let args = [
        "--quiet",
        "compare",
        &af,
        &bf,
        "--seeds",
        "2",
        "--threads",
        "1",
        "--out",
        &os,
    ];
    // A complete comparison first, timed: the kills land at fractions of that time, most of
    // them while the rerun writes its tables and report.
    let started = std::time::Instant::now();
    assert_eq!(out(&args).status.code(), Some(0));
    let whole = started.elapsed().as_millis() as u64;
    let final_name = "compare-a-vs-b";
    check(&d.join("out").join(final_name)).unwrap();
    let mut refused = 0;
    for tenths in [2, 4, 5, 6, 7, 8, 9, 10] {
        kill_after(&args, whole * tenths / 10);
        refused += every_folder_is_complete_or_refused(&d.join("out"), final_name).1;
        check(&d.join("out").join(final_name)).expect("a killed rerun lost the complete folder");
    }
    assert!(
        refused > 0,
        "no kill landed while the folder was written ({whole} ms)"
    );
    // An unsealed comparison folder is refused by `report` too (it used to be rebuilt).
    let dir = d.join("out").join(final_name);
    std::fs::remove_file(dir.join(MARKER)).unwrap();
    let r = out(&["report", &dir.display().to_string()]);
    assert_eq!(r.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&r.stderr).contains("no complete.json"));
    std::fs::remove_dir_all(d).unwrap();
}

#[test]
fn merge_replaces_its_folder_whole_and_keeps_the_shards() {
    let d = tmp("merge");
    let file = d.join("crash.toml");
    std::fs::write(&file, SCENARIO.replace("60s", "2s")).unwrap();
    let (f, os) = (
        file.display().to_string(),
        d.join("out").display().to_string(),
    );
    for shard in ["1/2", "2/2"] {
        let args = [
            "--quiet",
            "sweep",
            &f,
            "--param",
            "fleet.web.count=1,2",
            "--seeds",
            "1",
            "--shard",
            shard,
            "--out",
            &os,
        ];
        assert_eq!(out(&args).status.code(), Some(0));
    }
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
    let sd = sweep.display().to_string();
    // Left in the folder before the merge (an old table, say): it must not be sealed with it.
    std::fs::write(sweep.join("stale.csv"), "from an earlier sweep\n").unwrap();
    let r = out(&["--quiet", "merge", &sd, "--no-report"]);
    assert_eq!(
        r.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&r.stderr)
    );
    assert!(
        !sweep.join("stale.csv").exists(),
        "a stale file survived the merge"
    );
    check(&sweep).unwrap();
    for shard in ["shard-1-of-2", "shard-2-of-2"] {
        check(&sweep.join(shard)).unwrap_or_else(|e| panic!("{shard}: {e}"));
    }
    // Merging again from the shards (still there) gives a sealed folder again.
    let shards = ["shard-1-of-2", "shard-2-of-2"].map(|s| sweep.join(s).display().to_string());
    let r = out(&["--quiet", "merge", &shards[0], &shards[1], "--no-report"]);
    assert_eq!(
        r.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&r.stderr)
    );
    check(&sweep).unwrap();
    let siblings = std::fs::read_dir(d.join("out/crash")).unwrap().count();
    assert_eq!(siblings, 1, "temporary folders left beside the sweep");
    // `--out` a folder of other files: refused, not replaced.
    let other = d.join("mine");
    std::fs::create_dir_all(&other).unwrap();
    std::fs::write(other.join("notes.txt"), "keep me").unwrap();
    let od = other.display().to_string();
    let r = out(&["--quiet", "merge", &shards[0], &shards[1], "--out", &od]);
    let err = String::from_utf8_lossy(&r.stderr);
    assert_eq!(r.status.code(), Some(2), "{err}");
    assert!(err.contains("not a sweep folder"), "{err}");
    assert!(other.join("notes.txt").exists());
    std::fs::remove_dir_all(d).unwrap();
}
