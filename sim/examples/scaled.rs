//! The scaled fleet-429 cases of `benches/sim_throughput.rs` (issue #19) without building the
//! whole command-line program: each size's simulator run beside the bare `BinaryHeap` loop of
//! the same size, interleaved, events/s by the thread's CPU time (`/proc/thread-self/schedstat`,
//! which leaves out the time other processes held the core) and the ratio, with the load
//! average. On a shared machine, where a release build of the whole workspace takes an hour,
//! this is the quick way to the same ratios.
//!
//! ```sh
//! cargo run --profile bench -p sim --example scaled -- 3           # 3 rounds
//! SIM_BENCH_SCALED_SIZES=1000000 cargo run --profile bench -p sim --example scaled
//! ```

#[path = "../../benches/sim/bare_loop.rs"]
mod bare_loop;
#[path = "../../benches/sim/scaled.rs"]
mod scaled;

use std::hint::black_box;

const SEED: u64 = 42;

/// CPU time of this thread in ns (the first field of `/proc/thread-self/schedstat`).
fn thread_cpu() -> u64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

/// Events per CPU second of `f`, which returns its events.
fn rate(f: impl FnOnce() -> u64) -> f64 {
    let t0 = thread_cpu();
    let n = f();
    n as f64 / ((thread_cpu() - t0).max(1) as f64 / 1e9)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let rounds: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1);
    let events = scaled::target_events();
    let cases: Vec<scaled::Case> = scaled::sizes()
        .into_iter()
        .map(|n| scaled::case(n, events))
        .collect();
    for c in &cases {
        scaled::check(c);
    }
    let mut rows = vec![(Vec::new(), Vec::new()); cases.len()];
    for _ in 0..rounds {
        for (c, (sim, bare)) in cases.iter().zip(&mut rows) {
            sim.push(rate(|| scaled::run_sim(black_box(c)).0));
            bare.push(rate(|| scaled::run_bare(black_box(c)).events));
        }
    }
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!(
        "fleet-429 scaled, ~{events} events a case, {rounds} interleaved rounds, CPU-time medians, load average {}",
        load.split_whitespace().take(3).collect::<Vec<_>>().join(" ")
    );
    println!("  clients  simulator ev/s  bare loop ev/s  ratio");
    for (c, (sim, bare)) in cases.iter().zip(rows) {
        let (s, b) = (median(sim), median(bare));
        println!("{:>9} {:>15.0} {:>15.0} {:>6.2}", c.clients, s, b, s / b);
    }
}
