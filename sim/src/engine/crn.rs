//! Common random numbers per request identity.
//!
//! A server-wide stream per purpose (one for service times, one for fault coins) hands its
//! n-th draw to whichever attempt happens to come n-th: a variant that reorders requests (a
//! retry policy changed for one fleet, a fleet added) reshuffles every draw, and the
//! comparison measures the reshuffle as much as the change. Here each draw is a function of
//! the attempt's identity instead: `(seed, purpose, fleet name, client index in the fleet,
//! request number of that client, attempt number of that request, leg)`. The same attempt of
//! the same request of an unchanged client gets the same service time, fault coin and
//! network delays in every variant (common random numbers, Law, *Simulation Modeling and
//! Analysis*, 5th ed., section 11.2; counter-based generation as in Salmon et al., "Parallel
//! random numbers: as easy as 1, 2, 3", SC 2011, with SplitMix64's mixer as the hash).
//!
//! A draw costs a few multiply-xorshift rounds (the identity is hashed once per attempt, the
//! per-purpose stream from it with one more round), and no state is kept per request.

use super::rng::{mix64, name_hash, Purpose, Stream};

const GOLDEN: u64 = 0x9E37_79B9_7F4A_7C15;

/// The identity of one attempt, hashed: which fleet, which client of it, its how-manieth
/// logical request, the how-manieth send of that request (retries and hedged copies count;
/// the first is 1).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct AttemptId(pub u64);

impl AttemptId {
    /// Attempt `attempt` of request `request` of client `client` (index within its fleet) of
    /// the fleet whose name hashes (by [`name_hash`]) to `fleet`.
    #[inline]
    pub fn new(fleet: u64, client: u32, request: u32, attempt: u32) -> AttemptId {
        let who = (u64::from(client) << 32) | u64::from(request);
        AttemptId(mix64(
            mix64(fleet ^ who) ^ u64::from(attempt).wrapping_mul(GOLDEN),
        ))
    }

    /// As [`AttemptId::new`] with the fleet's name.
    pub fn named(fleet: &str, client: u32, request: u32, attempt: u32) -> AttemptId {
        AttemptId::new(name_hash(fleet), client, request, attempt)
    }
}

/// The draws of one purpose for a run: a stream per attempt identity and leg.
///
/// ```
/// use sim::engine::{AttemptId, Crn, Purpose};
/// use rand::RngCore;
/// let service = Crn::new(42, Purpose::Service);
/// let id = AttemptId::named("web", 3, 17, 1);
/// assert_eq!(service.stream(id, 0).next_u64(), service.stream(id, 0).next_u64());
/// assert_ne!(service.stream(id, 0).next_u64(), service.stream(id, 1).next_u64());
/// let retry = AttemptId::named("web", 3, 17, 2);
/// assert_ne!(service.stream(id, 0).next_u64(), service.stream(retry, 0).next_u64());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Crn {
    key: u64,
}

impl Crn {
    /// The draws of `purpose` for a run with `seed`.
    pub fn new(seed: u64, purpose: Purpose) -> Crn {
        let mut s = Stream::derive(seed, purpose, "attempt", 0);
        Crn {
            key: rand::RngCore::next_u64(&mut s),
        }
    }

    /// The draws of `purpose` for the entity `name` (e.g. one upstream's faults).
    pub fn named(seed: u64, purpose: Purpose, name: &str) -> Crn {
        let mut s = Stream::derive(seed, purpose, name, 1);
        Crn {
            key: rand::RngCore::next_u64(&mut s),
        }
    }

    /// The stream of attempt `id` for `leg` (several independent draws of one purpose per
    /// attempt, e.g. the network's request and response legs).
    #[inline]
    pub fn stream(&self, id: AttemptId, leg: u64) -> Stream {
        Stream::from_seed(mix64(self.key ^ id.0) ^ leg.wrapping_mul(GOLDEN))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::RngCore;

    #[test]
    fn every_identity_part_changes_the_draw() {
        let c = Crn::new(1, Purpose::Faults);
        let d = |id: AttemptId| c.stream(id, 0).next_u64();
        let base = d(AttemptId::named("a", 1, 2, 3));
        for other in [
            AttemptId::named("b", 1, 2, 3),
            AttemptId::named("a", 2, 2, 3),
            AttemptId::named("a", 1, 3, 3),
            AttemptId::named("a", 1, 2, 4),
            // client and request do not alias
            AttemptId::named("a", 2, 1, 3),
        ] {
            assert_ne!(base, d(other), "{other:?}");
        }
        assert_ne!(
            base,
            Crn::new(2, Purpose::Faults)
                .stream(AttemptId::named("a", 1, 2, 3), 0)
                .next_u64()
        );
        assert_ne!(
            base,
            Crn::new(1, Purpose::Service)
                .stream(AttemptId::named("a", 1, 2, 3), 0)
                .next_u64()
        );
    }

    #[test]
    fn draws_over_consecutive_requests_are_uniform() {
        // Consecutive request numbers of one client: the unit draws must not be correlated
        // with the counter (mean 1/2, and the lag-1 products have mean 1/4).
        let c = Crn::new(7, Purpose::Service);
        let n = 100_000u32;
        let u: Vec<f64> = (0..n)
            .map(|r| c.stream(AttemptId::named("web", 0, r, 1), 0).unit())
            .collect();
        let mean = u.iter().sum::<f64>() / f64::from(n);
        let lag = u.windows(2).map(|w| w[0] * w[1]).sum::<f64>() / f64::from(n - 1);
        assert!((mean - 0.5).abs() < 0.005, "{mean}");
        assert!((lag - 0.25).abs() < 0.005, "{lag}");
    }
}
