//! The lock-free limiters under real contention: several threads hammer one limiter over a
//! simulated time range, and the total admitted never exceeds the exact GCRA bound
//! `burst + span / T` — whatever the interleaving — while still admitting close to it.

use limiters::{AtomicGcra, AtomicTokenBucket, Decision, Nanos, Rate};
use std::sync::{Arc, Barrier};

const THREADS: u64 = 4;
const CHECKS: u64 = 100_000;

/// Runs `THREADS` threads, each doing `CHECKS` checks at times `0, step, 2*step, ...` (so the
/// threads' clocks interleave out of order), and returns the total admitted cost.
fn hammer<F>(check: F, step: u64, cost_of: fn(u64, u64) -> u32) -> u64
where
    F: Fn(Nanos, u32) -> Decision + Send + Sync + 'static,
{
    let check = Arc::new(check);
    // start together so the checks really interleave
    let start = Arc::new(Barrier::new(THREADS as usize));
    let handles: Vec<_> = (0..THREADS)
        .map(|id| {
            let check = Arc::clone(&check);
            let start = Arc::clone(&start);
            std::thread::spawn(move || {
                start.wait();
                let mut admitted = 0u64;
                for j in 0..CHECKS {
                    let cost = cost_of(id, j);
                    if check(Nanos(j * step), cost).allowed {
                        admitted += u64::from(cost);
                    }
                }
                admitted
            })
        })
        .collect();
    handles
        .into_iter()
        .map(|h| h.join().expect("worker thread panicked"))
        .sum()
}

fn unit(_: u64, _: u64) -> u32 {
    1
}

fn mixed(id: u64, j: u64) -> u32 {
    ((id + j) % 3 + 1) as u32
}

/// The exact bound over `[0, last]`: each admission moves the TAT forward by `cost * T`, the TAT
/// starts at 0 and never exceeds `last + burst * T`.
fn bound(rate: Rate, burst: u64, step: u64) -> u64 {
    let last = (CHECKS - 1) * step;
    burst + last / rate.time_for(1).as_nanos()
}

#[test]
fn atomic_gcra_never_over_admits_under_contention() {
    let rate: Rate = "1000/s".parse().unwrap();
    let burst = 50;
    let step = 10_000; // 100k checks span ~1s of simulated time
    let g = AtomicGcra::new(rate, burst).unwrap();
    let admitted = hammer(move |t, c| g.check(t, c), step, unit);
    let max = bound(rate, burst, step);
    assert!(admitted <= max, "admitted {admitted} > bound {max}");
    assert!(
        admitted >= max * 9 / 10,
        "admitted only {admitted} of {max}"
    );
}

#[test]
fn atomic_token_bucket_never_over_admits_with_weighted_requests() {
    let rate: Rate = "7/ms".parse().unwrap();
    let burst = 20;
    let step = 1_000;
    let tb = AtomicTokenBucket::new(rate, burst).unwrap();
    let admitted = hammer(move |t, c| tb.check(t, c), step, mixed);
    let max = bound(rate, burst, step);
    assert!(admitted <= max, "admitted {admitted} > bound {max}");
    assert!(
        admitted >= max * 8 / 10,
        "admitted only {admitted} of {max}"
    );
}

#[test]
fn all_threads_at_one_instant_share_exactly_one_burst() {
    // half of the 400k checks are admissions racing for the same word
    let burst = THREADS * CHECKS / 2;
    let g = Arc::new(AtomicGcra::new("1/s".parse().unwrap(), burst).unwrap());
    let g2 = Arc::clone(&g);
    let admitted = hammer(move |_, c| g2.check(Nanos::from_secs(5), c), 1, unit);
    assert_eq!(admitted, burst);
    let d = g.peek(Nanos::from_secs(5), 1);
    assert_eq!(d.retry_after, Some(Nanos::from_secs(1)));
}
