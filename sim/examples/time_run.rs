//! Time the simulator on a scenario file: run it `runs` times (seeds 1..=runs) and print the
//! events processed and the CPU time of the process per run (`/proc/self/stat` user + system
//! time, so other processes on a shared machine count less than in wall time). For a quick
//! before/after check of a change to the per-event path; criterion benches are in `benches/`.
//!
//! ```sh
//! cargo run --release -p sim --example time_run -- scenarios/retry-storm.toml 20
//! ```

use std::process::ExitCode;

/// User + system CPU time of this process in clock ticks (`utime`, `stime` of `/proc/self/stat`).
fn cpu_ticks() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name (which may hold spaces) start after the last ')'.
    let rest = &stat[stat.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    Some(f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(path) = args.first() else {
        eprintln!("usage: time_run SCENARIO.toml [RUNS]");
        return ExitCode::from(2);
    };
    let runs: u64 = args.get(1).and_then(|r| r.parse().ok()).unwrap_or(10);
    let s = match sim::scenario::load_file(std::path::Path::new(path)) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let before = cpu_ticks().unwrap_or(0);
    let wall = std::time::Instant::now();
    let mut events = 0u64;
    for seed in 1..=runs {
        match sim::run(&s, seed) {
            Ok(r) => events += r.events,
            Err(e) => {
                eprintln!("{e}");
                return ExitCode::from(2);
            }
        }
    }
    let ticks = cpu_ticks().unwrap_or(0).saturating_sub(before);
    // Linux reports CPU time in 1/100 s (USER_HZ).
    let cpu_ms = ticks as f64 * 10.0 / runs as f64;
    println!(
        "{runs} runs, {} events each; CPU {cpu_ms:.1} ms per run, wall {:.1} ms per run",
        events / runs.max(1),
        wall.elapsed().as_secs_f64() * 1e3 / runs as f64
    );
    ExitCode::SUCCESS
}
