//! `check-live --duration` shorter than the scenario's fault: both sides run fault-free, so
//! their agreement says nothing about the fault. The check must say so (issue #12), on stderr
//! and in `comparison.json`'s caveats, whatever the verdict.

// live mode: built with the `live` feature (the default)
#![cfg(feature = "live")]

use serde_json::Value;
use std::process::Command;

#[test]
fn a_fault_after_the_duration_is_warned_about() {
    let out = std::env::temp_dir().join(format!(
        "throttlelab-check-live-cutoff-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&out);
    let o = Command::new(env!("CARGO_BIN_EXE_throttlelab"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "check-live",
            "scenarios/retry-storm.toml",
            "--duration",
            "2s",
        ])
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    let stdout = String::from_utf8_lossy(&o.stdout);
    let said = "the fault `outage` (60 s to 90 s) never happens in the check";
    assert!(stderr.contains(said), "stderr:\n{stderr}");
    assert!(stdout.contains(said), "stdout:\n{stdout}");
    let json: Value = serde_json::from_slice(
        &std::fs::read(out.join("retry-storm/check-live/comparison.json")).unwrap(),
    )
    .unwrap();
    let caveats = json["caveats"].as_array().unwrap();
    assert!(
        caveats
            .iter()
            .any(|c| c.as_str().unwrap_or("").contains(said)),
        "{caveats:?}"
    );
}
