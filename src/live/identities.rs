//! A scenario's client identities as live API keys, shared by `serve --scenario` (which
//! registers them) and `load` (which sends them), so that key- and tenant-scoped limits count
//! the same clients together live as in the simulator.
//!
//! The simulator names client `i` of a fleet by key `<key_prefix>-<k>` (`k = i`, or `i % n`
//! for `keys = n`) and tenant `<tenant_prefix>-<i % tenants>` (`sim::client::IdSpaces`). Live,
//! the bearer token is `key-<m>`, numbered over the fleets in order as `load` numbers them
//! (a fleet takes as many tokens as it has keys), and the server maps each token to an
//! [`Identity`] carrying the simulator's names. A key is one identity, so a fleet whose
//! shared keys span several tenants cannot be expressed exactly: the first client's tenant
//! wins and a caveat says so.

use super::config::Identity;
use sim::model::{Fleet, Keys, Scenario};
use std::collections::HashMap;

/// The live keys of a scenario.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Identities {
    /// Bearer token (`key-<m>`) -> identity with the simulator's key and tenant names.
    pub keys: HashMap<String, Identity>,
    /// Tokens in all (`load`'s key space: `key-0 .. key-(tokens-1)`).
    pub tokens: u32,
    /// Identity key name -> the fleets whose clients use it (for levels restricted to fleets).
    pub fleets: HashMap<String, Vec<String>>,
    /// What the mapping cannot express exactly.
    pub caveats: Vec<String>,
}

/// Tokens a fleet takes: one per key.
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

/// Map every client of `s` to a token and identity.
pub fn identities(s: &Scenario) -> Identities {
    let mut out = Identities::default();
    let mut offset = 0u32;
    for f in &s.fleets {
        let tenants = f.tenants.max(1);
        let mut warned = false;
        for i in 0..f.count {
            let k = client_token(f, i);
            let token = format!("key-{}", offset + k);
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
                    out.caveats.push(format!(
                        "fleet `{}`: {tenants} tenants share {} key(s); live, a key belongs to one \
                         tenant (its first client's), so tenant-scoped limits count differently",
                        f.name,
                        fleet_tokens(f)
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
    fn a_key_shared_by_several_tenants_is_a_caveat() {
        let s = scenario(&format!(
            "[fleet.doc]\ncount = 6\nkeys = 1\ntenants = 3\n{ARR}\n"
        ));
        let ids = identities(&s);
        assert_eq!((ids.keys.len(), ids.tokens), (1, 1));
        assert_eq!(ids.caveats.len(), 1, "{:?}", ids.caveats);
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
