//! Memory per idle client: build and run a scenario whose one fleet has 1,000,000 clients (or
//! the count given) that never send a request (a piecewise arrival rate of zero), and report
//! the process's peak resident set size (`VmHWM` in `/proc/self/status`) before and after,
//! divided by the client count. What it measures is everything a client costs a run: its state
//! (random streams, totals), its identity, its row in the per-client results, and whatever the
//! engine sizes by the number of clients.
//!
//! ```sh
//! cargo run --release -p sim --example idle_clients            # 1,000,000 clients
//! cargo run --release -p sim --example idle_clients -- 200000
//! ```
//!
//! The target (issue 3) is at most 200 bytes per idle client.

use limiters::{Nanos, Params};
use sim::model::{Arrival, Fleet, Level, Scenario, Scope};
use std::process::ExitCode;

/// Peak resident set size of this process in KiB (`VmHWM`), if the kernel reports it.
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// A one-hour scenario with `count` clients that never arrive, behind a global token bucket.
fn idle_fleet(count: u32) -> Scenario {
    let mut s = Scenario::new("idle-clients");
    s.duration = Nanos::from_secs(3600);
    s.server.levels.push(Level::new(
        Scope::Global,
        "token_bucket",
        Params::new().with("rate", "500/s").with("burst", 500i64),
    ));
    s.fleets.push(Fleet::new(
        "idle",
        count,
        Arrival::Piecewise {
            points: vec![(Nanos::ZERO, None)],
        },
    ));
    s
}

fn main() -> ExitCode {
    let count: u32 = match std::env::args().nth(1).map(|a| a.parse()) {
        None => 1_000_000,
        Some(Ok(n)) if n > 0 => n,
        Some(_) => {
            eprintln!("usage: idle_clients [CLIENTS > 0]");
            return ExitCode::from(2);
        }
    };
    let Some(before) = peak_rss_kib() else {
        eprintln!("idle_clients: no VmHWM in /proc/self/status (Linux only)");
        return ExitCode::FAILURE;
    };
    let s = idle_fleet(count);
    let r = match sim::run(&s, 42) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("idle_clients: {e}");
            return ExitCode::FAILURE;
        }
    };
    let after = peak_rss_kib().unwrap_or(before);
    if r.events != 0 || r.clients.len() != count as usize {
        eprintln!(
            "idle_clients: expected no events and {count} client rows, got {} and {}",
            r.events,
            r.clients.len()
        );
        return ExitCode::FAILURE;
    }
    let per_client = (after.saturating_sub(before) * 1024) as f64 / f64::from(count);
    println!(
        "{count} idle clients: peak RSS {before} KiB before, {after} KiB after the run: \
         {per_client:.0} bytes per client"
    );
    ExitCode::SUCCESS
}
