//! The lighter build (issue #18): `cargo build --no-default-features` leaves live mode (tokio, axum,
//! hyper, reqwest, Redis) and the Parquet tables (polars) out. What it keeps must work: a scenario runs and writes its
//! report and charts; the live subcommands are still listed, take any arguments, and refuse
//! with exit 2 and a sentence on how to get them, never clap's "unrecognized subcommand".
//! Compiled only in that build: `cargo test --no-default-features --test light_build`.

#![cfg(not(feature = "live"))]

use std::path::Path;
use std::process::Command;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_throttlelab"))
}

#[test]
fn a_scenario_runs_and_writes_its_report_without_live_mode() {
    let out = std::env::temp_dir().join(format!("throttlelab-light-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    let scenario = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/calm.toml");
    let o = bin()
        .arg("run")
        .arg(&scenario)
        .arg("--out")
        .arg(&out)
        .arg("--quiet")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let run = out.join("calm");
    let seed = std::fs::read_dir(&run)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    // no polars in this build: CSV only
    assert!(!seed.join("summary.parquet").exists());
    for file in ["report.html", "summary.csv", "clients.csv", "charts"] {
        assert!(
            seed.join(file).exists(),
            "{file} missing in {}",
            seed.display()
        );
    }
    std::fs::remove_dir_all(&out).unwrap();
}

#[test]
fn live_subcommands_are_listed_and_refuse_with_a_way_back() {
    let help = bin().arg("--help").output().unwrap();
    let help = String::from_utf8_lossy(&help.stdout);
    for command in ["serve", "load", "check-live", "conform"] {
        assert!(help.contains(command), "{command} not in --help:\n{help}");
        let o = bin()
            .args([command, "--port", "0", "scenarios/calm.toml"])
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(2), "{command}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(
            err.contains("live mode") && err.contains("--features live"),
            "{command}: {err}"
        );
    }
}
