//! `throttlelab check-live` through the real binary: the calm scenario simulated and run live
//! on loopback for a few seconds must agree within the tolerance on every headline figure
//! (this fails if the live server, the load fleet or the simulator drift apart), and the
//! comparison files must be written. Bad input exits with code 2.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn tmp(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!(
        "throttlelab-check-live-{}-{tag}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&d);
    d
}

fn check_live(args: &[&str], out: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_throttlelab"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .arg("check-live")
        .args(args)
        .arg("--out")
        .arg(out)
        .output()
        .unwrap()
}

#[test]
fn calm_agrees_live_and_simulated_within_the_tolerance() {
    let out = tmp("calm");
    let o = check_live(
        &[
            "scenarios/calm.toml",
            "--duration",
            "6s",
            "--tolerance",
            "5%",
        ],
        &out,
    );
    let stdout = String::from_utf8_lossy(&o.stdout);
    let stderr = String::from_utf8_lossy(&o.stderr);
    let dir = out.join("calm").join("check-live");
    for f in [
        "comparison.csv",
        "comparison.json",
        "sim.json",
        "live.json",
        "sim/summary.json",
        "live/summary.json",
        "live/manifest.json",
    ] {
        assert!(dir.join(f).is_file(), "{f} missing\n{stdout}\n{stderr}");
    }
    let json: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("comparison.json")).unwrap())
            .unwrap();
    let rows = json["rows"].as_array().unwrap();
    let row = |figure: &str| {
        rows.iter()
            .find(|r| r["fleet"] == "total" && r["figure"] == figure)
            .unwrap_or_else(|| panic!("no row `{figure}`\n{stdout}"))
    };
    // 200 clients at 1/s for 6 s: about 1,200 requests on each side, all admitted
    let admitted = row("admitted");
    let sim = admitted["sim"].as_f64().unwrap();
    assert!((1000.0..1400.0).contains(&sim), "{stdout}");
    for figure in [
        "admitted",
        "retry amplification",
        "goodput /s",
        "rejected (all)",
    ] {
        let r = row(figure);
        let d = r["rel_diff"].as_f64();
        assert!(
            d.is_some_and(|d| d.abs() <= 0.05),
            "{figure}: sim {} live {} diff {d:?}\n{stdout}\n{stderr}",
            r["sim"],
            r["live"]
        );
    }
    assert_eq!(json["agree"], true, "{stdout}\n{stderr}");
    assert!(o.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("retry amplification"), "{stdout}");
    let csv = std::fs::read_to_string(dir.join("comparison.csv")).unwrap();
    assert!(csv.starts_with("scenario,seed,duration_s,fleet,figure,sim,live,rel_diff,verdict\n"));
    assert_eq!(csv.lines().count(), rows.len() + 1);
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn bad_input_exits_with_code_2() {
    let out = tmp("bad");
    for args in [
        &["scenarios/calm.toml", "--tolerance", "five"][..],
        &["scenarios/calm.toml", "--duration", "soon"][..],
        &["scenarios/does-not-exist.toml"][..],
    ] {
        let o = check_live(args, &out);
        assert_eq!(
            o.status.code(),
            Some(2),
            "{args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
    assert!(!out.exists());
}
