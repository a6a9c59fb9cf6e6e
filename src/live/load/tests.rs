use super::*;

#[test]
fn only_loopback_targets_without_allow_remote() {
    for ok in [
        "http://127.0.0.1:8080",
        "http://127.3.4.5:1",
        "http://localhost:9",
        "http://[::1]:80",
    ] {
        assert!(check_target(ok, false).is_ok(), "{ok}");
    }
    for bad in [
        "http://10.0.0.1:80",
        "http://192.168.1.1",
        "http://example.com",
        "https://127.0.0.1",
        "not a url",
    ] {
        assert!(check_target(bad, false).is_err(), "{bad}");
    }
    assert!(check_target("http://10.0.0.1:80", true).is_ok());
}

#[test]
fn clients_map_to_tokens() {
    let mut f = Fleet::new(
        "web",
        10,
        sim::model::Arrival::Closed {
            concurrency: 1,
            think: sim::model::Distribution::ZERO,
        },
    );
    assert_eq!(token_of(&f, 0, 5, Some(4)), "key-1");
    assert_eq!(token_of(&f, 3, 5, None), "key-8");
    f.keys = sim::model::Keys::Shared(2);
    assert_eq!(token_of(&f, 3, 5, Some(100)), "key-4");
    // a shared key spanning tenants: one token per (key, tenant), as `serve` registers
    f.tenants = 3;
    assert_eq!(token_of(&f, 3, 5, None), "key-4.2");
    assert_eq!(token_of(&f, 3, 5, Some(100)), "key-4");
}
