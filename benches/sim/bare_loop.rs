//! The baseline of `benches/sim_throughput.rs`: the fleet-429 model as a bare
//! `std::collections::BinaryHeap` event loop, with no metrics and no abstraction. 1,000
//! Poisson clients at 1/s, one token bucket of 500/s with burst 500 (held in nano-tokens, so
//! refills are integer), a denial waits `Retry-After: 1` plus uniform [0, 1) s and retries at
//! most 3 times; admitted requests succeed at once. Time is integer nanoseconds, ties resolve
//! by sequence number, as in the simulator.
//!
//! It draws from one SplitMix64 stream (the simulator's `Stream`) where the simulator keeps one
//! per client and purpose, so its counts agree with the simulator's within statistical noise;
//! the admitted count is fixed by the saturated bucket (within 2 of `500 + 500 * secs`).

use rand::Rng;
use rand_distr::Exp1;
use sim::engine::Stream;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// What one run counted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BareCounts {
    /// Events handled: arrivals plus retries.
    pub events: u64,
    /// Attempts the bucket admitted.
    pub admitted: u64,
}

/// Run the model for `secs` simulated seconds from `seed`.
#[allow(dead_code)] // `sim/examples/scaled.rs` includes this file and uses only the scaled loop
pub fn bare_loop(secs: u64, seed: u64) -> BareCounts {
    bare_loop_scaled(1000, 500, secs * 1_000_000_000, seed)
}

/// The model with `clients` clients and a bucket of `rate`/s with a burst of `rate`, for
/// `horizon` ns (the scaled cases of issue #19; fleet-429 is 1,000 clients at 500/s).
pub fn bare_loop_scaled(clients: u32, rate: u64, horizon: u64, seed: u64) -> BareCounts {
    let mut rng = Stream::from_seed(seed);
    // (time, seq, client or u32::MAX for a retry, attempt)
    let mut heap: BinaryHeap<Reverse<(u64, u64, u32, u32)>> = BinaryHeap::new();
    let mut seq = 0u64;
    for c in 0..clients {
        let t = (rng.sample::<f64, _>(Exp1) * 1e9) as u64;
        seq += 1;
        heap.push(Reverse((t, seq, c, 0)));
    }
    let burst = rate * 1_000_000_000; // tokens in nano-units
    let (mut tokens, mut last) = (burst, 0u64);
    let (mut events, mut admitted) = (0u64, 0u64);
    while let Some(Reverse((t, _, c, attempt))) = heap.pop() {
        if t >= horizon {
            break;
        }
        events += 1;
        if c != u32::MAX {
            let next = t + (rng.sample::<f64, _>(Exp1) * 1e9) as u64;
            seq += 1;
            heap.push(Reverse((next, seq, c, 0)));
        }
        tokens = (tokens + (t - last) * rate).min(burst);
        last = t;
        if tokens >= 1_000_000_000 {
            tokens -= 1_000_000_000;
            admitted += 1;
        } else if attempt < 3 {
            let wait = 1_000_000_000 + rng.gen_range(0..1_000_000_000u64);
            seq += 1;
            heap.push(Reverse((t + wait, seq, u32::MAX, attempt + 1)));
        }
    }
    BareCounts { events, admitted }
}
