//! A closed-loop fleet run live keeps its simulated twin's schedule (regression test for the
//! seed 001 gap: live closed-loop lanes drew their think times from streams derived from the
//! client's, not from the client's own arrival stream as the simulator does, so every live
//! client made a different number of requests than its simulated twin, and seed 001's 403s,
//! which follow that number, came out 9-14 % below the simulation).
//!
//! Zero service time and no network delay, so an answer takes about a millisecond live and
//! nothing simulated: with the same think times, each client's number of logical requests in
//! 5 s must agree within one (a late wake-up or the real answer times can push the last
//! request past the horizon). Independent draws of ~10 exponential think times per client
//! differ by more than one for most clients.

// live mode: built with the `live` feature (the default)
#![cfg(feature = "live")]

use std::path::PathBuf;
use std::process::Command;

const SCENARIO: &str = r#"
name = "closed-loop-schedule"
seed = 7
duration = "5s"
bucket = "1s"

[server]
dialect = "x-ratelimit-delta"

[[server.limiters]]
scope = "key"
algorithm = "token_bucket"
rate = "1000/s"
burst = 1000

[fleet.one]
count = 8
arrival = { process = "closed", concurrency = 1, think = { dist = "exponential", mean = "500ms" } }

[fleet.two]
count = 4
arrival = { process = "closed", concurrency = 2, think = { dist = "exponential", mean = "500ms" } }
"#;

/// `client -> demand` from a run's `clients.csv`.
fn demand(path: &PathBuf) -> Vec<(String, u64)> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap_or("").split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let (c, d) = (col("client"), col("demand"));
    lines
        .map(|l| {
            let v: Vec<&str> = l.split(',').collect();
            (v[c].to_string(), v[d].parse().unwrap())
        })
        .collect()
}

#[test]
fn live_closed_loop_clients_make_their_simulated_twins_requests() {
    let dir = std::env::temp_dir().join(format!("throttlelab-closed-loop-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("closed.toml");
    std::fs::write(&file, SCENARIO).unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_throttlelab"))
        .arg("check-live")
        .arg(&file)
        .args(["--duration", "5s", "--quiet", "--out"])
        .arg(dir.join("out"))
        .output()
        .unwrap();
    let says = format!(
        "{}\n{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    let run = dir
        .join("out")
        .join("closed-loop-schedule")
        .join("check-live");
    let sim = demand(&run.join("sim").join("clients.csv"));
    let live = demand(&run.join("live").join("clients.csv"));
    assert_eq!(sim.len(), 12, "{says}");
    assert_eq!(live.len(), 12, "{says}");
    let total: u64 = sim.iter().map(|r| r.1).sum();
    // 8 clients x 1 lane + 4 x 2 lanes, ~10 requests a lane in 5 s
    assert!((100..=220).contains(&total), "{total}\n{says}");
    let off: Vec<String> = sim
        .iter()
        .zip(&live)
        .filter(|(s, l)| s.0 != l.0 || s.1.abs_diff(l.1) > 1)
        .map(|(s, l)| format!("{} sim {} live {}", s.0, s.1, l.1))
        .collect();
    assert!(off.is_empty(), "{off:?}\n{says}");
    let _ = std::fs::remove_dir_all(&dir);
}
