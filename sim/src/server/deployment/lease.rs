//! `leases`: each replica leases a share of a level's limit from the central store for a lease
//! period, and the store rebalances the shares by the replicas' recent demand at each renewal.
//!
//! The allocation is Doorman's "proportional share" (github.com/youtube/doorman,
//! `go/server/doorman/algorithm.go`, `ProportionalShare`): with `capacity` to share among
//! `count` clients, the equal share is `capacity / count`; a client that wants at most its equal
//! share, or any client while the sum of all wants fits in the capacity, gets what it wants;
//! otherwise it gets its equal share plus a top-up proportional to its need over the equal
//! share, `equal + (wants - equal) * extraCapacity / extraNeed`, where `extraCapacity` is what
//! the clients under their equal share leave and `extraNeed` the sum of the wants over it.
//! Every grant is bounded by the capacity no other client holds (`unusedCapacity`). Envoy's
//! rate limit quota service (`envoy.extensions.filters.http.rate_limit_quota`) works the same
//! way from the data plane's side: it reports its usage and receives a quota assignment for a
//! period.
//!
//! Here a lease is a count of requests (cost units) per window of the level's length, and a
//! replica enforces it with a sliding log of its own admissions over that window: the shares
//! sum to at most the limit, so while they are steady no window of the deployment admits more
//! than the limit. Where this model decides what Doorman leaves open:
//! - A replica's `wants` is its demand in the last lease period (every cost that reached the
//!   level, refused ones included), scaled to the window.
//! - Every replica renews at the same instants (`lease_period`, `2 lease_period`, ...): the
//!   store takes those renewals as one batch, records every wants first, and assigns in the
//!   order of increasing wants, so capacity one replica gives back is free for the others of the
//!   same batch (Doorman would hand it out at their next refresh).
//! - Capacity no one asked for is spread evenly over the renewing replicas as headroom (Doorman
//!   leaves it unassigned, which would cap a lone replica at its last period's demand): one
//!   replica holds the whole limit, as one server.
//! - A replica cut off from the store keeps its lease, and the store keeps it reserved, until a
//!   renewal succeeds; a grant applies when its reply arrives, a store round trip later, so
//!   while shares move the sum of the leases in force can briefly exceed the limit (as with
//!   Doorman, whose grants are applied by each client on its own).

use limiters::{Decision, Nanos};
use std::collections::VecDeque;

/// Doorman's proportional share: replica `r`'s grant given every replica's `wants` (all in the
/// same unit as `capacity`) and the capacity no other replica holds (`unused`). Integer
/// arithmetic scaled by the replica count (the equal share `capacity / n` is exact).
///
/// ```
/// use sim::server::deployment::proportional_share;
/// // Everyone fits: each gets what it wants.
/// assert_eq!(proportional_share(100, &[30, 20], 0, 100), 30);
/// // Overload: 20 wants less than its equal share of 50, leaving 30 to the other, whose
/// // need over the equal share is 100: it gets 50 + 100 * 30 / 100 = 80.
/// assert_eq!(proportional_share(100, &[150, 20], 0, 100), 80);
/// assert_eq!(proportional_share(100, &[150, 20], 0, 60), 60, "never more than unused");
/// ```
pub fn proportional_share(capacity: u64, wants: &[u64], r: usize, unused: u64) -> u64 {
    let n = wants.len().max(1) as u128;
    let cap = u128::from(capacity);
    let sum: u128 = wants.iter().map(|&w| u128::from(w)).sum();
    let w = u128::from(wants[r]);
    // Everything times n: the equal share is then `cap`.
    if sum <= cap || w * n <= cap {
        return wants[r].min(unused);
    }
    let (mut extra_cap, mut extra_need) = (0u128, 0u128);
    for &o in wants {
        let o = u128::from(o) * n;
        if o < cap {
            extra_cap += cap - o;
        } else {
            extra_need += o - cap;
        }
    }
    // gets * n = cap + (w n - cap) * extra_cap / extra_need; extra_need > 0 as w n > cap.
    let gets_n = cap + (w * n - cap) * extra_cap / extra_need;
    u64::try_from(gets_n / n).unwrap_or(u64::MAX).min(unused)
}

/// A `leases` level's state: the store's leases and each replica's use of its own.
#[derive(Debug)]
pub struct Leases {
    limit: u64,
    window: Nanos,
    /// Time between two renewals.
    pub period: Nanos,
    /// The lease in force at each replica (per window).
    has: Vec<u64>,
    /// What the store granted, not yet at the replica (the reply is on its way).
    granted: Vec<Option<u64>>,
    /// Each replica's last reported wants (per window).
    wants: Vec<u64>,
    /// Cost that reached each replica's level since its last renewal.
    demand: Vec<u64>,
    /// Each replica's admissions in the last window, and their sum.
    log: Vec<VecDeque<(Nanos, u32)>>,
    used: Vec<u64>,
}

impl Leases {
    /// `n` replicas sharing `limit` per `window`, renewing every `period`; each starts with
    /// its equal share.
    pub fn new(limit: u64, window: Nanos, period: Nanos, n: u32) -> Leases {
        let n = n.max(1) as usize;
        let equal = limit / n as u64;
        Leases {
            limit,
            window,
            period,
            has: vec![equal; n],
            granted: vec![None; n],
            wants: vec![equal; n],
            demand: vec![0; n],
            log: vec![VecDeque::new(); n],
            used: vec![0; n],
        }
    }

    /// The lease in force at replica `r`.
    pub fn has(&self, r: usize) -> u64 {
        self.has[r]
    }

    /// What the level admits at `now`, as the time series' limiter gauge: `(remaining,
    /// limit)`, the room left in every replica's lease (its lease minus its admissions in the
    /// last window) summed, against the whole limit.
    ///
    /// ```
    /// use limiters::Nanos;
    /// use sim::server::deployment::Leases;
    /// let mut l = Leases::new(10, Nanos::from_secs(10), Nanos::from_secs(1), 2);
    /// assert_eq!(l.state(Nanos::ZERO), (10, 10));
    /// assert!(l.admit(0, Nanos::ZERO, 3).allowed);
    /// assert_eq!(l.state(Nanos::from_secs(1)), (7, 10));
    /// // the admissions leave the window after 10 s
    /// assert_eq!(l.state(Nanos::from_secs(10)), (10, 10));
    /// ```
    pub fn state(&self, now: Nanos) -> (u64, u64) {
        let remaining = (self.log.iter().zip(&self.has))
            .map(|(log, &has)| {
                let used: u64 = (log.iter())
                    .filter(|(t, _)| *t + self.window > now)
                    .map(|&(_, c)| u64::from(c))
                    .sum();
                has.saturating_sub(used)
            })
            .sum();
        (remaining, self.limit)
    }

    /// Replica `r` decides a request of `cost` at `now` on its lease.
    pub fn admit(&mut self, r: usize, now: Nanos, cost: u32) -> Decision {
        self.demand[r] += u64::from(cost);
        let log = &mut self.log[r];
        while let Some(&(t, c)) = log.front() {
            if t + self.window > now {
                break;
            }
            log.pop_front();
            self.used[r] -= u64::from(c);
        }
        let has = self.has[r];
        let reset = log
            .back()
            .map_or(Nanos::ZERO, |&(t, _)| t + self.window - now);
        if self.used[r] + u64::from(cost) <= has {
            log.push_back((now, cost));
            self.used[r] += u64::from(cost);
            // Full again when this admission leaves the window.
            return Decision::allow(has, has - self.used[r], self.window);
        }
        // The oldest admission leaves the window first (or the next renewal may grow the lease).
        let retry = log
            .front()
            .map_or(self.period, |&(t, _)| t + self.window - now);
        Decision::deny(has, has.saturating_sub(self.used[r]), reset, retry)
    }

    /// The store renews the leases of the replicas that reach it (`reachable[r]`) at once;
    /// returns their grants, which apply when [`Leases::apply`] is called for each.
    pub fn renew(&mut self, reachable: &[bool]) -> Vec<Option<u64>> {
        let n = self.has.len();
        let mut reserved = 0u64;
        let mut batch = Vec::new();
        for (r, &reach) in reachable.iter().enumerate().take(n) {
            if reach {
                let w = u128::from(self.demand[r]) * u128::from(self.window.0)
                    / u128::from(self.period.0.max(1));
                self.wants[r] = u64::try_from(w).unwrap_or(u64::MAX);
                self.demand[r] = 0;
                batch.push(r);
            } else {
                reserved += self.granted[r].unwrap_or(self.has[r]);
            }
        }
        batch.sort_by_key(|&r| (self.wants[r], r));
        let mut grants = vec![None; n];
        let mut assigned = reserved;
        for &r in &batch {
            let unused = self.limit.saturating_sub(assigned);
            let g = proportional_share(self.limit, &self.wants, r, unused);
            assigned += g;
            grants[r] = Some(g);
        }
        if let Some(k) = (!batch.is_empty()).then_some(batch.len() as u64) {
            let headroom = self.limit.saturating_sub(assigned) / k;
            for &r in &batch {
                grants[r] = grants[r].map(|g| g + headroom);
            }
        }
        for (slot, g) in self.granted.iter_mut().zip(&grants) {
            if g.is_some() {
                *slot = *g;
            }
        }
        grants
    }

    /// The store's reply reached replica `r`: its granted lease is in force.
    pub fn apply(&mut self, r: usize) {
        if let Some(g) = self.granted[r].take() {
            self.has[r] = g;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: Nanos = Nanos::from_secs(1);

    #[test]
    fn one_replica_holds_the_whole_limit_whatever_its_demand() {
        let mut l = Leases::new(10, S, S, 1);
        assert_eq!(l.has(0), 10);
        l.admit(0, Nanos::ZERO, 1);
        assert_eq!(l.renew(&[true]), vec![Some(10)]);
    }

    #[test]
    fn a_replica_whose_demand_rises_gets_a_larger_share_after_one_period() {
        let mut l = Leases::new(100, S, S, 2);
        for i in 0..150 {
            l.admit(0, Nanos(i), 1);
        }
        for i in 0..20 {
            l.admit(1, Nanos(i), 1);
        }
        assert_eq!(l.has(0), 50);
        let g = l.renew(&[true, true]);
        assert_eq!(g, vec![Some(80), Some(20)]);
        assert_eq!(l.has(0), 50, "not before the reply arrives");
        l.apply(0);
        l.apply(1);
        assert_eq!((l.has(0), l.has(1)), (80, 20));
    }

    #[test]
    fn even_demand_over_the_limit_keeps_equal_shares_summing_to_at_most_the_limit() {
        let mut l = Leases::new(100, S, S, 3);
        for r in 0..3 {
            for i in 0..200 {
                l.admit(r, Nanos(i), 1);
            }
        }
        let g = l.renew(&[true; 3]);
        assert_eq!(g, vec![Some(33), Some(33), Some(33)]);
    }

    #[test]
    fn a_lease_is_a_sliding_window_count() {
        let mut l = Leases::new(2, S, S, 1);
        assert!(l.admit(0, Nanos(0), 1).allowed);
        assert!(l.admit(0, Nanos(10), 1).allowed);
        let d = l.admit(0, Nanos(20), 1);
        assert!(!d.allowed);
        assert_eq!(
            d.retry_after,
            Some(Nanos(1_000_000_000 - 20)),
            "when the first leaves"
        );
        assert!(l.admit(0, S, 1).allowed, "the first left the window");
    }

    #[test]
    fn an_unreachable_replica_keeps_its_lease_reserved() {
        let mut l = Leases::new(100, S, S, 2);
        for i in 0..500 {
            l.admit(0, Nanos(i), 1);
        }
        assert_eq!(l.renew(&[true, false]), vec![Some(50), None]);
    }
}
