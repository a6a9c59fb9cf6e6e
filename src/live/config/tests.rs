use super::*;

#[test]
fn keys_spread_round_robin_over_orgs() {
    let keys = LiveConfig::generated_keys(5, 2).unwrap();
    assert_eq!(keys["key-0"].tenant, "org-0");
    assert_eq!(keys["key-3"].tenant, "org-1");
    assert_eq!(keys["key-4"].tenant, "org-0");
    assert_eq!(keys.len(), 5);
    assert!(LiveConfig::generated_keys(3, 0).is_err());
}

#[test]
fn scopes_and_store_modes_parse() {
    assert_eq!(Scope::parse("org").unwrap(), Scope::Tenant);
    assert!(Scope::parse("planet").is_err());
    assert_eq!(OnStoreError::parse("local").unwrap(), OnStoreError::Local);
    assert!(OnStoreError::parse("maybe").is_err());
}

#[test]
fn identity_ids_follow_the_scope() {
    let id = Identity {
        key: "k".into(),
        tenant: "t".into(),
    };
    assert_eq!(id.id(Scope::Global), "");
    assert_eq!(id.id(Scope::Key), "k");
    assert_eq!(id.id(Scope::Tenant), "t");
}
