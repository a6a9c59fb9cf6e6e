//! `throttlelab run` writes Parquet beside its CSV files: `summary.parquet`,
//! `timeseries.parquet`, `clients.parquet` and `tenants.parquet` load back with polars, hold
//! the rows and the columns of the CSV files, and are byte-identical across two runs of the
//! same scenario and seed. Notebook safety (issue #12): no unsigned column, the bucket width
//! in the metadata and in `manifest.json`.

// reads the Parquet files with polars: only in a build that writes them
#![cfg(feature = "parquet")]

use report::tables::polars::prelude::DataType;
use report::tables::{read_parquet, read_parquet_metadata, RUN_TABLES};
use std::path::{Path, PathBuf};
use std::process::Command;

fn run_into(out: &Path) {
    let scenario = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/calm.toml");
    let o = Command::new(env!("CARGO_BIN_EXE_throttlelab"))
        .arg("run")
        .arg(&scenario)
        .arg("--out")
        .arg(out)
        .arg("--quiet")
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

fn tmp(tag: &str) -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("cli-run-parquet-{tag}"));
    let _ = std::fs::remove_dir_all(&d);
    d
}

/// The single `<scenario>/<seed>` folder under `out`.
fn run_dir(out: &Path) -> PathBuf {
    let scen = std::fs::read_dir(out)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    std::fs::read_dir(scen)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path()
}

#[test]
fn run_writes_parquet_beside_csv() {
    let (a, b) = (tmp("a"), tmp("b"));
    run_into(&a);
    run_into(&b);
    let (da, db) = (run_dir(&a), run_dir(&b));
    let stems: Vec<&str> = RUN_TABLES.iter().map(|(s, _)| *s).collect();
    assert_eq!(stems, ["summary", "timeseries", "clients", "tenants"]);
    for stem in stems {
        let pq = da.join(format!("{stem}.parquet"));
        let df = read_parquet(&pq).unwrap();
        let csv = std::fs::read_to_string(da.join(format!("{stem}.csv"))).unwrap();
        assert_eq!(
            df.height(),
            csv.lines().count() - 1,
            "{stem}: rows as in the CSV"
        );
        let names: Vec<&str> = df.get_column_names().iter().map(|n| n.as_str()).collect();
        assert_eq!(
            csv.lines().next().unwrap(),
            names.join(","),
            "{stem}: the CSV has the Parquet file's columns"
        );
        for c in df.columns() {
            assert!(
                !c.dtype().is_unsigned_integer(),
                "{stem}.{}: {} (unsigned counts wrap in a - b)",
                c.name(),
                c.dtype()
            );
        }
        let meta = read_parquet_metadata(&pq).unwrap();
        assert!(
            meta.contains(&("bucket_s".into(), "1".into())),
            "{stem}: {meta:?}"
        );
        assert!(df.height() > 0, "{stem}");
        assert_eq!(
            std::fs::read(&pq).unwrap(),
            std::fs::read(db.join(format!("{stem}.parquet"))).unwrap(),
            "{stem}.parquet: same bytes for the same scenario and seed"
        );
    }
    let ts = read_parquet(&da.join("timeseries.parquet")).unwrap();
    let names: Vec<String> = ts
        .get_column_names()
        .iter()
        .map(|n| n.to_string())
        .collect();
    assert_eq!(&names[..3], ["fleet", "bucket_start_s", "first_attempts"]);
    for n in ["successes", "latency_p99_ms", "queue_len"] {
        assert!(names.iter().any(|x| x == n), "{n} in {names:?}");
    }
    assert_eq!(ts.column("successes").unwrap().dtype(), &DataType::Int64);
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(da.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["bucket_s"], 1.0, "{manifest}");
    let files = manifest["files"].as_array().unwrap();
    assert!(files.iter().any(|f| f == "summary.parquet"), "{manifest}");
    let clients = read_parquet(&da.join("clients.parquet")).unwrap();
    assert_eq!(clients.get_column_names()[0].as_str(), "client");
}
