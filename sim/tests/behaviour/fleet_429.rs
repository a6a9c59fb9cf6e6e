//! The fleet-429 reference model (shared/reference/fleet429_simpy.py): 1,000 Poisson clients at
//! 1/s against a 500/s token bucket with burst 500; 429 with Retry-After 1 plus uniform [0, 1)
//! jitter; at most 3 retries; admitted requests succeed at once.

use limiters::{Nanos, Params};
use sim::model::{
    Arrival, Backend, Fleet, HonourRetryAfter, Level, RetryPolicy, Scenario, Scope, Strategy,
};

pub fn fleet_429(secs: u64) -> Scenario {
    let mut s = Scenario::new("fleet-429");
    s.duration = Nanos::from_secs(secs);
    s.server.levels.push(Level::new(
        Scope::Global,
        "token_bucket",
        Params::new().with("rate", "500/s").with("burst", 500i64),
    ));
    s.server.backend = Backend::instant();
    let mut f = Fleet::new(
        "clients",
        1000,
        Arrival::Poisson {
            rate: "1/s".parse().unwrap(),
        },
    );
    f.retry = RetryPolicy::new(
        Strategy::RetryAfter(HonourRetryAfter {
            jitter: Nanos::from_secs(1),
            ..HonourRetryAfter::default()
        }),
        4,
    );
    s.fleets.push(f);
    s
}

#[test]
fn fleet_429_matches_the_reference_counts() {
    let secs = 200;
    let r = sim::run(&fleet_429(secs), 42).unwrap();
    let s = &r.summary;
    // Arrivals: 1000 clients x 1/s.
    assert!((s.logical_requests as f64 / (1000.0 * secs as f64) - 1.0).abs() < 0.01);
    // The saturated bucket admits its burst plus 500/s.
    let expected_admitted = 500 + 500 * secs;
    assert!(
        s.admitted.abs_diff(expected_admitted) <= 2,
        "admitted {}",
        s.admitted
    );
    // Every admitted attempt is a success; events = arrivals + retries.
    assert_eq!(s.successes, s.admitted);
    assert_eq!(r.events, s.logical_requests + s.retries);
    assert_eq!(s.rejected_total, s.attempts - s.admitted);
    assert!(s.give_ups["max_attempts"] > 0);
}

// The speed comparison with a bare `BinaryHeap` loop of the same model lives in
// `benches/sim_throughput.rs` (the loop itself in `benches/sim/bare_loop.rs`):
// `cargo bench --bench sim_throughput`.

#[test]
#[ignore = "profiling target: the simulator alone on the full fleet-429 hour"]
fn fleet_429_sim_only() {
    let t0 = std::time::Instant::now();
    let s = fleet_429(3600);
    let mut max_pending = 0;
    let mut cb = |p: sim::Progress| max_pending = max_pending.max(p.pending);
    let r = sim::Simulation::new(&s, 42)
        .progress(&mut cb)
        .run()
        .unwrap();
    let wall = t0.elapsed().as_secs_f64();
    println!("max pending events: {max_pending}");
    println!(
        "sim: {} events in {wall:.2}s = {:.0}/s",
        r.events,
        r.events as f64 / wall
    );
}

#[test]
#[ignore = "queue micro-benchmark"]
fn queue_micro() {
    use rand::Rng;
    use sim::engine::{Event, EventQueue, Stream};
    use std::cmp::Reverse;
    use std::collections::BinaryHeap;
    let n = 11_000_000u64;
    for round in 0..2 {
        let mut rng = Stream::from_seed(1);
        let mut h: BinaryHeap<Reverse<(u64, u64, u32, u32)>> = BinaryHeap::new();
        let mut seq = 0;
        for c in 0..4200u32 {
            seq += 1;
            h.push(Reverse((rng.gen_range(0..2_000_000_000), seq, c, 0)));
        }
        let t0 = std::time::Instant::now();
        for _ in 0..n {
            let Reverse((t, _, c, a)) = h.pop().unwrap();
            seq += 1;
            h.push(Reverse((
                t + rng.gen_range(1_000_000_000..2_000_000_000),
                seq,
                c,
                a,
            )));
        }
        let b = t0.elapsed().as_secs_f64();
        let mut rng = Stream::from_seed(1);
        let mut q = EventQueue::new();
        for c in 0..4200u32 {
            q.push(
                Nanos(rng.gen_range(0..2_000_000_000)),
                Event::Arrival { client: c },
            );
        }
        let t0 = std::time::Instant::now();
        for _ in 0..n {
            let (t, e) = q.pop().unwrap();
            q.push(t + Nanos(rng.gen_range(1_000_000_000..2_000_000_000)), e);
        }
        let a = t0.elapsed().as_secs_f64();
        println!("round {round}: EventQueue {a:.2}s, bare heap {b:.2}s");
    }
}
