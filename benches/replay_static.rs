//! The static replay pass (`throttlelab replay`, issue #17) on a generated nginx `combined`
//! log: read lines, parse, evaluate the client (`ip`) and tenant (`path:/v1/orgs/{org}/...`)
//! keys, and check each request against two candidates at once (a per-tenant token bucket and
//! a per-client fixed window), beside a bare loop over the same bytes that only splits lines
//! and checks they are UTF-8 (the floor of any line-oriented reader). Criterion reports
//! lines/s for both; after the group the bench prints the ratio from interleaved runs and the
//! static pass in lines per minute (the target: at least 10 million per minute on one
//! core).
//!
//! The log has 1,000,000 lines (20,000 in the debug profile, which `cargo test --benches` runs
//! once), or `REPLAY_BENCH_LINES`. Before anything is timed the pass must have read every line
//! with none bad and refused a plausible share, so a bench that silently measured a parser
//! failing early cannot pass.
//!
//! The replay code lives in the binary (`src/replay/`, the design's place for it); the bench
//! compiles the same files in through `#[path]`.

// Not every item of the binary's module is used here, and its unit tests are not built here.
#[allow(dead_code, unused_imports)]
#[path = "../src/replay/mod.rs"]
mod replay;

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput};
use replay::formats::Parser;
use replay::key::KeyExpr;
use replay::static_pass::StaticPass;
use replay::{input::Lines, Reader, Tally};

fn lines() -> usize {
    match std::env::var("REPLAY_BENCH_LINES")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        Some(n) => n,
        None if cfg!(debug_assertions) => 20_000,
        None => 1_000_000,
    }
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// `n` combined-format lines: 1,000 clients in 50 organisations, ~1,000 requests/s, in time
/// order, from a fixed 64-bit LCG (Knuth's MMIX constants): the same bytes every run.
fn generate(n: usize) -> Vec<u8> {
    let mut x: u64 = 0x5eed;
    let mut next = || {
        x = x
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        x >> 33
    };
    let mut out = Vec::with_capacity(n * 130);
    for i in 0..n {
        let t = 1_700_000_000 + (i / 1000) as u64; // 1,000 lines a second
        let day = t / 86_400;
        let s = t % 86_400;
        let (y, m, d) = replay::time::civil_from_days(day as i64);
        let client = next() % 1000;
        let org = client % 50;
        let status = if next() % 20 == 0 { 429 } else { 200 };
        let item = next() % 10_000;
        out.extend_from_slice(
            format!(
                "10.{}.{}.{} - - [{d:02}/{}/{y}:{:02}:{:02}:{:02} +0000] \"GET /v1/orgs/org{org}/items/{item}?page=1 HTTP/1.1\" {status} {} \"-\" \"bench/1.0\"\n",
                client / 256 / 256, client / 256 % 256, client % 256,
                MONTHS[m as usize - 1], s / 3600, s / 60 % 60, s % 60, 100 + item % 900,
            )
            .as_bytes(),
        );
    }
    out
}

fn candidates() -> Vec<(String, Vec<sim::model::Level>)> {
    let mk = |name: &str, level: &str| {
        let toml = format!(
            "name = \"{name}\"\nduration = \"1m\"\n[fleet.f]\ncount = 1\n\
             arrival = {{ process = \"constant\", rate = \"1/s\" }}\n[[server.limiters]]\n{level}"
        );
        let s = sim::scenario::load_str("bench.toml", &toml).unwrap_or_else(|e| panic!("{e}"));
        (name.to_string(), s.server.levels)
    };
    vec![
        mk(
            "org-15s",
            "scope = \"tenant\"\nalgorithm = \"token_bucket\"\nrate = \"15/s\"\nburst = 30\n",
        ),
        mk(
            "client-1s",
            "scope = \"key\"\nalgorithm = \"fixed_window\"\nlimit = 1\nperiod = \"1s\"\n",
        ),
    ]
}

/// The static pass over `log`: (requests checked, refusals of the first candidate).
fn static_pass(log: &[u8]) -> (u64, u64) {
    let mut pass = StaticPass::new(candidates()).unwrap_or_else(|e| panic!("{e}"));
    let mut reader = Reader {
        parser: Parser::new("combined", None, None).unwrap_or_else(|e| panic!("{e}")),
        client: KeyExpr::parse("ip").unwrap_or_else(|e| panic!("{e}")),
        tenant: Some(KeyExpr::parse("path:/v1/orgs/{org}/...").unwrap_or_else(|e| panic!("{e}"))),
        strict: true,
        tally: Tally::default(),
    };
    let mut lines = Lines::new(log);
    let mut failed = None;
    reader
        .read_lines(&mut lines, "bench.log", |r, c, t| {
            if let Err(e) = pass.observe(r.time, c, t, r.status) {
                failed = Some(e);
            }
        })
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(failed.is_none(), "{failed:?}");
    (pass.requests, pass.candidates[0].refused)
}

/// The floor: split the same bytes into lines and check each is UTF-8.
fn bare_lines(log: &[u8]) -> u64 {
    let mut lines = Lines::new(log);
    let mut n = 0u64;
    while let Some((_, l)) = lines.next_line().unwrap_or_else(|e| panic!("{e}")) {
        n += black_box(l.map_or(0, |s| s.len()) as u64).min(1);
    }
    n
}

fn main() {
    let n = lines();
    let log = generate(n);
    let (checked, refused) = static_pass(&log);
    assert_eq!(checked, n as u64, "every generated line is a request");
    // 1,000 lines/s over 50 organisations is 20/s each against 15/s: about a quarter refused.
    assert!(
        refused * 10 > checked && refused * 2 < checked,
        "{refused} of {checked} refused: not the traffic this bench was written for"
    );
    assert_eq!(bare_lines(&log), n as u64);

    let mut c = Criterion::default()
        .configure_from_args()
        .sample_size(10)
        .measurement_time(Duration::from_secs(if cfg!(debug_assertions) {
            1
        } else {
            8
        }));
    let mut g = c.benchmark_group("replay_static");
    g.throughput(Throughput::Elements(n as u64));
    g.bench_function("static_pass_2_candidates", |b| {
        b.iter(|| black_box(static_pass(black_box(&log))))
    });
    g.bench_function("bare_line_split", |b| {
        b.iter(|| black_box(bare_lines(black_box(&log))))
    });
    g.finish();
    c.final_summary();

    // Interleaved runs, so the machine's load falls on both alike; wall time and the
    // thread's CPU time (which leaves out the time other processes held the core).
    let rounds = if cfg!(debug_assertions) { 1 } else { 5 };
    let (mut wall, mut cpu) = ([Duration::ZERO; 2], [0u64; 2]);
    for _ in 0..rounds {
        for (i, f) in [static_pass_count as fn(&[u8]) -> u64, bare_lines]
            .iter()
            .enumerate()
        {
            let (t, c) = (Instant::now(), thread_cpu_ns());
            black_box(f(&log));
            wall[i] += t.elapsed();
            cpu[i] += thread_cpu_ns().saturating_sub(c);
        }
    }
    let lines = (n * rounds) as f64;
    let per_line = |ns: f64| ns / lines;
    let (pw, bw) = (wall[0].as_nanos() as f64, wall[1].as_nanos() as f64);
    let (pc, bc) = (cpu[0] as f64, cpu[1] as f64);
    println!(
        "replay_static: {n} lines x {rounds} rounds\n  wall: static pass {:.0} ns/line \
         ({:.1} M lines/min), bare line split {:.0} ns/line, ratio {:.1}x\n  cpu:  static pass \
         {:.0} ns/line ({:.1} M lines/min), bare line split {:.0} ns/line, ratio {:.1}x",
        per_line(pw),
        60e9 / per_line(pw) / 1e6,
        per_line(bw),
        pw / bw,
        per_line(pc),
        if pc > 0.0 {
            60e9 / per_line(pc) / 1e6
        } else {
            0.0
        },
        per_line(bc),
        if bc > 0.0 { pc / bc } else { 0.0 },
    );
}

fn static_pass_count(log: &[u8]) -> u64 {
    static_pass(log).0
}

/// Nanoseconds this thread has run on a CPU (`/proc/thread-self/schedstat`, first field); 0
/// where there is no such file.
fn thread_cpu_ns() -> u64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}
