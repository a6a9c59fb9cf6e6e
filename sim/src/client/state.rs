//! Per-client and per-fleet runtime state.
//!
//! A client is 40 bytes: two 8-byte random streams (arrivals, retry jitter), its totals, its
//! tenant slot and its fleet index. Clients live in one `Vec` indexed by global client id; a fleet's clients are
//! contiguous. Per-client streams are seeded by `(seed, purpose, fleet name, index in fleet)`.

use super::{ArrivalGen, Identity};
use crate::engine::{name_hash, Purpose, Stream};
use crate::model::Fleet;
use crate::retry::{ClientGate, RetryPolicy};
use limiters::Nanos;

/// One client.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientState {
    /// Arrivals and think times.
    pub arrivals: Stream,
    /// Retry jitter.
    pub jitter: Stream,
    /// Logical requests started.
    pub demand: u32,
    /// Successes.
    pub successes: u32,
    /// Attempts sent.
    pub attempts: u32,
    /// Give-ups.
    pub give_ups: u32,
    /// Dense tenant slot (`Identity::tenant_slot`): per-tenant counters are indexed by it.
    pub tenant: u32,
    /// Fleet index.
    pub fleet: u16,
}

/// A fleet at run time.
#[derive(Debug)]
pub struct FleetRt {
    /// Name.
    pub name: String,
    /// [`name_hash`] of the name (part of every attempt's identity).
    pub name_hash: u64,
    /// Global index of its first client.
    pub first: u32,
    /// Clients.
    pub count: u32,
    /// Key and tenant ids.
    pub identity: Identity,
    /// Arrival process.
    pub arrival: ArrivalGen,
    /// Per-attempt timeout.
    pub timeout: Option<Nanos>,
    /// Deadline per logical request.
    pub deadline: Option<Nanos>,
    /// Cost.
    pub cost: u32,
    /// Idempotent requests.
    pub idempotent: bool,
    /// Retry policy.
    pub policy: RetryPolicy,
    /// Fleet-wide gate, if any.
    pub gate: Option<Box<dyn ClientGate>>,
    /// How its clients read rate-limit headers (`None`: exact advice).
    pub headers: Option<crate::client::HeaderClient>,
    /// Attempts carry an idempotency key.
    pub idempotency_key: bool,
    /// Probability that a retry carries a changed body under the same key.
    pub changed_body: f64,
    /// Salt of the changed-body coin (from the seed and the fleet's name).
    pub body_salt: u64,
    /// Fail-over between upstreams.
    pub failover: Option<crate::model::Failover>,
    /// Hedged requests, if the fleet sends them.
    pub hedge: Option<crate::client::hedge::HedgeRt>,
}

impl FleetRt {
    /// Runtime form of `f`, whose first client has global index `first`.
    pub fn new(f: &Fleet, first: u32, identity: Identity) -> FleetRt {
        FleetRt {
            name: f.name.clone(),
            name_hash: name_hash(&f.name),
            first,
            count: f.count,
            identity,
            arrival: ArrivalGen::new(&f.arrival),
            timeout: f.timeout,
            deadline: f.deadline,
            cost: f.cost,
            idempotent: f.idempotent,
            policy: f.retry,
            gate: crate::client::gate::build_gates(&f.gates),
            headers: f.headers,
            idempotency_key: f.idempotency_key,
            changed_body: f.changed_body,
            body_salt: 0,
            failover: f.failover,
            hedge: f.hedge.map(crate::client::hedge::HedgeRt::new),
        }
    }

    /// The fleet's clients, with their streams derived from `seed`.
    pub fn clients(&self, seed: u64, fleet_index: u16) -> impl Iterator<Item = ClientState> + '_ {
        let h = name_hash(&self.name);
        (0..self.count).map(move |i| ClientState {
            arrivals: Stream::derive_hashed(seed, Purpose::Arrivals, h, u64::from(i)),
            jitter: Stream::derive_hashed(seed, Purpose::Jitter, h, u64::from(i)),
            demand: 0,
            successes: 0,
            attempts: 0,
            give_ups: 0,
            tenant: self.identity.tenant_slot(i),
            fleet: fleet_index,
        })
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_client_is_small() {
        assert!(std::mem::size_of::<super::ClientState>() <= 40);
    }
}
