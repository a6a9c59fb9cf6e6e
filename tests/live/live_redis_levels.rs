//! Per-fleet levels (`fleets = [...]`) and levels charged on completion
//! (`charge = "on_completion"`) with the Redis store: shared by several `serve` processes
//! without over-admission, deciding exactly as the memory store on the same request sequence,
//! and falling back as configured when Redis dies.
//!
//! Needs `redis-server` on PATH (`.ci/run` installs it); without it each test prints SKIP and
//! returns. Every Redis and server runs on 127.0.0.1 and is killed when the test ends.

// live mode: built with the `live` feature (the default)
#![cfg(feature = "live")]

use crate::live_common;

use live_common::{client, skip_without_redis, Redis, Server};
use std::path::PathBuf;

/// A scenario file in the temp dir, removed on drop.
struct ScenarioFile(PathBuf);

impl ScenarioFile {
    fn new(tag: &str, text: &str) -> ScenarioFile {
        let p = std::env::temp_dir().join(format!(
            "throttlelab-redis-levels-{tag}-{}.toml",
            std::process::id()
        ));
        std::fs::write(&p, text).expect("write scenario");
        ScenarioFile(p)
    }
    fn path(&self) -> String {
        self.0.to_string_lossy().into_owned()
    }
}

impl Drop for ScenarioFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// A response as compared here: status and headers.
type Answer = (u16, Vec<(String, String)>);

/// One POST to `url` with `auth` as the `Authorization` value.
async fn send(url: String, auth: String) -> Answer {
    let r = client()
        .post(url)
        .header("authorization", auth)
        .header("content-type", "application/json")
        .body("{}")
        .send()
        .await
        .expect("request");
    let headers = r
        .headers()
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_string()))
        .collect();
    (r.status().as_u16(), headers)
}

async fn post(srv: &Server, token: &str) -> Answer {
    send(srv.url("/v1/work"), srv.bearer(token)).await
}

async fn status(srv: &Server, token: &str) -> u16 {
    post(srv, token).await.0
}

/// `n` concurrent POSTs of `token`, spread round-robin over `servers`, in completion order.
async fn together(servers: &[&Server], token: &str, n: usize) -> Vec<Answer> {
    let mut set = tokio::task::JoinSet::new();
    for i in 0..n {
        let srv = servers[i % servers.len()];
        set.spawn(send(srv.url("/v1/work"), srv.bearer(token)));
    }
    let mut out = Vec::new();
    while let Some(a) = set.join_next().await {
        out.push(a.expect("join"));
    }
    out
}

async fn burst(servers: &[&Server], token: &str, n: usize) -> Vec<u16> {
    together(servers, token, n)
        .await
        .into_iter()
        .map(|a| a.0)
        .collect()
}

fn count(statuses: &[u16], status: u16) -> usize {
    statuses.iter().filter(|s| **s == status).count()
}

/// Fleet `a` (key-0, key-1) is limited per key only; fleet `b` (key-2, key-3, key-4) also by a
/// global level of its own: a rolling window of 12 per minute, exact, so the bound on what all
/// processes together admit is 12 however the requests are spread.
const PER_FLEET: &str = r#"
name = "per-fleet"
duration = "60s"
[[server.limiters]]
scope = "key"
algorithm = "gcra"
rate = "1/min"
burst = 8
[[server.limiters]]
scope = "global"
algorithm = "sliding_log"
limit = 12
window = "60s"
fleets = ["b"]
[fleet.a]
count = 2
arrival = { process = "constant", rate = "1/s" }
[fleet.b]
count = 3
arrival = { process = "constant", rate = "1/s" }
"#;

#[tokio::test]
async fn two_serve_processes_share_a_per_fleet_level() {
    if skip_without_redis("two_serve_processes_share_a_per_fleet_level") {
        return;
    }
    let redis = Redis::start();
    let file = ScenarioFile::new("fleet", PER_FLEET);
    let url = redis.url();
    let args = ["--store", &url, "--scenario", &file.path()];
    let p = Server::start(&args);
    // the second process serves the same keys (their secrets from the first's file)
    let keys = p.keys_file.to_string_lossy().into_owned();
    let q = Server::start(&[&args[..], &["--keys-file", &keys]].concat());
    let both = [&p, &q];

    // fleet a first, 9 at once over both processes: its key level (burst 8) limits it, the
    // global level is not its own and counts none of it
    let a = burst(&both, "key-0", 9).await;
    assert_eq!((count(&a, 200), count(&a, 429)), (8, 1), "fleet a: {a:?}");

    // fleet b: 3 keys x 8 at once over both processes; each key could take 8, the shared
    // global level admits 12 in all (none of it used by fleet a)
    let mut set = tokio::task::JoinSet::new();
    for key in ["key-2", "key-3", "key-4"] {
        let urls = [p.url("/v1/work"), q.url("/v1/work")];
        let auth = p.bearer(key);
        set.spawn(async move {
            let mut v = Vec::new();
            for i in 0..8 {
                v.push(send(urls[i % 2].clone(), auth.clone()).await.0);
            }
            v
        });
    }
    let mut b = Vec::new();
    while let Some(v) = set.join_next().await {
        b.extend(v.expect("join"));
    }
    assert_eq!(
        (count(&b, 200), count(&b, 429)),
        (12, 12),
        "fleet b across two processes: exactly the global limit, {b:?}"
    );
    // the global level is used up for fleet b on either process
    for srv in both {
        let (s, h) = post(srv, "key-2").await;
        assert_eq!(s, 429);
        assert!(h.iter().any(|(k, _)| k == "retry-after"), "{h:?}");
    }
    // fleet a's other key is untouched by all of this
    assert_eq!(count(&burst(&both, "key-1", 8).await, 200), 8);
}

/// One key level charged at admission, one charged on completion (check, call, record: seed
/// 001's metering), and a global level for fleet `b` only. The backend takes 300 ms, so
/// requests sent together are all checked before any records.
const MIXED: &str = r#"
name = "mixed"
duration = "60s"
[[server.limiters]]
scope = "key"
algorithm = "token_bucket"
rate = "1/min"
burst = 6
[[server.limiters]]
scope = "key"
algorithm = "sliding_log"
limit = 3
window = "60s"
charge = "on_completion"
[[server.limiters]]
scope = "global"
algorithm = "gcra"
rate = "1/min"
burst = 4
fleets = ["b"]
[server.backend]
service_time = { dist = "constant", value = "300ms" }
[fleet.a]
count = 2
arrival = { process = "constant", rate = "1/s" }
[fleet.b]
count = 2
arrival = { process = "constant", rate = "1/s" }
"#;

/// Headers that must agree between the two stores: the rate-limit headers and Retry-After.
/// Times are whole seconds computed from each server's own clock, so a time-valued header may
/// differ by one (the two requests are not sent at the same nanosecond).
fn picked(h: &[(String, String)]) -> Vec<(String, String)> {
    let mut v: Vec<_> = h
        .iter()
        .filter(|(k, _)| k.contains("ratelimit") || k == "retry-after")
        .cloned()
        .collect();
    v.sort();
    v
}

/// A header whose value is a time (seconds to a reset, or an epoch of one).
fn timed(name: &str) -> bool {
    name.contains("reset") || name == "retry-after"
}

/// The order of concurrent answers: status, then the rate-limit headers without their
/// time-valued ones.
fn order(a: &Answer) -> (u16, Vec<(String, String)>) {
    let h = picked(&a.1)
        .into_iter()
        .filter(|(k, _)| !timed(k))
        .collect();
    (a.0, h)
}

/// Compare [`picked`] headers of two responses (see above).
fn same(a: &[(String, String)], b: &[(String, String)]) -> Result<(), String> {
    let (a, b) = (picked(a), picked(b));
    let names = |v: &[(String, String)]| v.iter().map(|(k, _)| k.clone()).collect::<Vec<_>>();
    if names(&a) != names(&b) {
        return Err(format!("header names differ: {a:?} vs {b:?}"));
    }
    for ((k, x), (_, y)) in a.iter().zip(&b) {
        let close = match (x.parse::<i64>(), y.parse::<i64>()) {
            (Ok(x), Ok(y)) => timed(k) && (x - y).abs() <= 1,
            _ => false,
        };
        if x != y && !close {
            return Err(format!("{k}: {x} vs {y}"));
        }
    }
    if a.is_empty() {
        return Err("no rate-limit headers".into());
    }
    Ok(())
}

#[tokio::test]
async fn charge_on_completion_and_fleets_decide_the_same_in_memory_and_in_redis() {
    if skip_without_redis("charge_on_completion_and_fleets_decide_the_same_in_memory_and_in_redis")
    {
        return;
    }
    let redis = Redis::start();
    let file = ScenarioFile::new("mixed", MIXED);
    let url = redis.url();
    let memory = Server::start(&["--scenario", &file.path()]);
    let shared = Server::start(&["--store", &url, "--scenario", &file.path()]);

    // The sequence: (token, how many at once). key-0/key-1 are fleet a, key-2/key-3 fleet b.
    let steps: &[(&str, usize)] = &[
        ("key-0", 5), // all 5 pass the on-completion check (3 left for each): 200 x5
        ("key-0", 1), // the records filled the window: 429 from the on-completion level
        ("key-1", 1),
        ("key-1", 1),
        ("key-2", 2), // fleet b: global burst 4
        ("key-3", 2),
        ("key-3", 1), // global level exhausted: 429, key-3's token bucket not charged
        ("key-1", 1), // fleet a is not under the global level
        ("key-1", 1), // its 4th: the on-completion window is full
        ("key-0", 1),
    ];
    let mut statuses = Vec::new();
    for (step, (token, n)) in steps.iter().enumerate() {
        // the same requests to both servers at the same time
        let (one, other) = ([&memory], [&shared]);
        let (mut m, mut r) = tokio::join!(together(&one, token, *n), together(&other, token, *n));
        // concurrent answers arrive in any order: compare them sorted
        m.sort_by_key(order);
        r.sort_by_key(order);
        let ms: Vec<u16> = m.iter().map(|x| x.0).collect();
        let rs: Vec<u16> = r.iter().map(|x| x.0).collect();
        assert_eq!(
            ms, rs,
            "step {step} ({token} x{n}): statuses memory vs redis"
        );
        for (x, y) in m.iter().zip(&r) {
            if let Err(e) = same(&x.1, &y.1) {
                panic!("step {step} ({token} x{n}): headers memory vs redis: {e}");
            }
        }
        statuses.push(ms);
    }
    // and the sequence exercised what it is meant to (a test that cannot pass vacuously)
    let want: [&[u16]; 10] = [
        &[200; 5],
        &[429],
        &[200],
        &[200],
        &[200, 200],
        &[200, 200],
        &[429],
        &[200],
        &[429],
        &[429],
    ];
    assert_eq!(statuses, want.map(<[u16]>::to_vec).to_vec());
}

/// Fleet `a` (key-0) is counted only on completion; fleet `b` (key-1) also by a global level
/// of its own.
const OUTAGE: &str = r#"
name = "outage"
duration = "60s"
[[server.limiters]]
scope = "key"
algorithm = "sliding_log"
limit = 3
window = "60s"
charge = "on_completion"
[[server.limiters]]
scope = "global"
algorithm = "gcra"
rate = "1/min"
burst = 2
fleets = ["b"]
[fleet.a]
count = 1
arrival = { process = "constant", rate = "1/s" }
[fleet.b]
count = 1
arrival = { process = "constant", rate = "1/s" }
"#;

#[tokio::test]
async fn killing_redis_with_per_fleet_and_on_completion_levels_fails_as_configured() {
    if skip_without_redis(
        "killing_redis_with_per_fleet_and_on_completion_levels_fails_as_configured",
    ) {
        return;
    }
    let mut redis = Redis::start();
    let file = ScenarioFile::new("outage", OUTAGE);
    let url = redis.url();
    let start = |mode: &str| {
        Server::start(&[
            "--store",
            &url,
            "--on-store-error",
            mode,
            "--store-timeout",
            "200ms",
            "--scenario",
            &file.path(),
        ])
    };
    let (mut open, mut closed, mut local) =
        (start("fail-open"), start("fail-closed"), start("local"));
    // Redis up: the three processes share the levels; one request of each fleet through each
    // uses the global level (b) to 1 of 2 ... 3 requests of b: the third is denied
    for srv in [&open, &closed] {
        assert_eq!(status(srv, "key-0").await, 200);
        assert_eq!(status(srv, "key-1").await, 200);
    }
    assert_eq!(
        status(&local, "key-1").await,
        429,
        "shared global level: 2 of 2 used"
    );
    assert_eq!(
        status(&local, "key-0").await,
        200,
        "key-0 recorded twice: 1 left"
    );
    assert_eq!(status(&local, "key-0").await, 429, "key-0: 3 of 3 recorded");

    redis.kill();
    // fail-open: everything admitted, both fleets
    for token in ["key-0", "key-1", "key-0", "key-1"] {
        assert_eq!(status(&open, token).await, 200, "fail-open admits {token}");
    }
    // fail-closed: refused, also a request counted only on completion (its check cannot run)
    for token in ["key-0", "key-1"] {
        let (s, h) = post(&closed, token).await;
        assert_eq!(s, 503, "fail-closed refuses {token}");
        assert!(
            h.iter().any(|(k, v)| k == "retry-after" && v == "1"),
            "{h:?}"
        );
    }
    // local: this process's own in-memory levels, with the same semantics: fleet b under a
    // fresh global level (2), fleet a only under its on-completion window (3)
    let mut b = Vec::new();
    for _ in 0..3 {
        b.push(status(&local, "key-1").await);
    }
    assert_eq!(b, [200, 200, 429], "local: the per-fleet level in memory");
    let mut a = Vec::new();
    for _ in 0..4 {
        a.push(status(&local, "key-0").await);
    }
    assert_eq!(
        a,
        [200, 200, 200, 429],
        "local: the on-completion level in memory"
    );
    for (srv, mode) in [
        (&open, "fail-open"),
        (&closed, "fail-closed"),
        (&local, "local"),
    ] {
        let m = client()
            .get(srv.url("/metrics"))
            .send()
            .await
            .expect("metrics")
            .text()
            .await
            .expect("text");
        assert!(m.contains("throttlelab_store_up 0"), "{mode}:\n{m}");
    }
    assert!(open.alive() && closed.alive() && local.alive(), "no crash");
}
