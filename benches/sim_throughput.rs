//! Simulator throughput: the `fleet-429` reference scenario (`scenarios/fleet-429.toml`: 1,000
//! Poisson clients at 1/s, a 500/s token bucket with burst 500, `Retry-After: 1` plus uniform
//! [0, 1) s jitter, at most 3 retries, 3,600 simulated seconds, seed 42) run by the full
//! simulator, beside a bare `BinaryHeap` loop of the same model (`sim/bare_loop.rs`: no
//! metrics, no abstraction), in one Criterion group that reports events/s for each.
//!
//! Why a bare loop: absolute events/s on a shared, noisy machine mean little; the ratio to the
//! simplest correct implementation, measured in the same process moments apart, says what the
//! simulator's generality costs. After the Criterion group the bench prints that ratio from
//! interleaved runs (simulator, bare, simulator, ...), by wall time and by the thread's CPU
//! time (`/proc/thread-self/schedstat`, which leaves out the time other processes held the
//! core). `BENCHMARKS.md` records the target as that ratio.
//!
//! Before anything is timed, both subjects must reproduce the reference counts: the simulator
//! admits exactly 1,800,499 attempts in 3,600 s (the saturated bucket's figure, as SimPy's
//! reference model does), the bare loop within 2 of it. A run that silently measured something
//! else fails, also under `cargo test --benches`.
//!
//! The horizon is 3,600 s, or 20 s in the debug profile (`cargo test --benches` runs each bench
//! once, unoptimised), or `SIM_BENCH_SECS` if set.
//!
//! A second group (`sim/deployment_case.rs`, issue #15) runs 64 replicas x 10,000 clients
//! against the same fleet and one server, and prints the deployment-to-one-server ratio from
//! interleaved runs (target: at least 0.5). Its horizon is 60 s, 2 s in the debug profile, or
//! `SIM_BENCH_DEPLOYMENT_SECS`.
//!
//! A third part (`sim/scaled.rs`, issue #19) runs fleet-429 scaled to 1,000 .. 1,000,000
//! clients, each size beside the bare loop of the same size, interleaved, and prints events/s
//! and the ratios per size (no Criterion group: a case is 10 M events).
//!
//! A filter argument (`cargo bench --bench sim_throughput -- scaled`) runs only the parts whose
//! name contains it: `fleet-429`, `deployment`, `scaled`.

#[path = "sim/bare_loop.rs"]
mod bare_loop;
#[path = "sim/deployment_case.rs"]
mod deployment_case;
#[path = "sim/scaled.rs"]
mod scaled;

use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

use criterion::{Criterion, SamplingMode, Throughput};
use limiters::Nanos;
use sim::model::Scenario;

use bare_loop::{bare_loop, BareCounts};

const SEED: u64 = 42;

/// Simulated seconds per run.
fn horizon_secs() -> u64 {
    match std::env::var("SIM_BENCH_SECS")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        Some(secs) => secs,
        None if cfg!(debug_assertions) => 20,
        None => 3600,
    }
}

/// `scenarios/fleet-429.toml`, cut to `secs`.
fn fleet_429(secs: u64) -> Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/fleet-429.toml");
    let mut s =
        sim::scenario::load_file(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    s.duration = Nanos::from_secs(secs);
    s
}

/// One simulator run: (events, admitted).
fn run_sim(s: &Scenario) -> (u64, u64) {
    let r = sim::run(s, SEED).unwrap_or_else(|e| panic!("fleet-429: {e}"));
    (r.events, r.summary.admitted)
}

/// The admitted count the saturated bucket allows: its burst plus 500/s, less the one token
/// the reference's refill rounding leaves (1,800,499 for 3,600 s).
fn expected_admitted(secs: u64) -> u64 {
    500 + 500 * secs - 1
}

/// Run both once and check them against the reference counts; the events of each.
fn check(s: &Scenario, secs: u64) -> (u64, u64) {
    let r = sim::run(s, SEED).unwrap_or_else(|e| panic!("fleet-429: {e}"));
    let sum = &r.summary;
    assert_eq!(sum.admitted, expected_admitted(secs), "simulator admitted");
    assert_eq!(
        r.events,
        sum.logical_requests + sum.retries,
        "events = arrivals + retries"
    );
    let bare: BareCounts = bare_loop(secs, SEED);
    assert!(
        bare.admitted.abs_diff(expected_admitted(secs)) <= 2,
        "bare loop admitted {}",
        bare.admitted
    );
    // Same model, other random draws: event counts agree within noise (10 / sqrt(events),
    // at least 0.5%: 0.5% for the hour, 4.5% for the 20 s of a debug run).
    let rel = (r.events as f64 / bare.events as f64 - 1.0).abs();
    let tol = (10.0 / (bare.events as f64).sqrt()).max(0.005);
    assert!(
        rel < tol,
        "events: simulator {} vs bare {}",
        r.events,
        bare.events
    );
    (r.events, bare.events)
}

/// CPU time of this thread so far (the first field of `/proc/thread-self/schedstat`), if the
/// kernel exposes it.
fn thread_cpu() -> Option<Duration> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: u64 = s.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(ns))
}

/// Wall and CPU time of `f`.
fn timed<T>(f: impl FnOnce() -> T) -> (T, Duration, Option<Duration>) {
    let (c0, t0) = (thread_cpu(), Instant::now());
    let out = f();
    let wall = t0.elapsed();
    let cpu = thread_cpu().zip(c0).map(|(b, a)| b.saturating_sub(a));
    (out, wall, cpu)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Interleaved runs of both; prints median events/s and the simulator-to-bare ratio.
fn ratio_report(s: &Scenario, secs: u64, rounds: usize) {
    let (mut sim_wall, mut sim_cpu, mut bare_wall, mut bare_cpu) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for _ in 0..rounds {
        let ((events, _), wall, cpu) = timed(|| run_sim(black_box(s)));
        sim_wall.push(events as f64 / wall.as_secs_f64());
        sim_cpu.extend(cpu.map(|c| events as f64 / c.as_secs_f64()));
        let (b, wall, cpu) = timed(|| bare_loop(black_box(secs), SEED));
        bare_wall.push(b.events as f64 / wall.as_secs_f64());
        bare_cpu.extend(cpu.map(|c| b.events as f64 / c.as_secs_f64()));
    }
    let (sw, bw) = (median(sim_wall), median(bare_wall));
    println!("fleet-429 ({secs} s, {rounds} interleaved rounds, medians):");
    println!(
        "  wall: simulator {sw:.0} events/s, bare loop {bw:.0} events/s, ratio {:.2}",
        sw / bw
    );
    if sim_cpu.len() == rounds && bare_cpu.len() == rounds {
        let (sc, bc) = (median(sim_cpu), median(bare_cpu));
        println!(
            "  cpu:  simulator {sc:.0} events/s, bare loop {bc:.0} events/s, ratio {:.2}",
            sc / bc
        );
    }
}

/// Simulated seconds per run of the deployment case.
fn deployment_secs() -> u64 {
    match std::env::var("SIM_BENCH_DEPLOYMENT_SECS")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        Some(secs) => secs,
        None if cfg!(debug_assertions) => 2,
        None => 60,
    }
}

/// Interleaved runs of one server and the deployment; prints median events/s and the ratio.
fn deployment_ratio(one: &Scenario, dep: &Scenario, secs: u64, rounds: usize) {
    let (mut one_wall, mut one_cpu, mut dep_wall, mut dep_cpu) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for _ in 0..rounds {
        let ((events, _), wall, cpu) = timed(|| deployment_case::run(black_box(one)));
        one_wall.push(events as f64 / wall.as_secs_f64());
        one_cpu.extend(cpu.map(|c| events as f64 / c.as_secs_f64()));
        let ((events, _), wall, cpu) = timed(|| deployment_case::run(black_box(dep)));
        dep_wall.push(events as f64 / wall.as_secs_f64());
        dep_cpu.extend(cpu.map(|c| events as f64 / c.as_secs_f64()));
    }
    let (ow, dw) = (median(one_wall), median(dep_wall));
    println!(
        "deployment-64x10k ({} replicas, {} clients, {secs} s, {rounds} interleaved rounds, medians):",
        deployment_case::REPLICAS,
        deployment_case::CLIENTS
    );
    println!(
        "  wall: one server {ow:.0} events/s, deployment {dw:.0} events/s, ratio {:.2} (target >= 0.5)",
        dw / ow
    );
    if one_cpu.len() == rounds && dep_cpu.len() == rounds {
        let (oc, dc) = (median(one_cpu), median(dep_cpu));
        println!(
            "  cpu:  one server {oc:.0} events/s, deployment {dc:.0} events/s, ratio {:.2}",
            dc / oc
        );
    }
}

/// Interleaved runs of every scaled case and its bare loop (size by size within a round);
/// prints median events/s per size and the simulator-to-bare ratio, and the load average.
fn scaled_report(rounds: usize) {
    let events = scaled::target_events();
    let cases: Vec<scaled::Case> = scaled::sizes()
        .into_iter()
        .map(|n| scaled::case(n, events))
        .collect();
    for c in &cases {
        scaled::check(c);
    }
    let mut rows = vec![[const { Vec::new() }; 4]; cases.len()];
    for _ in 0..rounds {
        for (c, row) in cases.iter().zip(&mut rows) {
            let ((n, _), wall, cpu) = timed(|| scaled::run_sim(black_box(c)));
            row[0].push(n as f64 / wall.as_secs_f64());
            row[1].extend(cpu.map(|t| n as f64 / t.as_secs_f64()));
            let (b, wall, cpu) = timed(|| scaled::run_bare(black_box(c)));
            row[2].push(b.events as f64 / wall.as_secs_f64());
            row[3].extend(cpu.map(|t| b.events as f64 / t.as_secs_f64()));
        }
    }
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!(
        "fleet-429 scaled (~{events} events a case, {rounds} interleaved rounds, medians; load average {}):",
        load.split_whitespace().take(3).collect::<Vec<_>>().join(" ")
    );
    println!("  clients    horizon  sim wall ev/s  bare wall ev/s  ratio  sim cpu ev/s  bare cpu ev/s  ratio");
    for (c, row) in cases.iter().zip(rows) {
        let [sw, sc, bw, bc] = row.map(|v| {
            if v.len() == rounds {
                median(v)
            } else {
                f64::NAN
            }
        });
        println!(
            "  {:>9} {:>8.3}s {:>14.0} {:>15.0} {:>6.2} {:>13.0} {:>14.0} {:>6.2}",
            c.clients,
            c.horizon as f64 / 1e9,
            sw,
            bw,
            sw / bw,
            sc,
            bc,
            sc / bc
        );
    }
}

/// Criterion's options that take a value (the value is not a filter).
const VALUED: [&str; 12] = [
    "--measurement-time",
    "--warm-up-time",
    "--sample-size",
    "--save-baseline",
    "--baseline",
    "--load-baseline",
    "--color",
    "--output-format",
    "--plotting-backend",
    "--profile-time",
    "--nresamples",
    "--noise-threshold",
];

/// The first argument that is neither a flag nor a flag's value: the filter, as Criterion's.
fn filter_arg() -> Option<String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut prev: Option<&str> = None;
    for a in &args {
        if !a.starts_with('-') && !prev.is_some_and(|p| VALUED.contains(&p)) {
            return Some(a.clone());
        }
        prev = Some(a);
    }
    None
}

fn main() {
    let filter = filter_arg();
    let part = |name: &str| filter.as_deref().is_none_or(|f| name.contains(f));
    // `cargo bench` passes `--bench`; `cargo test --benches` does not (one quick round).
    let full = std::env::args().any(|a| a == "--bench");
    if part("scaled") {
        scaled_report(if full { 3 } else { 1 });
    }
    if !part("fleet-429") && !part("deployment") {
        return;
    }
    let secs = horizon_secs();
    let s = fleet_429(secs);
    let (sim_events, bare_events) = check(&s, secs);
    let mut c = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(20))
        .configure_from_args();
    {
        let mut g = c.benchmark_group("fleet-429");
        g.sampling_mode(SamplingMode::Flat);
        g.throughput(Throughput::Elements(sim_events));
        g.bench_function("simulator", |b| b.iter(|| run_sim(black_box(&s))));
        g.throughput(Throughput::Elements(bare_events));
        g.bench_function("bare_binary_heap", |b| {
            b.iter(|| bare_loop(black_box(secs), SEED))
        });
        g.finish();
    }
    let dsecs = deployment_secs();
    let one = deployment_case::scenario(dsecs, false);
    let dep = deployment_case::scenario(dsecs, true);
    let (one_events, dep_events) = deployment_case::check(&one, &dep);
    {
        let mut g = c.benchmark_group("deployment-64x10k");
        g.sampling_mode(SamplingMode::Flat);
        g.throughput(Throughput::Elements(one_events));
        g.bench_function("one_server", |b| {
            b.iter(|| deployment_case::run(black_box(&one)))
        });
        g.throughput(Throughput::Elements(dep_events));
        g.bench_function("64_replicas", |b| {
            b.iter(|| deployment_case::run(black_box(&dep)))
        });
        g.finish();
    }
    c.final_summary();
    ratio_report(&s, secs, if full { 5 } else { 1 });
    deployment_ratio(&one, &dep, dsecs, if full { 5 } else { 1 });
}
