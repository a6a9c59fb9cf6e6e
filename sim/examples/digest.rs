//! Print a digest of everything a run produces (its `RunResult` as JSON, FNV-1a 64) for each
//! scenario file given, with the file's seed: a change to the engine that must not change any
//! output (the event queue, issue #19) is checked by comparing the digests of builds before
//! and after it, on scenarios small and large (1,000,000 clients).
//!
//! ```sh
//! cargo run --release -p sim --example digest -- scenarios/fleet-429.toml scenarios/*.toml
//! ```

use std::process::ExitCode;

/// FNV-1a, 64 bits.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

fn main() -> ExitCode {
    let files: Vec<String> = std::env::args().skip(1).collect();
    if files.is_empty() {
        eprintln!("usage: digest FILE...");
        return ExitCode::from(2);
    }
    for file in files {
        let scenario = match sim::scenario::load_file(std::path::Path::new(&file)) {
            Ok(s) => s,
            Err(e) => {
                eprintln!("{e}");
                return ExitCode::from(2);
            }
        };
        match sim::run(&scenario, scenario.seed) {
            Ok(r) => {
                let json = serde_json::to_vec(&r).expect("a result serialises");
                println!("{:016x} {} events {}", fnv1a(&json), r.events, file);
            }
            Err(e) => {
                eprintln!("{file}: {e}");
                return ExitCode::from(1);
            }
        }
    }
    ExitCode::SUCCESS
}
