//! Run one scenario file, optionally cut to a shorter horizon, and print its event count: the
//! smallest program that exercises the engine loop, for instruction counts under callgrind
//! (robust on a busy machine, unlike wall time), e.g. the cost of the stall guard (issue #14):
//!
//! ```sh
//! cargo build --profile profiling -p sim --example run_file
//! valgrind --tool=callgrind --callgrind-out-file=/tmp/cg.out \
//!     target/profiling/examples/run_file scenarios/fleet-429.toml 60
//! ```

use limiters::Nanos;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(file) = args.first() else {
        eprintln!("usage: run_file FILE [HORIZON_SECONDS]");
        return ExitCode::from(2);
    };
    let mut scenario = match sim::scenario::load_file(std::path::Path::new(file)) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    if let Some(secs) = args.get(1).and_then(|s| s.parse::<u64>().ok()) {
        scenario.duration = scenario.duration.min(Nanos::from_secs(secs));
    }
    match sim::run(&scenario, scenario.seed) {
        Ok(r) => {
            println!("{} events", r.events);
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::from(1)
        }
    }
}
