//! The Redis store runs every seed scenario (their algorithms: `sliding_log`, `fixed_window`,
//! `token_bucket`, `quota` with calendar periods, balances and refunds), refunds a failed
//! request's credits as the memory store does, and refuses an algorithm it cannot run with an
//! error naming it, at startup.
//!
//! Needs `redis-server` on PATH (`.ci/run` installs it); without it each test prints SKIP and
//! returns.

// live mode: built with the `live` feature (the default)
#![cfg(feature = "live")]

use crate::live_common;

use live_common::{client, skip_without_redis, Redis, Server};
use std::process::{Command, Stdio};

async fn post(srv: &Server, token: &str) -> reqwest::Response {
    client()
        .post(srv.url("/v1/work"))
        .header("authorization", srv.bearer(token))
        .header("content-type", "application/json")
        .body("{}")
        .send()
        .await
        .expect("request")
}

#[tokio::test]
async fn every_seed_scenario_serves_on_the_redis_store() {
    if skip_without_redis("every_seed_scenario_serves_on_the_redis_store") {
        return;
    }
    let redis = Redis::start();
    let url = redis.url();
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/seeds");
    let mut seeds: Vec<_> = std::fs::read_dir(dir)
        .expect("scenarios/seeds")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    seeds.sort();
    assert_eq!(seeds.len(), 5, "{seeds:?}");
    for path in seeds {
        let path = path.to_string_lossy().into_owned();
        // Server::start panics unless serve comes up (an unsupported level is a startup error)
        let srv = Server::start(&["--store", &url, "--scenario", &path]);
        let r = post(&srv, "key-0").await;
        let status = r.status().as_u16();
        let rate_headers = r
            .headers()
            .keys()
            .filter(|k| k.as_str().contains("ratelimit") || k.as_str().contains("quota"))
            .count();
        assert!(
            status == 200 || status == 500 || status == 502,
            "{path}: first request got {status}"
        );
        assert!(rate_headers > 0, "{path}: no rate-limit headers: {r:?}");
        let keys: usize = {
            let c = redis::Client::open(url.as_str()).expect("client");
            let mut con = c.get_connection().expect("connection");
            redis::cmd("DBSIZE").query(&mut con).expect("DBSIZE")
        };
        assert!(keys > 0, "{path}: state lives in Redis");
        let m = client()
            .get(srv.url("/metrics"))
            .send()
            .await
            .expect("metrics")
            .text()
            .await
            .expect("text");
        assert!(m.contains("throttlelab_store_up 1"), "{path}:\n{m}");
        let c = redis::Client::open(url.as_str()).expect("client");
        let mut con = c.get_connection().expect("connection");
        let _: () = redis::cmd("FLUSHALL").query(&mut con).expect("FLUSHALL");
    }
}

/// Statuses of `n` sequential requests of key-0.
async fn statuses(srv: &Server, n: usize) -> Vec<u16> {
    let mut v = Vec::new();
    for _ in 0..n {
        v.push(post(srv, "key-0").await.status().as_u16());
    }
    v
}

#[tokio::test]
async fn a_failed_request_is_refunded_in_redis_as_in_memory() {
    if skip_without_redis("a_failed_request_is_refunded_in_redis_as_in_memory") {
        return;
    }
    let redis = Redis::start();
    let url = redis.url();
    // every request fails (500): a refunding balance of 2 is never spent, a plain one is
    for (refund, want) in [
        ("true", vec![500; 5]),
        ("false", vec![500, 500, 402, 402, 402]),
    ] {
        let level = format!("org:quota limit=2 period=none status=402 refund_on_failure={refund}");
        let args = ["--limiter", &level, "--error-rate", "1"];
        let memory = Server::start(&args);
        let shared = Server::start(&[&args[..], &["--store", &url]].concat());
        assert_eq!(statuses(&memory, 5).await, want, "memory, refund {refund}");
        assert_eq!(statuses(&shared, 5).await, want, "redis, refund {refund}");
        let c = redis::Client::open(url.as_str()).expect("client");
        let mut con = c.get_connection().expect("connection");
        let _: () = redis::cmd("FLUSHALL").query(&mut con).expect("FLUSHALL");
    }
}

#[test]
fn an_algorithm_the_redis_store_cannot_run_is_refused_at_startup() {
    if skip_without_redis("an_algorithm_the_redis_store_cannot_run_is_refused_at_startup") {
        return;
    }
    let redis = Redis::start();
    let out = Command::new(env!("CARGO_BIN_EXE_throttlelab"))
        .args(["serve", "--port", "0", "--store", &redis.url()])
        .args(["--limiter", "key:gcra rate=10/s"])
        .args(["--limiter", "org:concurrency max=4"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .expect("run serve");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "bad input: {err}");
    assert!(
        err.contains("`concurrency` cannot live in Redis") && err.contains("--store memory"),
        "{err}"
    );
}
