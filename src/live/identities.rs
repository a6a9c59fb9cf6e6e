//! A scenario's client identities as live API keys, shared by `serve --scenario` (which
//! registers them) and `load` (which sends them), so that key- and tenant-scoped limits count
//! the same clients together live as in the simulator.
//!
//! The simulator names client `i` of a fleet by key `<key_prefix>-<k>` (`k = i`, or `i % n`
//! for `keys = n`) and tenant `<tenant_prefix>-<i % tenants>` (`sim::client::IdSpaces`). Live,
//! the key's label is `key-<m>` (its bearer token is the label's secret, see [`super::keys`]),
//! numbered over the fleets in order as `load` numbers them
//! (a fleet takes as many key numbers as it has keys), and the server maps each token to an
//! [`Identity`] carrying the simulator's names. When a fleet's shared keys span several
//! tenants (seed 001: `keys = 1, tenants = 3`), there is one token per (key, tenant) pair,
//! `key-<m>.<t>`: key-scoped levels count by the identity's key name, so the pair tokens of a
//! key still share its limits, while tenant-scoped levels split the clients as the simulator
//! does.

use super::config::Identity;
use sim::model::{Fleet, Keys, Scenario};
use std::collections::HashMap;

/// The live keys of a scenario.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Identities {
    /// Bearer token (`key-<m>` or `key-<m>.<t>`) -> identity with the simulator's key and
    /// tenant names.
    pub keys: HashMap<String, Identity>,
    /// Key numbers in all (`load`'s key space: `key-0 .. key-(tokens-1)`, each perhaps split
    /// by tenant).
    pub tokens: u32,
    /// Identity key name -> the fleets whose clients use it (for levels restricted to fleets).
    pub fleets: HashMap<String, Vec<String>>,
    /// What the mapping cannot express exactly.
    pub caveats: Vec<String>,
}

/// Key numbers a fleet takes: one per key.
pub fn fleet_tokens(f: &Fleet) -> u32 {
    match f.keys {
        Keys::PerClient => f.count,
        Keys::Shared(n) => n.max(1),
    }
}

/// The token index (within its fleet) of client `i`.
pub fn client_token(f: &Fleet, i: u32) -> u32 {
    match f.keys {
        Keys::PerClient => i,
        Keys::Shared(n) => i % n.max(1),
    }
}

/// True if some shared key of `f` is used by clients of several tenants: then its tokens are
/// split by tenant.
fn split_by_tenant(f: &Fleet) -> bool {
    match f.keys {
        Keys::PerClient => false,
        Keys::Shared(n) => f.tenants > 1 && f.count > n.max(1),
    }
}

/// The bearer token of client `i` of fleet `f`, whose key numbers start at `offset`:
/// `key-<m>`, or `key-<m>.<t>` for tenant `t` when the fleet's shared keys span tenants.
pub fn client_bearer(f: &Fleet, offset: u32, i: u32) -> String {
    let m = offset.saturating_add(client_token(f, i));
    if split_by_tenant(f) {
        format!("key-{m}.{}", i % f.tenants.max(1))
    } else {
        format!("key-{m}")
    }
}

/// Map every client of `s` to a token and identity.
pub fn identities(s: &Scenario) -> Identities {
    let mut out = Identities::default();
    let mut offset = 0u32;
    for f in &s.fleets {
        let tenants = f.tenants.max(1);
        let mut warned = false;
        for i in 0..f.count {
            let k = client_token(f, i);
            let token = client_bearer(f, offset, i);
            let id = Identity {
                key: format!("{}-{k}", f.key_prefix),
                tenant: format!("{}-{}", f.tenant_prefix, i % tenants),
            };
            let users = out.fleets.entry(id.key.clone()).or_default();
            if !users.contains(&f.name) {
                users.push(f.name.clone());
            }
            match out.keys.get(&token) {
                Some(old) if *old != id && !warned => {
                    warned = true;
                    // cannot happen (a token names its key and tenant); kept as a guard
                    out.caveats.push(format!(
                        "fleet `{}`: token `{token}` stands for several identities; the first \
                         client's wins",
                        f.name
                    ));
                }
                Some(_) => {}
                None => {
                    out.keys.insert(token, id);
                }
            }
        }
        offset = offset.saturating_add(fleet_tokens(f));
    }
    out.tokens = offset;
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scenario(fleets: &str) -> Scenario {
        let text = format!("name = \"t\"\nduration = \"10s\"\n{fleets}");
        sim::scenario::load_str("t.toml", &text).unwrap()
    }

    const ARR: &str = "arrival = { process = \"constant\", rate = \"1/s\" }";

    #[test]
    fn tokens_carry_the_simulators_key_and_tenant_names() {
        let s = scenario(&format!(
            "[fleet.a]\ncount = 4\ntenants = 2\n{ARR}\n[fleet.b]\ncount = 3\nkeys = 2\n{ARR}\n"
        ));
        let ids = identities(&s);
        assert_eq!(ids.tokens, 6);
        let id = |k: &str, t: &str| Identity {
            key: k.into(),
            tenant: t.into(),
        };
        assert_eq!(ids.keys["key-3"], id("a-3", "a-1"));
        assert_eq!(ids.keys["key-5"], id("b-1", "b-0"));
        assert_eq!(ids.fleets["b-0"], vec!["b".to_string()]);
        assert!(ids.caveats.is_empty());
    }

    #[test]
    fn a_key_shared_by_several_tenants_has_one_token_per_tenant() {
        // seed 001: one key, three customers
        let s = scenario(&format!(
            "[fleet.doc]\ncount = 6\nkeys = 1\ntenants = 3\n{ARR}\n[fleet.x]\ncount = 2\n{ARR}\n"
        ));
        let ids = identities(&s);
        assert_eq!((ids.keys.len(), ids.tokens), (5, 3));
        assert!(ids.caveats.is_empty(), "{:?}", ids.caveats);
        let doc = &s.fleets[0];
        for i in 0..6 {
            let token = client_bearer(doc, 0, i);
            assert_eq!(token, format!("key-0.{}", i % 3));
            let id = &ids.keys[&token];
            // one key name (key-scoped levels share it), the client's own tenant
            assert_eq!(
                (id.key.as_str(), id.tenant.clone()),
                ("doc-0", format!("doc-{}", i % 3))
            );
        }
        assert_eq!(client_bearer(&s.fleets[1], 1, 1), "key-2");
        assert_eq!(ids.keys["key-2"].key, "x-1");
    }

    #[test]
    fn fleets_sharing_a_prefix_share_keys() {
        let s = scenario(&format!(
            "[fleet.a]\ncount = 2\n{ARR}\n[fleet.b]\ncount = 2\nkey_prefix = \"a\"\n{ARR}\n"
        ));
        let ids = identities(&s);
        assert_eq!(ids.fleets["a-1"], vec!["a".to_string(), "b".to_string()]);
    }
}
