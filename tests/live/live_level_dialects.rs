//! `serve` renders every limiter level in its own header dialect (issue #13, seed 004): the
//! per-second bucket as `X-RateLimit-*` (Reset in seconds) and the monthly quota as
//! `X-Quota-Monthly-*` (Reset in epoch seconds at the rollover), on the same response, with
//! the memory store and (when `redis-server` is on PATH) the Redis store.

// live mode: built with the `live` feature (the default)
#![cfg(feature = "live")]

use crate::live_common;

use live_common::{client, header, skip_without_redis, Redis, Server};

const SEED_004: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/scenarios/seeds/004-noxdren.toml"
);

async fn check(srv: &Server) {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let r = client()
        .post(srv.url("/v1/work"))
        .header("authorization", srv.bearer("key-0"))
        .header("content-type", "application/json")
        .body("{}")
        .send()
        .await
        .expect("request");
    assert_eq!(r.status(), 200);
    assert_eq!(header(&r, "x-ratelimit-limit"), "10", "the bucket's");
    assert_eq!(header(&r, "x-ratelimit-remaining"), "9");
    assert_eq!(header(&r, "x-ratelimit-reset"), "1", "seconds until refill");
    assert_eq!(header(&r, "x-quota-monthly-limit"), "50000", "the month's");
    assert_eq!(header(&r, "x-quota-monthly-remaining"), "49999");
    let reset: u64 = header(&r, "x-quota-monthly-reset").parse().unwrap();
    assert_eq!(
        reset,
        limiters::calendar::next_month_start(now),
        "epoch seconds at rollover"
    );
}

#[tokio::test]
async fn seed_004_answers_both_header_families_with_the_memory_store() {
    let srv = Server::start(&["--scenario", SEED_004]);
    check(&srv).await;
}

#[tokio::test]
async fn seed_004_answers_both_header_families_with_the_redis_store() {
    if skip_without_redis("seed_004_answers_both_header_families_with_the_redis_store") {
        return;
    }
    let redis = Redis::start();
    let srv = Server::start(&["--scenario", SEED_004, "--store", &redis.url()]);
    check(&srv).await;
}
