//! The tables' files follow the build (cargo feature `parquet`, issue #18): every table is a
//! CSV, with a Parquet file beside it only in a build with polars; `manifest.json` and the
//! printed file list name exactly the files written. A sweep's shards merge from their CSV
//! files alone (what a build without Parquet reads) to the bytes of the unsharded sweep.
//! These tests pass in both builds (`cargo test` and `cargo test --no-default-features`).

use report::tables::{table_files, PARQUET};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The tiny sweep of tests/cli/cli_sweep.rs.
const SCENARIO: &str = include_str!("../fixtures/tiny-sweep.toml");

fn tmp(tag: &str) -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("cli-tables-{tag}"));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    std::fs::write(d.join("tiny.toml"), SCENARIO).unwrap();
    d
}

fn throttlelab(args: &[&str]) -> Output {
    let o = Command::new(env!("CARGO_BIN_EXE_throttlelab"))
        .args(args)
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    o
}

/// The one folder under `dir`.
fn only_dir(dir: &Path) -> PathBuf {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    assert_eq!(dirs.len(), 1, "{dirs:?}");
    dirs.pop().unwrap()
}

#[test]
fn a_run_writes_and_lists_only_the_files_of_this_build() {
    let dir = tmp("run");
    let file = dir.join("tiny.toml");
    let out = dir.join("out");
    let o = throttlelab(&[
        "run",
        file.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    // the folder's own path may hold "parquet" (a target dir so named): leave it out
    let text = String::from_utf8_lossy(&o.stdout).replace(out.to_str().unwrap(), "OUT");
    let run = out.join("tiny-sweep").join("11");
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(run.join("manifest.json")).unwrap()).unwrap();
    let listed: Vec<&str> = manifest["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect();
    let mut expected = vec!["summary.json".to_owned()];
    for stem in ["summary", "timeseries", "clients", "tenants"] {
        expected.extend(table_files(stem));
        assert!(run.join(format!("{stem}.csv")).is_file(), "{stem}.csv");
        assert_eq!(
            run.join(format!("{stem}.parquet")).exists(),
            PARQUET,
            "{stem}.parquet is written exactly when the build has Parquet"
        );
        let label = if PARQUET {
            format!("{stem}.{{parquet,csv}}")
        } else {
            format!("{stem}.csv")
        };
        assert!(text.contains(&label), "{label} in {text}");
    }
    assert_eq!(listed, expected);
    assert_eq!(text.contains("parquet"), PARQUET, "{text}");
}

/// What must not happen: a build without Parquet failing to merge shards (it reads their CSV),
/// or the CSV read path giving other bytes than the Parquet one. The shards' Parquet files
/// are removed (and the shards sealed again), so `merge` reads the CSV files in either build.
#[test]
fn shards_merge_from_their_csv_files_to_the_unsharded_bytes() {
    let dir = tmp("merge");
    let file = dir.join("tiny.toml");
    let sweep = |out: &str, shard: Option<&str>| {
        let out = dir.join(out);
        let mut args = vec![
            "sweep",
            file.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--quiet",
        ];
        if let Some(s) = shard {
            args.extend(["--shard", s]);
        }
        throttlelab(&args);
        only_dir(&out.join("tiny-sweep"))
    };
    let whole = sweep("whole", None);
    sweep("sharded", Some("1/2"));
    let sd = sweep("sharded", Some("2/2"));
    for shard in ["shard-1-of-2", "shard-2-of-2"] {
        let d = sd.join(shard);
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "parquet") {
                std::fs::remove_file(p).unwrap();
            }
        }
        report::files::complete::seal(&d).unwrap();
    }
    throttlelab(&["merge", sd.to_str().unwrap(), "--quiet"]);
    let mut checked = 0;
    for stem in ["runs", "points", "points_long", "timeseries"] {
        for f in table_files(stem) {
            assert_eq!(
                std::fs::read(whole.join(&f)).unwrap(),
                std::fs::read(sd.join(&f)).unwrap(),
                "{f}: merged from CSV shards vs the whole sweep"
            );
            checked += 1;
        }
    }
    assert_eq!(checked, 4 * table_files("runs").len());
}
