//! The Redis store: the Lua script decides exactly as the in-crate algorithms do, several
//! `serve` processes share one limit without over-admission, and a Redis outage produces the
//! configured failure mode without a crash.
//!
//! Needs `redis-server` on PATH (`.ci/run` installs it); without it each test prints SKIP and
//! returns. Every Redis and server runs on 127.0.0.1 and is killed when the test ends.

// live mode: built with the `live` feature (the default)
#![cfg(feature = "live")]

use crate::live_common;

use limiters::{Decision, FixedWindow, Gcra, Limiter, Nanos, Rate, SlidingLog, TokenBucket};
use live_common::{client, header, skip_without_redis, Redis, Server};
use std::time::Duration;

const SCRIPT: &str = include_str!("../../src/live/store/check.lua");

/// A tiny deterministic generator (SplitMix64), so a failing sequence is reproducible.
struct Mix(u64);
impl Mix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// One level as the script takes it, and the in-crate twin.
fn level(algorithm: &str, a: &str, b: u64) -> ((String, [u64; 3]), Box<dyn Limiter>) {
    match algorithm {
        "token_bucket" | "gcra" => {
            let rate: Rate = a.parse().expect("rate");
            let t = rate.time_for(1).as_nanos();
            let lim: Box<dyn Limiter> = if algorithm == "gcra" {
                Box::new(Gcra::new(rate, b).expect("gcra"))
            } else {
                Box::new(TokenBucket::new(rate, b).expect("tb"))
            };
            ((algorithm.to_string(), [t, b, t * b]), lim)
        }
        "fixed_window" => {
            // `a` is "period" or "period+align"
            let (period, align) = a.split_once('+').unwrap_or((a, "0s"));
            let period = limiters::parse_duration(period).expect("period");
            let align = limiters::parse_duration(align).expect("align");
            (
                (
                    "fixed_window".to_string(),
                    [b, period.as_nanos(), align.as_nanos() % period.as_nanos()],
                ),
                Box::new(FixedWindow::new(b, period, align).expect("fw")),
            )
        }
        _ => {
            let window = limiters::parse_duration(a).expect("window");
            (
                ("sliding_log".to_string(), [b, window.as_nanos(), 0]),
                Box::new(SlidingLog::new(b, window).expect("log")),
            )
        }
    }
}

fn call(
    con: &mut redis::Connection,
    script: &redis::Script,
    prefix: &str,
    levels: &[(String, [u64; 3])],
    mode: &str,
    now: u64,
    cost: u32,
) -> Vec<Decision> {
    let mut inv = script.prepare_invoke();
    for i in 0..levels.len() {
        inv.key(format!("{prefix}:{i}"))
            .key(format!("{prefix}:{i}:log"));
    }
    inv.arg(mode)
        .arg(now.to_string())
        .arg(cost)
        .arg(levels.len());
    for (name, args) in levels {
        inv.arg(name).arg(args[0]).arg(args[1]).arg(args[2]);
    }
    let v: Vec<i64> = inv.invoke(con).expect("script");
    v.chunks(5)
        .map(|c| Decision {
            allowed: c[0] == 1,
            delay: Nanos::ZERO,
            limit: c[1] as u64,
            remaining: c[2] as u64,
            reset_after: Nanos(c[3] as u64),
            retry_after: (c[4] >= 0).then(|| Nanos(c[4] as u64)),
        })
        .collect()
}

/// A plain connection to the test's Redis, for calling the script directly.
fn connect(redis: &Redis) -> redis::Connection {
    let client = redis::Client::open(redis.url()).expect("client");
    client.get_connection().expect("connection")
}

#[test]
fn lua_script_decides_exactly_like_the_in_crate_algorithms() {
    if skip_without_redis("lua_script_decides_exactly_like_the_in_crate_algorithms") {
        return;
    }
    let redis = Redis::start();
    let mut con = connect(&redis);
    let script = redis::Script::new(SCRIPT);
    let configs: &[(&str, &str, u64)] = &[
        ("token_bucket", "10/s", 5),
        ("token_bucket", "3/s", 2),
        ("token_bucket", "7/250ms", 7),
        ("gcra", "10/s", 5),
        ("gcra", "3/s", 2),
        ("gcra", "60/min", 1),
        ("sliding_log", "1s", 5),
        ("sliding_log", "700ms", 3),
        ("fixed_window", "1s", 4),
        ("fixed_window", "2s+700ms", 3),
        ("fixed_window", "250ms", 2),
    ];
    let mut checked = 0;
    for (ci, (alg, a, b)) in configs.iter().enumerate() {
        for seed in 0..4u64 {
            let (spec, mut twin) = level(alg, a, *b);
            let mut rng = Mix(seed * 1000 + ci as u64);
            let prefix = format!("eq:{ci}:{seed}");
            let mut now: u64 = rng.below(1_000_000_000);
            for step in 0..300 {
                // mostly forward steps of 0..300ms, sometimes a step back (clock skew)
                let dt = rng.below(300_000_000);
                if rng.below(20) == 0 {
                    now = now.saturating_sub(dt / 3);
                } else {
                    now += dt;
                }
                let cost = 1 + rng.below(*b + 1) as u32; // sometimes above the capacity
                let peek = rng.below(5) == 0;
                let got = call(
                    &mut con,
                    &script,
                    &prefix,
                    std::slice::from_ref(&spec),
                    if peek { "peek" } else { "check" },
                    now,
                    cost,
                );
                let want = if peek {
                    twin.peek(Nanos(now), cost)
                } else {
                    twin.check(Nanos(now), cost)
                };
                assert_eq!(
                    got[0], want,
                    "{alg} {a} {b} seed {seed} step {step} now {now} cost {cost} peek {peek}"
                );
                checked += 1;
            }
        }
    }
    assert_eq!(checked, configs.len() * 4 * 300);

    // a hierarchy: charged at every level iff all admit (the memory store's rule)
    let specs = [
        level("token_bucket", "5/s", 3),
        level("sliding_log", "1s", 4),
        level("fixed_window", "1s+300ms", 5),
    ];
    let (levels, mut twins): (Vec<_>, Vec<_>) = specs.into_iter().unzip();
    let mut rng = Mix(99);
    let mut now = 0u64;
    for step in 0..400 {
        now += rng.below(150_000_000);
        let cost = 1 + rng.below(3) as u32;
        let got = call(&mut con, &script, "eq:h", &levels, "check", now, cost);
        let peeked: Vec<Decision> = twins.iter().map(|t| t.peek(Nanos(now), cost)).collect();
        let all = peeked.iter().all(|d| d.allowed);
        let want: Vec<Decision> = twins
            .iter_mut()
            .zip(peeked)
            .map(|(t, p)| {
                if all || !p.allowed {
                    t.check(Nanos(now), cost)
                } else {
                    p
                }
            })
            .collect();
        assert_eq!(got, want, "hierarchy step {step} now {now} cost {cost}");
    }
}

/// POST with `auth` as the `Authorization` value.
async fn post(url: &str, auth: &str) -> u16 {
    client()
        .post(url)
        .header("authorization", auth)
        .body("{}")
        .send()
        .await
        .map(|r| r.status().as_u16())
        .unwrap_or(0)
}

#[tokio::test]
async fn two_serve_processes_share_one_limit() {
    if skip_without_redis("two_serve_processes_share_one_limit") {
        return;
    }
    let redis = Redis::start();
    let args = [
        "--store",
        &redis.url(),
        "--limiter",
        "key:token_bucket rate=1/min burst=20",
        "--limiter",
        "org:sliding_log limit=30 window=60s",
        "--keys",
        "4",
        "--orgs",
        "2",
    ];
    let a = Server::start(&args);
    // the second process serves the same keys (their secrets from the first's file)
    let file = a.keys_file.to_string_lossy().into_owned();
    let b = Server::start(&[&args[..], &["--keys-file", &file]].concat());
    let urls = [a.url("/v1/work"), b.url("/v1/work")];
    let (key0, key2) = (a.bearer("key-0"), a.bearer("key-2"));
    let started = std::time::Instant::now();
    // 40 concurrent requests of key-0, half to each process
    let mut tasks = Vec::new();
    for i in 0..40 {
        let url = urls[i % 2].clone();
        let auth = key0.clone();
        tasks.push(tokio::spawn(async move { post(&url, &auth).await }));
    }
    let mut ok = 0;
    for t in tasks {
        match t.await.expect("join") {
            200 => ok += 1,
            429 => {}
            other => panic!("unexpected status {other}"),
        }
    }
    // bound: the burst, plus what the rate refills while the test runs (1 per minute)
    let refill = started.elapsed().as_secs() / 60 + 1;
    assert!(
        (20..=20 + refill).contains(&ok),
        "key level: {ok} admitted across two processes"
    );
    // key-2 shares org-0, which has 30 - ok left
    let mut ok2 = 0;
    for i in 0..20 {
        if post(&urls[i % 2], &key2).await == 200 {
            ok2 += 1;
        }
    }
    assert_eq!(
        ok + ok2,
        30,
        "org level: exactly its limit across both processes"
    );
    // headers come from the shared state too
    let r = client()
        .get(&urls[1])
        .header("authorization", key0)
        .send()
        .await
        .expect("get");
    assert_eq!(r.status(), 429);
    assert!(!header(&r, "retry-after").is_empty());
}

async fn status_of(srv: &Server, key: &str) -> u16 {
    post(&srv.url("/v1/work"), &srv.bearer(key)).await
}

async fn metrics(srv: &Server) -> String {
    client()
        .get(srv.url("/metrics"))
        .send()
        .await
        .expect("metrics")
        .text()
        .await
        .expect("text")
}

#[tokio::test]
async fn killing_redis_gives_the_configured_failure_mode_and_recovery() {
    if skip_without_redis("killing_redis_gives_the_configured_failure_mode_and_recovery") {
        return;
    }
    let mut redis = Redis::start();
    let port = redis.port;
    let start_with = |mode: &str, more: &[&str]| {
        let url = redis.url();
        let mut args = vec![
            "--store",
            &url,
            "--on-store-error",
            mode,
            "--store-timeout",
            "200ms",
            "--limiter",
            "key:gcra rate=1/min burst=2",
            "--envelope",
            "seed002",
        ];
        args.extend_from_slice(more);
        Server::start(&args)
    };
    let start = |mode: &str| start_with(mode, &[]);
    let mut open = start("fail-open");
    let mut closed = start("fail-closed");
    let mut local = start("local");
    // Envoy's rate limit filter answers its `status_on_error` (500 unless set), no Retry-After
    let closed_500 = start_with("fail-closed", &["--status-on-error", "500"]);
    // with Redis up, each process shares key-N with no one: key-1 / key-2 / key-3
    assert_eq!(status_of(&open, "key-1").await, 200);
    assert_eq!(status_of(&closed, "key-2").await, 200);
    assert_eq!(status_of(&local, "key-3").await, 200);

    redis.kill();
    for _ in 0..5 {
        assert_eq!(status_of(&open, "key-1").await, 200, "fail-open admits");
    }
    let r = client()
        .post(closed.url("/v1/work"))
        .header("authorization", closed.bearer("key-2"))
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 503, "fail-closed refuses");
    assert_eq!(r.headers()["retry-after"], "1");
    let body: serde_json::Value = serde_json::from_str(&r.text().await.expect("t")).expect("json");
    assert_eq!(body["code"], "service_unavailable");
    let r = client()
        .post(closed_500.url("/v1/work"))
        .header("authorization", closed_500.bearer("key-0"))
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 500, "fail-closed with --status-on-error 500");
    assert!(r.headers().get("retry-after").is_none(), "no Retry-After");
    // local: this process's own limiter (a fresh bucket of 2), then 429
    let got: Vec<u16> = {
        let mut v = Vec::new();
        for _ in 0..3 {
            v.push(status_of(&local, "key-0").await);
        }
        v
    };
    assert_eq!(got, vec![200, 200, 429], "local fallback limits in memory");
    for (srv, mode) in [
        (&open, "fail-open"),
        (&closed, "fail-closed"),
        (&local, "local"),
    ] {
        let m = metrics(srv).await;
        assert!(m.contains("throttlelab_store_up 0"), "{mode}:\n{m}");
        assert!(
            !m.contains("throttlelab_store_errors_total 0\n"),
            "{mode}:\n{m}"
        );
        assert!(
            !m.contains(&format!(
                "throttlelab_store_fallback_total{{mode=\"{mode}\"}} 0\n"
            )),
            "{mode}:\n{m}"
        );
    }
    assert!(open.alive() && closed.alive() && local.alive(), "no crash");

    // Redis comes back on the same port: the fail-closed process recovers by itself
    let _redis2 = Redis::start_on(port);
    let mut recovered = false;
    for _ in 0..40 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        if status_of(&closed, "key-0").await == 200 {
            recovered = true;
            break;
        }
    }
    assert!(recovered, "fail-closed server reconnected to Redis");
    assert!(metrics(&closed).await.contains("throttlelab_store_up 1"));
}

#[test]
fn redis_time_mode_rebases_old_epochs_without_changing_the_decision() {
    if skip_without_redis("redis_time_mode_rebases_old_epochs_without_changing_the_decision") {
        return;
    }
    let redis = Redis::start();
    let mut con = connect(&redis);
    let (sec, usec): (u64, u64) = redis::cmd("TIME").query(&mut con).expect("TIME");
    // a token bucket (1/s, burst 5) written 2e6 s after its epoch, emptied 500 ms ago
    let e = sec - 2_000_000;
    let last = 2_000_000u64 * 1_000_000_000 + usec * 1_000 - 500_000_000;
    let _: () = redis::cmd("HSET")
        .arg("rb:0")
        .arg(&["e", &e.to_string(), "t", "0", "l", &last.to_string()])
        .query(&mut con)
        .expect("HSET");
    let script = redis::Script::new(SCRIPT);
    let v: Vec<i64> = script
        .key("rb:0")
        .key("rb:0:log")
        .arg("check")
        .arg("")
        .arg(1)
        .arg(1)
        .arg("token_bucket")
        .arg(1_000_000_000u64)
        .arg(5)
        .arg(5_000_000_000u64)
        .invoke(&mut con)
        .expect("script");
    assert_eq!(v[0], 0, "about half a token refilled: denied ({v:?})");
    assert!(
        v[4] > 0 && v[4] <= 500_000_000,
        "retry within the 500 ms left (less the time between TIME and the script): {v:?}"
    );
    let (e2, l2): (u64, i64) = redis::cmd("HMGET")
        .arg("rb:0")
        .arg("e")
        .arg("l")
        .query(&mut con)
        .expect("HMGET");
    assert!(e2 >= sec, "epoch rebased to now: {e2} vs {sec}");
    assert!(l2 < 10_000_000_000, "stored times small again: {l2}");
}

/// One `fixed_window` call in TIME mode; returns (allowed, reset_after) and the Unix time in ns
/// read just before and just after it.
fn fixed_window_now(
    con: &mut redis::Connection,
    key: &str,
    period: u64,
    align: u64,
) -> ((i64, u64), u64, u64) {
    let time = |con: &mut redis::Connection| -> u64 {
        let (s, us): (u64, u64) = redis::cmd("TIME").query(con).expect("TIME");
        s * 1_000_000_000 + us * 1_000
    };
    let before = time(con);
    let v: Vec<i64> = redis::Script::new(SCRIPT)
        .key(key)
        .key(format!("{key}:log"))
        .arg("check")
        .arg("")
        .arg(1)
        .arg(1)
        .arg("fixed_window")
        .arg(3)
        .arg(period)
        .arg(align)
        .invoke(con)
        .expect("script");
    let after = time(con);
    ((v[0], v[3] as u64), before, after)
}

#[test]
fn redis_time_fixed_windows_end_on_unix_time_boundaries() {
    if skip_without_redis("redis_time_fixed_windows_end_on_unix_time_boundaries") {
        return;
    }
    let redis = Redis::start();
    let mut con = connect(&redis);
    const S: u64 = 1_000_000_000;
    // (period, align): whole seconds, shifted, and a divisor of one second
    for (i, (period, align)) in [(S, 0), (60 * S, 15 * S), (250_000_000, 100_000_000)]
        .into_iter()
        .enumerate()
    {
        // a fresh key, then keys with an ended window whose epoch is 5e5 s old (times
        // relative to it) or 2e6 s old (rebased first)
        let fresh = format!("fw:{i}");
        let (sec, _): (u64, u64) = redis::cmd("TIME").query(&mut con).expect("TIME");
        let mut keys = vec![fresh];
        for age in [500_000u64, 2_000_000] {
            let key = format!("fw:{age}:{i}");
            let _: () = redis::cmd("HSET")
                .arg(&key)
                .arg(&["e", &(sec - age).to_string(), "w", "5", "c", "3", "l", "4"])
                .query(&mut con)
                .expect("HSET");
            keys.push(key);
        }
        for key in keys {
            let ((allowed, reset), before, after) = fixed_window_now(&mut con, &key, period, align);
            assert_eq!(allowed, 1, "{key}: a new window admits");
            assert!(reset > 0 && reset <= period, "{key}: reset {reset}");
            // the window ends at before+reset ..= after+reset: a boundary align + k * period
            let lo = before + reset;
            let hi = after + reset;
            let boundary = (lo - align).div_ceil(period) * period + align;
            assert!(
                boundary <= hi,
                "{key}: window end in [{lo}, {hi}] is not on a boundary of {period}+{align}"
            );
        }
    }
}

#[test]
fn lua_quota_decides_and_refunds_exactly_like_limiters_quota() {
    use limiters::calendar::Epoch;
    use limiters::quota::Period;
    use limiters::{Outcome, Quota};
    if skip_without_redis("lua_quota_decides_and_refunds_exactly_like_limiters_quota") {
        return;
    }
    let redis = Redis::start();
    let mut con = connect(&redis);
    let script = redis::Script::new(SCRIPT);
    const DAY: u64 = 86_400;
    // (period, code, epoch, refund, largest step): days (one starting 23:00 UTC), months (from
    // 2024-02-27, a leap February, and from 2024-12-31), balances; refunding and not. Steps
    // keep `now` below 2^53 ns, as the TIME mode's rebasing does.
    let configs: &[(Period, u64, u64, bool, u64)] = &[
        (Period::Day, 1, 19_000 * DAY + 23 * 3600, true, 1200),
        (Period::Day, 1, 19_000 * DAY, false, 3 * 3600),
        (Period::Month, 2, 19_780 * DAY, true, 5 * 3600),
        (Period::Month, 2, 20_088 * DAY, false, 10 * 3600),
        (Period::None, 0, 0, true, 60),
        (Period::None, 0, 0, false, 60),
    ];
    let mut refunds = 0;
    for (ci, &(period, code, epoch, refund, step_s)) in configs.iter().enumerate() {
        let limit = 5;
        let mut twin = Quota::new(limit, period, Epoch::from_unix_secs(epoch), refund).expect("q");
        let spec = (
            "quota".to_string(),
            [limit, code + if refund { 4 } else { 0 }, epoch],
        );
        let levels = std::slice::from_ref(&spec);
        let mut rng = Mix(7 + ci as u64);
        let prefix = format!("q:{ci}");
        let mut now = 0u64;
        for step in 0..400 {
            now += rng.below(step_s * 1_000_000_000);
            if rng.below(25) == 0 {
                now = now.saturating_sub(rng.below(step_s * 1_000_000_000) / 2);
            }
            let cost = 1 + rng.below(limit + 1) as u32; // sometimes above the limit
            let what = rng.below(6);
            if what == 0 {
                // a failed request that took `latency`, maybe from before a boundary
                let latency = rng.below(step_s * 2 * 1_000_000_000);
                let mut inv = script.prepare_invoke();
                inv.key(format!("{prefix}:0"))
                    .key(format!("{prefix}:0:log"));
                inv.arg("release").arg(now.to_string()).arg(cost).arg(1);
                inv.arg("quota")
                    .arg(spec.1[0])
                    .arg(spec.1[1])
                    .arg(spec.1[2]);
                inv.arg(latency);
                let v: Vec<i64> = inv.invoke(&mut con).expect("release");
                assert!(v.is_empty());
                twin.release(Nanos(now), cost, Outcome::failure(Nanos(latency)));
                refunds += 1;
                continue;
            }
            let peek = what == 1;
            let mode = if peek { "peek" } else { "check" };
            let got = call(&mut con, &script, &prefix, levels, mode, now, cost);
            let want = if peek {
                twin.peek(Nanos(now), cost)
            } else {
                twin.check(Nanos(now), cost)
            };
            assert_eq!(
                got[0], want,
                "{period} epoch {epoch} refund {refund} step {step} now {now} cost {cost} {mode}"
            );
        }
    }
    assert!(refunds > 100, "the sequences exercised refunds: {refunds}");
}
