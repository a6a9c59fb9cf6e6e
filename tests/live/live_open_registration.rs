//! `serve --open-registration`: API keys nobody configured are accepted, as a public API's
//! free tier, each limited by the key level like a configured key, while a flood of new keys
//! keeps at most `--max-keys` states (`throttlelab_open_keys` on `/metrics`).

// live mode: built with the `live` feature (the default)
#![cfg(feature = "live")]

use crate::live_common;

use live_common::{client, Server};

/// POST with API key `key` as presented: an unconfigured one, or a configured key's secret.
async fn post(srv: &Server, key: &str) -> u16 {
    client()
        .post(srv.url("/v1/work"))
        .header("authorization", format!("Bearer {key}"))
        .header("content-type", "application/json")
        .body("{}")
        .send()
        .await
        .expect("request")
        .status()
        .as_u16()
}

fn gauge(metrics: &str, name: &str) -> u64 {
    metrics
        .lines()
        .find_map(|l| l.strip_prefix(name)?.trim().parse().ok())
        .unwrap_or_else(|| panic!("no {name} in:\n{metrics}"))
}

#[tokio::test]
async fn unknown_keys_are_limited_in_bounded_memory() {
    let limiter = ["--limiter", "key:token_bucket rate=1/min burst=2"];
    let closed = Server::start(&limiter);
    assert_eq!(post(&closed, "free-tier-1").await, 401, "not registered");
    let srv = Server::start(&[&limiter[..], &["--open-registration", "--max-keys", "32"]].concat());
    assert_eq!(post(&srv, "free-tier-1").await, 200);
    assert_eq!(post(&srv, "free-tier-1").await, 200);
    assert_eq!(post(&srv, "free-tier-1").await, 429, "its own burst of 2");
    assert_eq!(
        post(&srv, srv.secret("key-0")).await,
        200,
        "configured keys as before"
    );
    for i in 0..300 {
        assert_eq!(post(&srv, &format!("flood-{i}")).await, 200);
    }
    let text = client()
        .get(srv.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        !text.contains("free-tier-1") && text.contains("id=\"open-"),
        "open keys are labelled by a digest, never by the secret"
    );
    let held = gauge(&text, "throttlelab_open_keys");
    assert!(held <= 32, "{held} states held");
    let forced = gauge(
        &text,
        "throttlelab_open_key_evictions_total{kind=\"forced\"}",
    );
    assert!(forced >= 300 - 32, "{forced} forced evictions");
}
