//! The balancer in front of a deployment's replicas: which replica an attempt goes to.
//!
//! Each policy is the one of a real balancer: `round_robin` is HAProxy's `balance roundrobin`
//! (`src/lb_fwrr.c`, weights equal); `least_outstanding` HAProxy's `balance leastconn`
//! (`src/lb_fwlc.c`: fewest connections in flight, ties in server order); `power_of_two`
//! Envoy's `LEAST_REQUEST` with `choice_count: 2` (`source/common/upstream/load_balancer_impl.cc`,
//! "P2C": two hosts drawn at random, the one with fewer active requests); `random` Envoy's
//! `RANDOM`; `hash_key` HAProxy's `balance hdr(Authorization)` with its map-based hash (a key
//! keeps its replica while the set of healthy replicas stays the same); `weighted` a random
//! pick in proportion to the weights (HAProxy `weight`, drawn rather than interleaved).
//!
//! Only replicas in rotation are picked ([`BalancerRt::pick`] is given them); the random
//! draws come from the run's own `Balancer` stream, so adding a deployment changes no other
//! draw.

use crate::engine::{mix64, Purpose, Stream};
use crate::model::Balancer;
use rand::Rng;

/// A balancer at run time.
#[derive(Debug)]
pub struct BalancerRt {
    policy: Balancer,
    next: usize,
    draws: Stream,
}

impl BalancerRt {
    /// The balancer of a run with `seed`.
    pub fn new(policy: &Balancer, seed: u64) -> BalancerRt {
        BalancerRt {
            policy: policy.clone(),
            next: 0,
            draws: Stream::derive(seed, Purpose::Balancer, "deployment", 0),
        }
    }

    /// The replica for an attempt with API key `key`, among `up` (the replicas in rotation,
    /// ascending, not empty); `outstanding[r]` is replica `r`'s attempts in flight.
    pub fn pick(&mut self, key: u32, up: &[u32], outstanding: &[u32]) -> u32 {
        let n = up.len();
        let load = |r: u32| outstanding[r as usize];
        match &self.policy {
            Balancer::RoundRobin => {
                // The next replica in turn at or after the cursor that is in rotation.
                let total = outstanding.len();
                for step in 0..total {
                    let r = ((self.next + step) % total) as u32;
                    if up.contains(&r) {
                        self.next = (r as usize + 1) % total;
                        return r;
                    }
                }
                up[0]
            }
            Balancer::Random => up[self.draws.gen_range(0..n)],
            Balancer::LeastOutstanding => up
                .iter()
                .copied()
                .min_by_key(|&r| (load(r), r))
                .unwrap_or(up[0]),
            Balancer::PowerOfTwo => {
                let a = up[self.draws.gen_range(0..n)];
                let b = up[self.draws.gen_range(0..n)];
                if load(b) < load(a) {
                    b
                } else {
                    a
                }
            }
            Balancer::HashKey => up[(mix64(u64::from(key)) % n as u64) as usize],
            Balancer::Weighted(w) => {
                let total: u64 = up.iter().map(|&r| u64::from(w[r as usize])).sum();
                if total == 0 {
                    return up[0];
                }
                let mut x = self.draws.gen_range(0..total);
                for &r in up {
                    let wr = u64::from(w[r as usize]);
                    if x < wr {
                        return r;
                    }
                    x -= wr;
                }
                up[n - 1]
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_robin_takes_turns_and_skips_replicas_out_of_rotation() {
        let mut b = BalancerRt::new(&Balancer::RoundRobin, 1);
        let load = [0; 3];
        let got: Vec<u32> = (0..6).map(|_| b.pick(0, &[0, 1, 2], &load)).collect();
        assert_eq!(got, [0, 1, 2, 0, 1, 2]);
        let got: Vec<u32> = (0..4).map(|_| b.pick(0, &[0, 2], &load)).collect();
        assert_eq!(got, [0, 2, 0, 2]);
    }

    #[test]
    fn least_outstanding_takes_the_least_loaded_lowest_first() {
        let mut b = BalancerRt::new(&Balancer::LeastOutstanding, 1);
        assert_eq!(b.pick(0, &[0, 1, 2], &[3, 1, 1]), 1);
        assert_eq!(b.pick(0, &[0, 2], &[3, 1, 1]), 2);
    }

    #[test]
    fn hash_key_is_sticky_and_weighted_follows_the_weights() {
        let mut b = BalancerRt::new(&Balancer::HashKey, 1);
        let load = [0; 4];
        for key in 0..50 {
            let r = b.pick(key, &[0, 1, 2, 3], &load);
            assert!((0..50).all(|_| b.pick(key, &[0, 1, 2, 3], &load) == r));
        }
        let mut w = BalancerRt::new(&Balancer::Weighted(vec![1, 0, 3]), 7);
        let mut n = [0u32; 3];
        for _ in 0..4000 {
            n[w.pick(0, &[0, 1, 2], &[0; 3]) as usize] += 1;
        }
        assert_eq!(n[1], 0, "a zero weight is never picked");
        assert!((2800..3200).contains(&n[2]), "3 of 4 go to weight 3: {n:?}");
    }
}
