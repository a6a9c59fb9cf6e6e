//! `throttlelab run` writes Parquet beside its CSV files: `timeseries.parquet`,
//! `clients.parquet` and `tenants.parquet` load back with polars, hold as many rows as the
//! CSV files, and are byte-identical across two runs of the same scenario and seed.

use report::tables::read_parquet;
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
    for stem in ["timeseries", "clients", "tenants"] {
        let pq = da.join(format!("{stem}.parquet"));
        let df = read_parquet(&pq).unwrap();
        let csv = std::fs::read_to_string(da.join(format!("{stem}.csv"))).unwrap();
        assert_eq!(
            df.height(),
            csv.lines().count() - 1,
            "{stem}: rows as in the CSV"
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
    assert_eq!(&names[..3], ["fleet", "t_s", "first_attempts"]);
    let clients = read_parquet(&da.join("clients.parquet")).unwrap();
    assert_eq!(clients.get_column_names()[0].as_str(), "client");
}
