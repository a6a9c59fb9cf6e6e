//! Random streams derived from the scenario seed by purpose and entity.
//!
//! Every consumer of randomness (the arrivals of client 7 of fleet `web`, the retry jitter of
//! that client, service times, fault coin flips, network delays) draws from its own stream,
//! whose seed is a stable hash of `(scenario seed, purpose, fleet name, index)`. Adding a fleet
//! or switching a retry policy therefore leaves every other stream's draws unchanged: the
//! compared variants see common random numbers. Streams are keyed by fleet *name* and client
//! index within the fleet, never by a global client number.
//!
//! The generator is SplitMix64 (Steele, Lea and Flood, "Fast splittable pseudorandom number
//! generators", OOPSLA 2014; the constants of Vigna's reference `splitmix64.c`): 8 bytes of
//! state, so a million idle clients with two streams each cost 16 MB, and its output is fully
//! specified here, so results do not depend on a `rand` version (`SmallRng` is not portable).
//! The hash is FNV-1a over the fleet name, finished with SplitMix's mixer.

use rand::{Error, RngCore};

const GOLDEN: u64 = 0x9E37_79B9_7F4A_7C15;

/// SplitMix64's output function (a bijective 64-bit mixer).
pub const fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// What a stream is used for (part of its seed).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u64)]
pub enum Purpose {
    /// A client's arrival process (and closed-loop think times).
    Arrivals = 1,
    /// A client's retry jitter.
    Jitter = 2,
    /// Backend service times.
    Service = 3,
    /// Fault coin flips and fault latencies.
    Faults = 4,
    /// Network delays.
    Network = 5,
    /// A deployment balancer's random picks.
    Balancer = 6,
    /// A deployment store's round trips.
    Store = 7,
    /// The changed-body coins of idempotency keys (a salt per fleet).
    IdempotencyBody = 16,
}

/// A SplitMix64 stream.
///
/// ```
/// use sim::engine::{Purpose, Stream};
/// use rand::RngCore;
/// let mut a = Stream::derive(42, Purpose::Arrivals, "web", 3);
/// let mut b = Stream::derive(42, Purpose::Arrivals, "web", 3);
/// assert_eq!(a.next_u64(), b.next_u64());
/// let mut c = Stream::derive(42, Purpose::Jitter, "web", 3);
/// assert_ne!(a.next_u64(), c.next_u64());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stream {
    state: u64,
}

/// FNV-1a 64-bit hash of a name (stable across platforms and Rust versions).
pub fn name_hash(name: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in name.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

impl Stream {
    /// A stream from a raw seed.
    pub const fn from_seed(seed: u64) -> Stream {
        Stream { state: seed }
    }

    /// The stream for `(seed, purpose, entity name, index)`.
    pub fn derive(seed: u64, purpose: Purpose, name: &str, index: u64) -> Stream {
        Stream::derive_hashed(seed, purpose, name_hash(name), index)
    }

    /// As [`Stream::derive`], with the name already hashed by [`name_hash`] (per-client
    /// streams of a large fleet hash the name once).
    pub fn derive_hashed(seed: u64, purpose: Purpose, name_hash: u64, index: u64) -> Stream {
        let mut h = mix64(seed ^ GOLDEN);
        h = mix64(h ^ (purpose as u64).wrapping_mul(GOLDEN));
        h = mix64(h ^ name_hash);
        h = mix64(h ^ index);
        Stream { state: h }
    }

    /// A uniform float in `[0, 1)` with 53 random bits.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }
}

impl RngCore for Stream {
    fn next_u32(&mut self) -> u32 {
        (self.next_u64() >> 32) as u32
    }
    fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(GOLDEN);
        mix64(self.state)
    }
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        rand_core_fill(self, dest)
    }
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), Error> {
        rand_core_fill(self, dest);
        Ok(())
    }
}

fn rand_core_fill(s: &mut Stream, dest: &mut [u8]) {
    for chunk in dest.chunks_mut(8) {
        let v = s.next_u64().to_le_bytes();
        chunk.copy_from_slice(&v[..chunk.len()]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix_matches_the_reference_sequence() {
        // splitmix64.c with x = 1234567: first outputs.
        let mut s = Stream::from_seed(1_234_567);
        assert_eq!(s.next_u64(), 6_457_827_717_110_365_317);
        assert_eq!(s.next_u64(), 3_203_168_211_198_807_973);
    }

    #[test]
    fn streams_differ_by_every_key_part() {
        let base = Stream::derive(1, Purpose::Arrivals, "a", 0);
        assert_ne!(base, Stream::derive(2, Purpose::Arrivals, "a", 0));
        assert_ne!(base, Stream::derive(1, Purpose::Jitter, "a", 0));
        assert_ne!(base, Stream::derive(1, Purpose::Arrivals, "b", 0));
        assert_ne!(base, Stream::derive(1, Purpose::Arrivals, "a", 1));
    }

    #[test]
    fn unit_is_in_range_with_mean_one_half() {
        let mut s = Stream::from_seed(9);
        let n = 100_000;
        let mut sum = 0.0;
        for _ in 0..n {
            let u = s.unit();
            assert!((0.0..1.0).contains(&u));
            sum += u;
        }
        assert!((sum / n as f64 - 0.5).abs() < 0.01);
    }
}
