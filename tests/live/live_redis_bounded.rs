//! The Redis `sliding_log` costs O(log n) per request in the log's length n: a log of 60,000
//! entries is as quick to decide on as an empty one (a list read whole on every request took
//! about 10 ms at 12,000 entries and passed the 250 ms store timeout near 290,000).
//!
//! Needs `redis-server` on PATH; without it the test prints SKIP and returns.

// live mode: built with the `live` feature (the default)
#![cfg(feature = "live")]

use crate::live_common;

use live_common::{skip_without_redis, Redis};
use std::time::{Duration, Instant};

const SCRIPT: &str = include_str!("../../src/live/store/check.lua");

/// `EVALSHA` of one sliding_log level (limit, window 1 h) at an explicit `now`.
fn call(pipe: &mut redis::Pipeline, sha: &str, mode: &str, now: u64, limit: u64) {
    pipe.cmd("EVALSHA")
        .arg(sha)
        .arg(2)
        .arg("big")
        .arg("big:log")
        .arg(mode)
        .arg(now)
        .arg(1)
        .arg(1)
        .arg("sliding_log")
        .arg(limit)
        .arg(3_600_000_000_000u64)
        .arg(0);
}

#[test]
fn a_long_sliding_log_costs_no_more_per_request_than_a_short_one() {
    if skip_without_redis("a_long_sliding_log_costs_no_more_per_request_than_a_short_one") {
        return;
    }
    let redis = Redis::start();
    let client = redis::Client::open(redis.url()).expect("client");
    let mut con = client.get_connection().expect("connection");
    let sha: String = redis::cmd("SCRIPT")
        .arg("LOAD")
        .arg(SCRIPT)
        .query(&mut con)
        .expect("load");
    let (n, limit) = (60_000u64, 100_000u64);
    // fill the log: n admitted requests 1 µs apart, in pipelined batches
    let started = Instant::now();
    for batch in 0..n / 1000 {
        let mut pipe = redis::pipe();
        for i in 0..1000 {
            call(&mut pipe, &sha, "check", (batch * 1000 + i) * 1000, limit);
        }
        let out: Vec<Vec<i64>> = pipe.query(&mut con).expect("fill");
        assert!(out.iter().all(|d| d[0] == 1), "all admitted");
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "filling took over 60 s ({} entries so far): each request reads the whole log",
            batch * 1000
        );
    }
    let card: u64 = redis::cmd("ZCARD")
        .arg("big:log")
        .query(&mut con)
        .expect("ZCARD");
    assert_eq!(card, n);
    // decisions on the full log, admitted, peeked and denied (a denial finds its retry time)
    let mut slowest = Duration::ZERO;
    let mut extra = 0u64;
    for (k, (mode, limit)) in [("check", limit), ("peek", limit), ("check", n)]
        .iter()
        .cycle()
        .take(30)
        .enumerate()
    {
        let now = n * 1000 + k as u64;
        let mut pipe = redis::pipe();
        call(&mut pipe, &sha, mode, now, *limit);
        let t = Instant::now();
        let out: Vec<Vec<i64>> = pipe.query(&mut con).expect("decide");
        slowest = slowest.max(t.elapsed());
        if *limit == n {
            assert_eq!(out[0][0], 0, "the log is full at limit n");
            // n + extra in the log: one more fits once extra + 1 have left, the last of them
            // the entry at extra µs, which leaves 1 h later
            assert_eq!(out[0][4] as u64, 3_600_000_000_000 + extra * 1000 - now);
        } else if *mode == "check" {
            assert_eq!(out[0][0], 1);
            extra += 1;
        }
    }
    eprintln!("slowest of 30 decisions over {n} entries: {slowest:?}");
    assert!(
        slowest < Duration::from_millis(25),
        "a decision over {n} entries took {slowest:?}"
    );
}
