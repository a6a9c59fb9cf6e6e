//! `throttlelab sweep` and `merge` through the real binary: identical bytes whatever the
//! thread count, Parquet tables that load back with the expected shape (in a build with
//! Parquet), shards that merge to the unsharded sweep byte for byte, and exit code 2 with
//! clear messages on bad input.

#[cfg(feature = "parquet")]
use report::tables::{read_parquet, Cell, Table};
use report::tables::{read_table, table_files};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A tiny sweep: 2 points of 20 clients, 3 seeds.
const SCENARIO: &str = include_str!("../fixtures/tiny-sweep.toml");

/// The sweep's tables as this build writes them (no .parquet without the `parquet` feature).
fn tables() -> Vec<String> {
    ["runs", "points", "timeseries"]
        .iter()
        .flat_map(|stem| table_files(stem))
        .collect()
}

fn tmp(tag: &str) -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("cli-sweep-{tag}"));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn scenario_file(dir: &Path) -> PathBuf {
    let p = dir.join("tiny.toml");
    std::fs::write(&p, SCENARIO).unwrap();
    p
}

fn throttlelab(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_throttlelab"));
    c.args(args);
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().unwrap()
}

fn ok(o: &Output) {
    assert_eq!(
        o.status.code(),
        Some(0),
        "stderr: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The single sweep folder under `out/tiny-sweep/`.
fn sweep_dir(out: &Path) -> PathBuf {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(out.join("tiny-sweep"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(dirs.len(), 1, "{dirs:?}");
    dirs.pop().unwrap()
}

fn sweep(dir: &Path, out: &str, extra: &[&str], env: &[(&str, &str)]) -> PathBuf {
    let file = scenario_file(dir);
    let out = dir.join(out);
    let mut args = vec![
        "sweep",
        file.to_str().unwrap(),
        "--param",
        "fleet.web.count=10..30:20",
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ];
    args.extend(extra);
    let o = throttlelab(&args, env);
    ok(&o);
    assert!(o.stdout.is_empty(), "--quiet prints nothing");
    out
}

#[test]
fn identical_bytes_whatever_the_thread_count() {
    let dir = tmp("threads");
    let one = sweep_dir(&sweep(&dir, "one", &["--threads", "1"], &[]));
    let two = sweep_dir(&sweep(&dir, "two", &["--threads", "2"], &[]));
    let env = sweep_dir(&sweep(&dir, "env", &[], &[("RAYON_NUM_THREADS", "2")]));
    assert_eq!(
        one.file_name(),
        two.file_name(),
        "the folder name is the sweep's hash"
    );
    for f in tables()
        .iter()
        .map(String::as_str)
        .chain(["sweep.json", "report.html"])
    {
        let a = std::fs::read(one.join(f)).unwrap();
        assert!(!a.is_empty(), "{f}");
        assert_eq!(
            a,
            std::fs::read(two.join(f)).unwrap(),
            "{f}: 1 vs 2 threads"
        );
        assert_eq!(
            a,
            std::fs::read(env.join(f)).unwrap(),
            "{f}: RAYON_NUM_THREADS"
        );
    }
}

// reads the Parquet files with polars: only in a build that writes them
#[cfg(feature = "parquet")]
#[test]
fn tables_load_back_with_the_expected_shape() {
    let dir = tmp("shape");
    let d = sweep_dir(&sweep(&dir, "out", &[], &[]));
    assert!(d
        .file_name()
        .unwrap()
        .to_str()
        .unwrap()
        .starts_with("sweep-"));
    // 2 jitters (from the file) x 2 counts (command line) = 4 points, 3 seeds (file).
    let runs = read_parquet(&d.join("runs.parquet")).unwrap();
    assert_eq!(runs.height(), 12);
    let names: Vec<String> = runs
        .get_column_names()
        .iter()
        .map(|n| n.to_string())
        .collect();
    assert_eq!(
        &names[..4],
        ["point", "fleet.web.retry.jitter", "fleet.web.count", "seed"]
    );
    for f in [
        "goodput_rps",
        "retry_amplification",
        "rejected_429",
        "latency_p99_ms",
        "fairness_clients",
    ] {
        assert!(names.iter().any(|n| n == f), "{f} missing from {names:?}");
    }
    let t = Table::from_frame(&runs, None).unwrap();
    assert_eq!(
        t.column("seed").unwrap()[..3],
        [Cell::I64(11), Cell::I64(12), Cell::I64(13)]
    );
    assert_eq!(t.column("fleet.web.count").unwrap()[3], Cell::I64(30));
    assert_eq!(
        t.column("fleet.web.retry.jitter").unwrap()[6],
        Cell::Str("full".into())
    );

    let points = read_parquet(&d.join("points.parquet")).unwrap();
    assert_eq!(points.height(), 4);
    let p = Table::from_frame(&points, None).unwrap();
    assert_eq!(p.column("runs").unwrap()[0], Cell::I64(3));
    // The point's mean is the mean of its runs; the interval holds it.
    let g: Vec<f64> = t.column("goodput_rps").unwrap()[..3]
        .iter()
        .map(|c| c.as_f64().unwrap())
        .collect();
    let mean = p.column("goodput_rps_mean").unwrap()[0].as_f64().unwrap();
    assert!((mean - g.iter().sum::<f64>() / 3.0).abs() < 1e-9);
    let lo = p.column("goodput_rps_ci95_lo").unwrap()[0]
        .as_f64()
        .unwrap();
    let hi = p.column("goodput_rps_ci95_hi").unwrap()[0]
        .as_f64()
        .unwrap();
    assert!(lo <= mean && mean <= hi);
    let s = report::tables::stats(&g).unwrap();
    assert_eq!(s.ci95, Some((lo, hi)));

    let ts = read_parquet(&d.join("timeseries.parquet")).unwrap();
    // 12 runs x 20 buckets x (the `all` rows + one fleet)
    assert_eq!(ts.height(), 12 * 20 * 2);
    let names: Vec<String> = ts
        .get_column_names()
        .iter()
        .map(|n| n.to_string())
        .collect();
    assert_eq!(
        &names[..6],
        [
            "point",
            "fleet.web.retry.jitter",
            "fleet.web.count",
            "seed",
            "fleet",
            "bucket_start_s"
        ]
    );
    // The bucket width, which no column holds, is in the metadata of every table.
    for t in ["runs", "points", "timeseries"] {
        let meta = report::tables::read_parquet_metadata(&d.join(format!("{t}.parquet"))).unwrap();
        assert!(
            meta.contains(&("bucket_s".into(), "1".into())),
            "{t}: {meta:?}"
        );
    }

    let csv = std::fs::read_to_string(d.join("runs.csv")).unwrap();
    assert_eq!(csv.lines().count(), 13);
    assert!(csv.starts_with("point,fleet.web.retry.jitter,fleet.web.count,seed,"));
    let manifest = std::fs::read_to_string(d.join("sweep.json")).unwrap();
    assert!(manifest.contains("\"shard\": null"), "{manifest}");
}

#[test]
fn shards_merge_to_the_unsharded_bytes() {
    let dir = tmp("shards");
    let whole = sweep_dir(&sweep(&dir, "whole", &[], &[]));
    let out = sweep(&dir, "sharded", &["--shard", "1/3"], &[]);
    sweep(&dir, "sharded", &["--shard", "3/3"], &[]);
    let sd = sweep_dir(&out);
    assert!(
        !sd.join("runs.csv").exists(),
        "a shard writes into its own folder"
    );
    let shard1 = read_table(&sd.join("shard-1-of-3"), "runs", None).unwrap();
    assert_eq!(shard1.len(), 4, "jobs 0, 3, 6, 9 of 12");

    let o = throttlelab(&["merge", sd.to_str().unwrap(), "--quiet"], &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("missing shards: 2/3"), "{}", stderr(&o));

    sweep(&dir, "sharded", &["--shard", "2/3"], &[]);
    let o = throttlelab(&["merge", sd.to_str().unwrap(), "--quiet"], &[]);
    ok(&o);
    for f in tables()
        .iter()
        .map(String::as_str)
        .chain(["sweep.json", "report.html"])
    {
        assert_eq!(
            std::fs::read(whole.join(f)).unwrap(),
            std::fs::read(sd.join(f)).unwrap(),
            "{f}: merged shards vs the whole sweep"
        );
    }
}

#[test]
fn the_report_is_written_rebuilt_and_skipped_on_request() {
    let dir = tmp("report");
    let d = sweep_dir(&sweep(&dir, "out", &[], &[]));
    let html = std::fs::read_to_string(d.join("report.html")).unwrap();
    assert!(html.contains("<h1>tiny-sweep (sweep)</h1>"), "heading");
    assert!(html.contains("id=\"points\""), "points table");
    // Two swept parameters (jitter from the file, count from the command line): lines and
    // heatmaps, each embedded and written beside the page.
    for chart in ["sweep_goodput_rps", "heatmap_goodput_rps"] {
        assert!(html.contains(&format!("id=\"chart-{chart}\"")), "{chart}");
        assert!(
            d.join(format!("charts/{chart}.png")).is_file(),
            "{chart}.png"
        );
        assert!(
            d.join(format!("charts/{chart}.svg")).is_file(),
            "{chart}.svg"
        );
    }
    assert!(html.contains("src=\"data:image/png;base64,"));
    assert!(!html.contains("src=\"http"), "no network");

    // `report DIR` rebuilds the same page from the tables.
    std::fs::remove_file(d.join("report.html")).unwrap();
    ok(&throttlelab(
        &["report", d.to_str().unwrap(), "--quiet"],
        &[],
    ));
    assert_eq!(
        std::fs::read_to_string(d.join("report.html")).unwrap(),
        html
    );

    let skipped = sweep_dir(&sweep(&dir, "bare", &["--no-report"], &[]));
    assert!(skipped.join("runs.csv").is_file());
    assert!(!skipped.join("report.html").exists(), "--no-report");
    assert!(!skipped.join("charts").exists(), "--no-report");
}

#[test]
fn merge_refuses_shards_of_different_sweeps() {
    let dir = tmp("mixed");
    let a = sweep_dir(&sweep(&dir, "a", &["--shard", "1/2"], &[]));
    let b = sweep_dir(&sweep(&dir, "b", &["--shard", "2/2", "--seeds", "2"], &[]));
    let o = throttlelab(
        &[
            "merge",
            a.join("shard-1-of-2").to_str().unwrap(),
            b.join("shard-2-of-2").to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("not a shard of the same sweep"),
        "{}",
        stderr(&o)
    );
}

fn bad(args: &[&str]) -> String {
    let dir = tmp(&format!(
        "bad-{}",
        args.join("-").replace(['/', '.', '='], "_")
    ));
    let file = scenario_file(&dir);
    let mut all = vec!["sweep", file.to_str().unwrap(), "--dry-run"];
    all.extend(args);
    let o = throttlelab(&all, &[]);
    assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
    stderr(&o)
}

#[test]
fn bad_paths_name_the_path_and_list_valid_ones() {
    let e = bad(&["--param", "fleet.web.cuont=5"]);
    assert!(e.contains("parameter `fleet.web.cuont`"), "{e}");
    assert!(
        e.contains("settings in this scenario: name, seed, duration"),
        "{e}"
    );
    assert!(e.contains("fleet.web.count"), "{e}");
    let e = bad(&["--param", "fleet.web.count.x=1"]);
    assert!(e.contains("`fleet.web.count` is a value"), "{e}");
}

#[test]
fn bad_values_and_syntax_exit_2_without_a_file_position() {
    let e = bad(&["--param", "fleet.web.retry.jitter=partial"]);
    assert!(
        e.starts_with("error: fleet.web.retry.jitter=partial: "),
        "{e}"
    );
    assert!(!e.contains("tiny.toml"), "{e}");
    let e = bad(&["--param", "fleet.web.count=0,10"]);
    assert!(e.contains("fleet.web.count=0: "), "{e}");
    let e = bad(&["--param", "fleet.web.count=30..10:5"]);
    assert!(e.contains("the range is empty"), "{e}");
    let e = bad(&["--param", "fleet.web.count"]);
    assert!(e.contains("expected PATH=VALUES"), "{e}");
    let e = bad(&["--shard", "3/2"]);
    assert!(e.contains("I/N"), "{e}");
}

#[test]
fn dry_run_lists_the_points() {
    let dir = tmp("dry");
    let file = scenario_file(&dir);
    let o = throttlelab(
        &[
            "sweep",
            file.to_str().unwrap(),
            "--dry-run",
            "--seeds",
            "2",
            "--seed",
            "100",
        ],
        &[],
    );
    ok(&o);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.starts_with("tiny-sweep: 2 points x 2 seeds (100..=101) = 4 runs"),
        "{out}"
    );
    assert!(
        out.contains("point   1: fleet.web.retry.jitter=full"),
        "{out}"
    );
    assert!(!dir.join("notebooks-out").exists());
}
