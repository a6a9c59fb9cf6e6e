//! Each stream's requests: which key, and how long after the previous request. Drawn from a
//! ChaCha stream seeded by (seed, stream), so a stream's plan depends on nothing else.
//!
//! Gaps are relative to the per-key interval of the limit (`1 / rate`) divided by the number
//! of keys, so every key lives near its limit: back-to-back bursts, uniform gaps up to twice
//! the interval, gaps at an exact multiple of the interval give or take a millisecond (the
//! boundary of nginx's integer leak), and long idle gaps of 3 to 12 intervals (capped at 2 s).

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// One planned request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Planned {
    /// Its limit key.
    pub key: String,
    /// Microseconds after the stream starts.
    pub at_us: u64,
}

/// The plan of stream `stream`: `n` requests for a limit of one request per `interval_us` per
/// key.
pub fn plan(seed: u64, stream: u32, n: u64, interval_us: u64) -> Vec<Planned> {
    // the stream's own generator: purpose "conform schedule", then the stream index
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x636f_6e66_6f72_6d00);
    rng.set_stream(u64::from(stream) + 1);
    let keys = rng.gen_range(1..=8u32);
    let interval = interval_us.max(1);
    let mut at = 0u64;
    let mut out = Vec::with_capacity(n as usize);
    for _ in 0..n {
        // a hot key a third of the time, else any key
        let k = if rng.gen_bool(1.0 / 3.0) {
            0
        } else {
            rng.gen_range(0..keys)
        };
        let roll: f64 = rng.gen();
        let per_key = interval / u64::from(keys);
        let gap = if roll < 0.3 {
            0
        } else if roll < 0.65 {
            rng.gen_range(0..=2 * per_key)
        } else if roll < 0.96 {
            let m = rng.gen_range(1..=3u64) * per_key;
            let jitter = rng.gen_range(0..=2u64) * 1000;
            (m + jitter).saturating_sub(1000)
        } else {
            (rng.gen_range(3..=12u64) * interval).min(2_000_000)
        };
        at += gap;
        out.push(Planned {
            key: format!("s{stream}-k{k}"),
            at_us: at,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plans_are_seeded_per_stream() {
        assert_eq!(plan(7, 3, 100, 10_000), plan(7, 3, 100, 10_000));
        assert_ne!(plan(7, 3, 100, 10_000), plan(7, 4, 100, 10_000));
        let p = plan(7, 3, 1000, 10_000);
        assert!(p.windows(2).all(|w| w[0].at_us <= w[1].at_us));
        assert!(p.iter().all(|r| r.key.starts_with("s3-")));
        assert!(p.windows(2).any(|w| w[0].at_us == w[1].at_us), "bursts");
    }
}
