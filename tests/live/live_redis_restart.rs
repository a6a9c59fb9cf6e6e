//! After a Redis restart, the first burst is served: the connection left broken by the
//! restart is found out before use and replaced at once (a burst of 300 got 300 x 503 with
//! Redis up again for 3 s, because the first request failed on the dead connection and its
//! back-off failed all the others).
//!
//! Needs `redis-server` on PATH; without it the test prints SKIP and returns.

// live mode: built with the `live` feature (the default)
#![cfg(feature = "live")]

use crate::live_common;

use live_common::{client, skip_without_redis, Redis, Server};
use std::time::Duration;

async fn burst(srv: &Server, n: usize) -> Vec<u16> {
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..n {
        let (url, auth) = (srv.url("/v1/work"), srv.bearer("key-0"));
        set.spawn(async move {
            client()
                .post(url)
                .header("authorization", auth)
                .body("{}")
                .send()
                .await
                .map(|r| r.status().as_u16())
                .unwrap_or(0)
        });
    }
    let mut out = Vec::new();
    while let Some(s) = set.join_next().await {
        out.push(s.expect("join"));
    }
    out
}

#[tokio::test]
async fn the_first_burst_after_a_redis_restart_is_served() {
    if skip_without_redis("the_first_burst_after_a_redis_restart_is_served") {
        return;
    }
    let mut redis = Redis::start();
    let port = redis.port;
    let srv = Server::start(&[
        "--store",
        &redis.url(),
        "--on-store-error",
        "fail-closed",
        "--limiter",
        "key:token_bucket rate=100000/s burst=100000",
    ]);
    // the server's connection is made and used
    assert!(burst(&srv, 5).await.iter().all(|s| *s == 200));
    redis.kill();
    let _again = Redis::start_on(port);
    tokio::time::sleep(Duration::from_secs(1)).await;
    let got = burst(&srv, 100).await;
    let ok = got.iter().filter(|s| **s == 200).count();
    assert_eq!(ok, 100, "after the restart: {got:?}");
}
