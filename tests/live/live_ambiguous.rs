//! Requests that can be read two ways get 400 and charge nothing (RFC 9112 §3.2 for `Host`,
//! RFC 9110 §5.3 for fields that are not lists, RFC 8259 §4 for duplicate JSON names): a
//! missing or doubled `Host`, a doubled `Authorization` or `Idempotency-Key`, two credentials,
//! a body `{"cost":1,"cost":1000000}`.

// live mode: built with the `live` feature (the default)
#![cfg(feature = "live")]

use crate::live_common;

use live_common::{raw, raw_status, Server};

fn request(head: &str, auth: &str, body: &str) -> Vec<u8> {
    format!(
        "POST /v1/work HTTP/1.1\r\n{head}Authorization: {auth}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

#[test]
fn ambiguous_requests_get_400_and_charge_nothing() {
    let srv = Server::start(&[
        "--keys",
        "2",
        "--limiter",
        "key:fixed_window limit=1000000 period=1h",
        "--envelope",
        "seed004",
    ]);
    let auth = srv.bearer("key-0");
    let idem = "Idempotency-Key: abcdefgh-0001\r\n";
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("no Host", request("", &auth, "{}")),
        ("two Hosts", request("Host: a\r\nHost: b\r\n", &auth, "{}")),
        (
            "two Authorization",
            request(
                &format!("Host: x\r\nAuthorization: {}\r\n", srv.bearer("key-1")),
                &auth,
                "{}",
            ),
        ),
        (
            "Authorization and X-API-Key",
            request(
                &format!("Host: x\r\nX-API-Key: {}\r\n", srv.secret("key-1")),
                &auth,
                "{}",
            ),
        ),
        (
            "two Idempotency-Key",
            request(&format!("Host: x\r\n{idem}{idem}"), &auth, "{}"),
        ),
        (
            "duplicate JSON key",
            request("Host: x\r\n", &auth, r#"{"cost":1,"cost":1000000}"#),
        ),
        (
            "duplicate nested JSON key",
            request("Host: x\r\n", &auth, r#"{"cost":1,"meta":{"a":1,"a":2}}"#),
        ),
        (
            "cost twice in the query",
            format!(
                "POST /v1/work?cost=1&cost=1000000 HTTP/1.1\r\nHost: x\r\nAuthorization: {auth}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            )
            .into_bytes(),
        ),
    ];
    for (what, bytes) in &cases {
        let resp = raw(srv.port, bytes);
        assert_eq!(raw_status(&resp), Some(400), "{what}: {resp}");
        assert!(resp.contains("INVALID_REQUEST"), "{what}: {resp}");
    }
    // unambiguous forms pass, and nothing above was charged: 1000000 - 1 left
    let ok = raw(srv.port, &request("Host: x\r\n", &auth, r#"{"cost":1}"#));
    assert_eq!(raw_status(&ok), Some(200), "{ok}");
    assert!(
        ok.to_ascii_lowercase()
            .contains("x-ratelimit-remaining: 999999\r\n"),
        "{ok}"
    );
    let http10 =
        format!("POST /v1/work HTTP/1.0\r\nAuthorization: {auth}\r\nContent-Length: 2\r\n\r\n{{}}");
    let resp = raw(srv.port, http10.as_bytes());
    assert!(
        resp.starts_with("HTTP/1.0 200"),
        "HTTP/1.0 may omit Host: {resp}"
    );
}
