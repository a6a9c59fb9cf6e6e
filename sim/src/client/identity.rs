//! Who a client is to the server: its API key and its tenant, as dense ids.
//!
//! Fleets name keys `<key_prefix>-<n>` and tenants `<tenant_prefix>-<n>`; fleets with the same
//! prefix share those keys or tenants (and so their limits). Each prefix gets a contiguous id
//! range, in sorted prefix order, as large as the largest fleet using it needs: a key id is a
//! base plus an index, computed, never looked up, and no string exists per client until the
//! per-client table is written at the end.

use crate::model::{Fleet, Keys};
use std::collections::BTreeMap;

/// Id ranges of one fleet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identity {
    key_base: u32,
    /// `None`: one key per client.
    key_mod: Option<u32>,
    tenant_base: u32,
    tenants: u32,
    /// First dense tenant slot of the fleet (see [`IdSpaces::tenant_slots`]).
    slot_base: u32,
}

impl Identity {
    /// The key id of client `i` of the fleet.
    #[inline]
    pub fn key(&self, i: u32) -> u32 {
        self.key_base
            + match self.key_mod {
                None => i,
                Some(n) => i % n,
            }
    }
    /// The tenant id of client `i` of the fleet (no division for a fleet of one tenant, the
    /// usual case: this runs for every attempt).
    #[inline]
    pub fn tenant(&self, i: u32) -> u32 {
        self.tenant_base
            + if self.tenants > 1 {
                i % self.tenants
            } else {
                0
            }
    }
    /// The dense tenant slot of client `i` (per-tenant counters are indexed by it): the
    /// tenant's offset in its prefix plus the prefix's first slot.
    #[inline]
    pub fn tenant_slot(&self, i: u32) -> u32 {
        self.tenant(i) - self.tenant_base + self.slot_base
    }
}

/// Id spaces of a run: prefix -> (base, size), for keys and tenants.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IdSpaces {
    keys: BTreeMap<String, (u32, u32)>,
    tenants: BTreeMap<String, (u32, u32)>,
    /// Tenant prefix -> (first slot, tenants in use): the tenants clients can have, which the
    /// id space may exceed (a fleet of 10 clients with `tenants = 1000000` uses 10), so that
    /// per-tenant counters cost at most one entry per client.
    slots: BTreeMap<String, (u32, u32)>,
}

fn assign(sizes: BTreeMap<String, u32>) -> BTreeMap<String, (u32, u32)> {
    let mut base = 0u32;
    sizes
        .into_iter()
        .map(|(p, n)| {
            let b = base;
            base = base.saturating_add(n);
            (p, (b, n))
        })
        .collect()
}

fn name_of(map: &BTreeMap<String, (u32, u32)>, id: u32) -> String {
    map.iter()
        .find(|(_, (b, n))| id >= *b && id < b + n)
        .map(|(p, (b, _))| format!("{p}-{}", id - b))
        .unwrap_or_else(|| format!("#{id}"))
}

impl IdSpaces {
    /// Lay out the ids of `fleets`.
    pub fn new(fleets: &[Fleet]) -> IdSpaces {
        let mut keys: BTreeMap<String, u32> = BTreeMap::new();
        let mut tenants: BTreeMap<String, u32> = BTreeMap::new();
        let mut used: BTreeMap<String, u32> = BTreeMap::new();
        for f in fleets {
            let k = match f.keys {
                Keys::PerClient => f.count,
                Keys::Shared(n) => n.max(1),
            };
            let e = keys.entry(f.key_prefix.clone()).or_insert(0);
            *e = (*e).max(k);
            let e = tenants.entry(f.tenant_prefix.clone()).or_insert(0);
            *e = (*e).max(f.tenants.max(1));
            let e = used.entry(f.tenant_prefix.clone()).or_insert(0);
            *e = (*e).max(f.tenants.max(1).min(f.count.max(1)));
        }
        IdSpaces {
            keys: assign(keys),
            tenants: assign(tenants),
            slots: assign(used),
        }
    }

    /// The identity of a fleet's clients.
    pub fn identity(&self, f: &Fleet) -> Identity {
        Identity {
            key_base: self.keys.get(&f.key_prefix).map_or(0, |x| x.0),
            key_mod: match f.keys {
                Keys::PerClient => None,
                Keys::Shared(n) => Some(n.max(1)),
            },
            tenant_base: self.tenants.get(&f.tenant_prefix).map_or(0, |x| x.0),
            tenants: f.tenants.max(1),
            slot_base: self.slots.get(&f.tenant_prefix).map_or(0, |x| x.0),
        }
    }

    /// Tenant slots in use: at most the number of clients.
    pub fn tenant_slots(&self) -> u32 {
        self.slots
            .values()
            .map(|x| x.1)
            .fold(0, u32::saturating_add)
    }

    /// The name of the tenant in slot `slot`.
    pub fn slot_tenant_name(&self, slot: u32) -> String {
        name_of(&self.slots, slot)
    }

    /// The name of key `id`.
    pub fn key_name(&self, id: u32) -> String {
        name_of(&self.keys, id)
    }

    /// The name of tenant `id`.
    pub fn tenant_name(&self, id: u32) -> String {
        name_of(&self.tenants, id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Arrival;
    use limiters::Nanos;

    fn fleet(name: &str, count: u32) -> Fleet {
        Fleet::new(
            name,
            count,
            Arrival::Cron {
                period: Nanos::from_secs(60),
                offset: Nanos::ZERO,
            },
        )
    }

    #[test]
    fn shared_prefixes_share_ids_and_others_do_not() {
        let a = fleet("a", 4);
        let mut b = fleet("b", 3);
        b.tenant_prefix = "a".into();
        b.keys = Keys::Shared(2);
        let s = IdSpaces::new(&[a.clone(), b.clone()]);
        let (ia, ib) = (s.identity(&a), s.identity(&b));
        assert_eq!(
            (0..4).map(|i| ia.key(i)).collect::<Vec<_>>(),
            vec![0, 1, 2, 3]
        );
        assert_eq!((0..3).map(|i| ib.key(i)).collect::<Vec<_>>(), vec![4, 5, 4]);
        assert_eq!(ia.tenant(3), ib.tenant(1));
        assert_eq!(s.key_name(5), "b-1");
        assert_eq!(s.tenant_name(ia.tenant(0)), "a-0");
    }

    #[test]
    fn tenant_slots_are_dense_and_name_the_same_tenants() {
        let mut wide = fleet("wide", 10);
        wide.tenants = 1_000_000; // more tenants than clients: 10 in use
        let mut quiet = fleet("quiet", 30);
        quiet.tenants = 3;
        let mut more = fleet("more", 5);
        more.tenant_prefix = "quiet".into();
        more.tenants = 4; // shares quiet's prefix: 4 in use over both
        let fleets = [wide.clone(), quiet.clone(), more.clone()];
        let s = IdSpaces::new(&fleets);
        assert_eq!(s.tenant_slots(), 10 + 4);
        for f in &fleets {
            let id = s.identity(f);
            for i in 0..f.count {
                let slot = id.tenant_slot(i);
                assert!(slot < s.tenant_slots());
                assert_eq!(s.slot_tenant_name(slot), s.tenant_name(id.tenant(i)));
            }
        }
        assert_eq!(
            s.identity(&quiet).tenant_slot(2),
            s.identity(&more).tenant_slot(2)
        );
    }
}
