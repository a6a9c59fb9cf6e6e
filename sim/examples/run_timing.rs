//! Wall time of the simulator's hot path: load a scenario file and run it with seeds
//! `1..=runs`, then print the total time, the events processed and the nanoseconds per event.
//! Used to compare builds (e.g. before and after a change to per-attempt draws); under
//! `valgrind --tool=callgrind` its instruction count is robust to a busy machine.
//!
//! ```sh
//! cargo run --release -p sim --example run_timing -- scenarios/retry-storm.toml 50
//! ```

use std::process::ExitCode;
use std::time::Instant;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next() else {
        eprintln!("usage: run_timing SCENARIO.toml [RUNS]");
        return ExitCode::from(2);
    };
    let runs: u64 = match args.next().map(|a| a.parse()) {
        None => 10,
        Some(Ok(n)) if n > 0 => n,
        Some(_) => {
            eprintln!("RUNS must be a positive integer");
            return ExitCode::from(2);
        }
    };
    let scenario = match sim::scenario::load_file(std::path::Path::new(&path)) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let start = Instant::now();
    let mut events = 0u64;
    let mut attempts = 0u64;
    for seed in 1..=runs {
        match sim::run(&scenario, seed) {
            Ok(r) => {
                events += r.events;
                attempts += r.summary.attempts;
            }
            Err(e) => {
                eprintln!("seed {seed}: {e}");
                return ExitCode::from(1);
            }
        }
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{path}: {runs} runs, {events} events, {attempts} attempts, {secs:.3} s, {:.1} ns/event",
        secs * 1e9 / events.max(1) as f64
    );
    ExitCode::SUCCESS
}
