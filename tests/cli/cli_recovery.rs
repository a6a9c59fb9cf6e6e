//! Issue #12: the recovery verdict is per fleet, in `run` (printed summary, `summary.json`,
//! `summary.csv`) and in `sweep` and `compare` (their `recovered` figures). On
//! `scenarios/experiments/metastable.toml` fleet `base` never serves again after the spike,
//! so the run did not recover, whatever the trigger fleet's successes add to the sum.

use report::tables::{read_table, Cell};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn metastable() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/experiments/metastable.toml")
}

fn tmp(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!(
        "throttlelab-cli-recovery-{}-{tag}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&d);
    d
}

fn throttlelab(args: &[&str]) -> Output {
    let o = Command::new(env!("CARGO_BIN_EXE_throttlelab"))
        .args(args)
        .output()
        .expect("the binary runs");
    assert_eq!(
        o.status.code(),
        Some(0),
        "{args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    o
}

/// `args` over 2 seeds into `out`, tables only.
fn tables_only(args: &[&str], out: &Path) {
    let mut all = args.to_vec();
    all.extend(["--seeds", "2", "--no-report", "--no-timeseries", "--quiet"]);
    all.extend(["--out", out.to_str().unwrap()]);
    throttlelab(&all);
}

#[test]
fn metastable_run_did_not_recover_and_names_the_fleet() {
    let out = tmp("run");
    let file = metastable();
    let o = throttlelab(&[
        "run",
        file.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--no-report",
    ]);
    let text = String::from_utf8_lossy(&o.stdout);
    let verdicts = text
        .split_once("recovery after the fault (60 s to 65 s)")
        .unwrap_or_else(|| panic!("no recovery block in\n{text}"))
        .1;
    let line = |name: &str| {
        verdicts
            .lines()
            .find(|l| l.split_whitespace().next() == Some(name))
            .unwrap_or_else(|| panic!("no `{name}` line in\n{text}"))
            .to_owned()
    };
    assert!(line("run").contains("did not recover (base)"), "{text}");
    assert!(line("base").contains("did not recover"), "{text}");
    assert!(
        line("spike").contains("no goodput before the fault"),
        "{text}"
    );
    assert!(!text.contains("after the fault ended"), "{text}");

    let dir = out.join("metastable/1");
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("summary.json")).unwrap()).unwrap();
    assert_eq!(json["summary"]["recovery"]["recovered"], false, "{json}");
    assert_eq!(
        json["summary"]["recovery"]["fleets_not_recovered"],
        serde_json::json!(["base"])
    );
    assert_eq!(json["fleets"]["base"]["recovery"]["recovered"], false);
    assert!(json["fleets"]["spike"]["recovery"].is_null());

    let summary = read_table(&dir, "summary", None).unwrap();
    let fleets = summary.column("fleet").unwrap();
    let recovered = summary.column("recovered").unwrap();
    let at = |f: &str| {
        let i = fleets
            .iter()
            .position(|c| *c == Cell::Str(f.into()))
            .unwrap();
        recovered[i].clone()
    };
    assert_eq!(at("all"), Cell::Bool(false));
    assert_eq!(at("base"), Cell::Bool(false));
    assert_eq!(at("spike"), Cell::Null);
}

/// The sweep's own points (max_attempts 4 and 1): with retries no seed recovers, without
/// every seed does; the `recovered` figure is the run's per-fleet verdict.
#[test]
fn metastable_sweep_recovered_fraction_follows_the_base_fleet() {
    let out = tmp("sweep");
    let file = metastable();
    tables_only(&["sweep", file.to_str().unwrap()], &out);
    let sweep = std::fs::read_dir(out.join("metastable"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("sweep-")
        })
        .expect("a sweep folder");
    let pts = read_table(&sweep, "points", None).unwrap();
    let attempts = pts.column("fleet.base.retry.max_attempts").unwrap();
    let rec = pts.column("recovered_mean").unwrap();
    for (a, r) in attempts.iter().zip(rec) {
        let expect = if a.as_f64() == Some(4.0) { 0.0 } else { 1.0 };
        assert_eq!(r.as_f64(), Some(expect), "max_attempts {a:?}");
    }
}

/// `compare` of the metastable file against itself without retries: the `recovered` figure
/// (the run's per-fleet verdict) is 0 with retries and 1 without.
#[test]
fn metastable_compare_recovered_follows_the_base_fleet() {
    let dir = tmp("compare");
    std::fs::create_dir_all(&dir).unwrap();
    let text = std::fs::read_to_string(metastable()).unwrap();
    let calm = text
        .replace("name = \"metastable\"", "name = \"no-retries\"")
        .replace("max_attempts = 4", "max_attempts = 1");
    assert_ne!(calm, text);
    let b = dir.join("no-retries.toml");
    std::fs::write(&b, calm).unwrap();
    let out = dir.join("out");
    let file = metastable();
    tables_only(
        &["compare", file.to_str().unwrap(), b.to_str().unwrap()],
        &out,
    );
    let d = out.join("compare-metastable-vs-no-retries");
    let cmp = read_table(&d, "compare", None).unwrap();
    let figures = cmp.column("figure").unwrap();
    let row = figures
        .iter()
        .position(|f| *f == Cell::Str("recovered".into()))
        .expect("a recovered row");
    assert_eq!(cmp.column("a_mean").unwrap()[row].as_f64(), Some(0.0));
    assert_eq!(cmp.column("b_mean").unwrap()[row].as_f64(), Some(1.0));
}
