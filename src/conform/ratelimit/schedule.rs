//! Request streams for ratelimit's fixed windows. What decides a fixed window is where a
//! request falls against the window boundary, so about a third of the steps are a burst of one
//! key split across the next boundary (the first half 0.2 to 3 ms before it, the rest 0 to
//! 3 ms after), beside bursts within a window, random gaps around the per-key rate, and idle
//! gaps of whole windows. The driver starts the streams on a window boundary
//! ([`super::align_to_window`]), so planned boundaries are the service's Unix windows give or
//! take the scheduling delay. Seeded by (seed, stream) on a ChaCha stream of its own.

use crate::conform::schedule::Planned;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// `n` requests of stream `stream` for windows of `window_us` allowing `limit` each.
pub fn plan(seed: u64, stream: u32, n: u64, window_us: u64, limit: u64) -> Vec<Planned> {
    // purpose "ratelimit schedule", then the stream index
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x7261_7465_6c69_6d00);
    rng.set_stream(u64::from(stream) + 1);
    let keys = rng.gen_range(1..=4u64);
    let window = window_us.max(1000);
    let limit = limit.clamp(1, 1000);
    let per_key = window / limit;
    let mut at = 0u64;
    let mut out = Vec::with_capacity(n as usize);
    let key = |k: u64| format!("s{stream}-k{k}");
    while (out.len() as u64) < n {
        let k = rng.gen_range(0..keys);
        let roll: f64 = rng.gen();
        if roll < 0.3 {
            let next = (at / window + 1) * window;
            at = at.max(next.saturating_sub(rng.gen_range(200..=3000)));
            let after = next + rng.gen_range(0..=3000);
            let b = rng.gen_range(1..=limit + 2);
            for j in 0..b {
                if j == b / 2 {
                    at = at.max(after);
                }
                out.push(Planned {
                    key: key(k),
                    at_us: at,
                });
            }
        } else if roll < 0.5 {
            for _ in 0..rng.gen_range(1..=limit / 2 + 1) {
                out.push(Planned {
                    key: key(k),
                    at_us: at,
                });
            }
        } else if roll < 0.96 {
            at += rng.gen_range(0..=2 * per_key / keys);
            out.push(Planned {
                key: key(k),
                at_us: at,
            });
        } else {
            at += rng.gen_range(1..=3) * window;
            out.push(Planned {
                key: key(k),
                at_us: at,
            });
        }
    }
    out.truncate(n as usize);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_straddle_window_boundaries() {
        let p = plan(3, 1, 2000, 1_000_000, 5);
        assert_eq!(p, plan(3, 1, 2000, 1_000_000, 5));
        assert_ne!(p, plan(3, 2, 2000, 1_000_000, 5));
        assert!(p.windows(2).all(|w| w[0].at_us <= w[1].at_us));
        // the same key within 3 ms on both sides of a window boundary
        let straddles = p
            .windows(2)
            .filter(|w| {
                w[0].key == w[1].key
                    && w[0].at_us / 1_000_000 != w[1].at_us / 1_000_000
                    && w[1].at_us - w[0].at_us <= 6000
            })
            .count();
        assert!(straddles > 50, "{straddles}");
    }
}
