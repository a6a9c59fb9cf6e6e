//! Hedged requests live (`throttlelab check-live` on a small hedging scenario): against the
//! in-process server with a bimodal backend (20 % of requests take 400 ms instead of 5 ms), a
//! fleet with `[fleet.hedged.hedge]` sends a second copy after 100 ms, some of those win and
//! the losers are abandoned (the server finishes their work: wasted); the fleet without
//! hedging sends none; a hedging fleet whose retry bucket holds three tokens sends three
//! hedges and gives up nothing. The simulated and live runs agree on the headline figures
//! (retry amplification, which counts the hedges, within 5 %) and on the number of hedges
//! within the sampling noise of the slow-path draws (see `hedges_within_sampling_noise`).

// live mode: built with the `live` feature (the default)
#![cfg(feature = "live")]

use std::path::{Path, PathBuf};
use std::process::Command;

const SCENARIO: &str = r#"
name = "live-hedge-test"
seed = 7
duration = "5s"

[server.backend]
workers = 200
queue = 400
service_time = { dist = "bimodal", low = "5ms", high = "400ms", p_high = 0.2 }

[fleet.plain]
count = 10
arrival = { process = "poisson", rate = "10/s" }
timeout = "3s"

[fleet.hedged]
count = 10
arrival = { process = "poisson", rate = "10/s" }
timeout = "3s"

[fleet.hedged.hedge]
delay = "100ms"
max_hedges = 1

[fleet.gated]
count = 10
arrival = { process = "poisson", rate = "10/s" }
timeout = "3s"

[fleet.gated.hedge]
delay = "100ms"
max_hedges = 1

# a hedge is a retry to the gates: three tokens, never refilled, so three hedges
[[fleet.gated.gates]]
kind = "retry_bucket"
capacity = 10
initial = 3
deposit = 0
withdraw = 1
"#;

/// Slow-path probability of `SCENARIO`.
const P_HIGH: f64 = 0.2;

fn tmp(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!(
        "throttlelab-live-hedge-{}-{tag}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("temp dir");
    d
}

/// `summary.csv` rows of one side, by scope (fleet name or the total's).
fn summary(path: &Path) -> Vec<std::collections::HashMap<String, String>> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut lines = text.lines();
    let head: Vec<&str> = lines.next().expect("header").split(',').collect();
    lines
        .map(|l| {
            head.iter()
                .zip(l.split(','))
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

fn figure(rows: &[std::collections::HashMap<String, String>], scope: &str, col: &str) -> u64 {
    let row = rows
        .iter()
        .find(|r| r["fleet"] == scope)
        .unwrap_or_else(|| panic!("no row {scope}"));
    row[col]
        .parse()
        .unwrap_or_else(|e| panic!("{col} `{}`: {e}", row[col]))
}

/// Both sides draw which first copies take the slow path (the simulator from its seeded
/// stream, the live backend on its own), so the two hedge counts are two binomial draws of
/// about `n = logical requests` with `p = P_HIGH`: their difference has a standard deviation
/// of about `sqrt(2 n p (1 - p))`. Four of those (plus one for a copy at the horizon) fail
/// once in ~16,000 runs by chance, and still catch a live client that hedges every request
/// (~5x), never, or twice per round.
fn hedges_within_sampling_noise(sim: u64, live: u64, logical: u64) -> bool {
    let sd = (2.0 * logical as f64 * P_HIGH * (1.0 - P_HIGH)).sqrt();
    (sim as f64 - live as f64).abs() <= 4.0 * sd + 1.0
}

#[test]
fn hedges_are_sent_live_win_sometimes_and_agree_with_the_simulator() {
    let dir = tmp("check");
    let scenario = dir.join("hedge.toml");
    std::fs::write(&scenario, SCENARIO).expect("write scenario");
    let out = Command::new(env!("CARGO_BIN_EXE_throttlelab"))
        .arg("check-live")
        .arg(&scenario)
        .args(["--tolerance", "5%", "--out"])
        .arg(&dir)
        .output()
        .expect("run throttlelab");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stderr.contains("hedged requests are not sent live"),
        "{stderr}"
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "headline figures differ:\n{stdout}\n{stderr}"
    );
    assert!(
        stdout.contains("hedges") && stdout.contains("hedge wins"),
        "{stdout}"
    );
    let base = dir.join("live-hedge-test").join("check-live");
    let live = summary(&base.join("live").join("summary.csv"));
    let sim = summary(&base.join("sim").join("summary.csv"));
    // live: the hedging fleet hedges, some hedges win, the losers are abandoned
    let hedges = figure(&live, "hedged", "hedges");
    let wins = figure(&live, "hedged", "hedge_wins");
    let abandoned = figure(&live, "hedged", "hedge_abandoned");
    let logical = figure(&live, "hedged", "logical_requests");
    assert!(hedges >= 20, "hedges {hedges} of {logical} requests");
    assert!(wins > 0 && wins <= hedges, "wins {wins} of {hedges}");
    assert!(
        abandoned > 0 && abandoned <= hedges,
        "abandoned {abandoned}"
    );
    // an abandoned copy's connection is closed, but the server finishes its work: wasted
    let wasted = figure(&live, "hedged", "wasted_attempts");
    assert!(
        wasted > 0 && wasted <= abandoned,
        "wasted {wasted} of {abandoned}"
    );
    // hedges are attempts: the load they add
    let attempts = figure(&live, "hedged", "attempts");
    assert_eq!(attempts, logical + hedges, "no retries configured");
    // the fleet without hedging sends none
    assert_eq!(figure(&live, "plain", "hedges"), 0);
    assert_eq!(
        figure(&live, "plain", "attempts"),
        figure(&live, "plain", "logical_requests")
    );
    // the gates are asked before each hedge: three tokens, three hedges on both sides; a
    // refused hedge does not give up its request
    for side in [&live, &sim] {
        assert_eq!(figure(side, "gated", "hedges"), 3);
        assert_eq!(figure(side, "gated", "give_ups_total"), 0);
    }
    // simulated and live agree on the hedges within the slow-path sampling noise
    let sim_hedges = figure(&sim, "hedged", "hedges");
    assert!(
        hedges_within_sampling_noise(sim_hedges, hedges, logical),
        "hedges: simulated {sim_hedges}, live {hedges} ({logical} requests)\n{stdout}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_noise_bound_rejects_a_client_that_hedges_everything_or_nothing() {
    // ~500 requests, ~100 slow: sd of the difference ~12.6, bound ~51
    assert!(hedges_within_sampling_noise(100, 130, 500));
    assert!(!hedges_within_sampling_noise(100, 0, 500));
    assert!(!hedges_within_sampling_noise(100, 500, 500));
    assert!(!hedges_within_sampling_noise(100, 200, 500));
}
