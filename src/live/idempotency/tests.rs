use super::*;

fn resp(body: &str) -> StoredResponse {
    StoredResponse {
        status: 200,
        body: body.as_bytes().to_vec(),
        request_id: "r1".into(),
    }
}

#[test]
fn keys_must_be_8_to_128_visible_chars() {
    assert!(validate_key("12345678").is_ok());
    assert!(validate_key("1234567").is_err());
    assert!(validate_key(&"x".repeat(128)).is_ok());
    assert!(validate_key(&"x".repeat(129)).is_err());
    assert!(validate_key("with space").is_err());
}

#[test]
fn replay_mismatch_and_in_progress() {
    let s = IdempotencyStore::new(Duration::from_secs(60), 100);
    let Begin::Fresh(t) = s.begin("t", "k", "idem-0001", 1) else {
        panic!("fresh")
    };
    assert!(matches!(
        s.begin("t", "k", "idem-0001", 1),
        Begin::InProgress
    ));
    assert!(matches!(s.begin("t", "k", "idem-0001", 2), Begin::Mismatch));
    assert!(
        matches!(s.begin("t", "other", "idem-0001", 2), Begin::Fresh(_)),
        "scoped by API key"
    );
    t.complete(resp("hello"));
    match s.begin("t", "k", "idem-0001", 1) {
        Begin::Replay(r) => assert_eq!(r.body, b"hello"),
        other => panic!("expected replay, got {other:?}"),
    }
    assert!(matches!(s.begin("t", "k", "idem-0001", 9), Begin::Mismatch));
}

#[test]
fn dropped_ticket_frees_the_key() {
    let s = IdempotencyStore::new(Duration::from_secs(60), 100);
    let Begin::Fresh(t) = s.begin("t", "k", "idem-0002", 1) else {
        panic!("fresh")
    };
    drop(t);
    assert!(matches!(s.begin("t", "k", "idem-0002", 1), Begin::Fresh(_)));
}

#[test]
fn capacity_and_ttl_bound_memory() {
    let s = IdempotencyStore::new(Duration::from_secs(60), 3);
    for i in 0..10 {
        if let Begin::Fresh(t) = s.begin("t", "k", &format!("idem-{i:04}"), 1) {
            t.complete(resp("x"));
        }
    }
    assert!(s.len() <= 4, "len {}", s.len());
    let s = IdempotencyStore::new(Duration::ZERO, 100);
    if let Begin::Fresh(t) = s.begin("t", "k", "idem-aaaa", 1) {
        t.complete(resp("x"));
    }
    assert!(
        matches!(s.begin("t", "k", "idem-aaaa", 1), Begin::Fresh(_)),
        "expired"
    );
}

#[test]
fn another_tenants_flood_does_not_evict_a_stored_response() {
    let s = IdempotencyStore::new(Duration::from_secs(60), 3);
    let Begin::Fresh(t) = s.begin("victim", "v", "idem-keep", 1) else {
        panic!("fresh")
    };
    t.complete(resp("charged once"));
    for i in 0..1000 {
        if let Begin::Fresh(t) = s.begin("attacker", "a", &format!("flood-{i:05}"), 1) {
            t.complete(resp("x"));
        }
    }
    match s.begin("victim", "v", "idem-keep", 1) {
        Begin::Replay(r) => assert_eq!(r.body, b"charged once"),
        other => panic!("the victim's response was evicted: {other:?}"),
    }
    assert!(s.len() <= 3 + 4, "each tenant bounded: {}", s.len());
}

#[test]
fn fingerprints_differ_by_body_and_route() {
    assert_ne!(
        fingerprint("POST", "/v1/work", b"{}"),
        fingerprint("POST", "/v1/work", b"{ }")
    );
    assert_ne!(
        fingerprint("POST", "/a", b""),
        fingerprint("POST", "/b", b"")
    );
    assert_eq!(
        fingerprint("POST", "/a", b"x"),
        fingerprint("POST", "/a", b"x")
    );
}
