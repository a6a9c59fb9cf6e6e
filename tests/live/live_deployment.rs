//! A scenario's `[deployment]` run live (issue #15): `serve --scenario` starts N replica
//! processes behind a real HAProxy, and each level's `state` behaves as in the simulator.
//! One key sends sequential requests through the balancer within one window of a fixed-window
//! limit of 10, so the admissions are the deployment's, not the algorithm's:
//! - `local` behind round robin: each replica has the whole limit, so the key gets 2 x 10
//!   (the per-instance surprise must happen: one server would give 10);
//! - `split`: each replica 10 / 2 = 5, so 10 in all (must not be 20);
//! - `central` on Redis: exactly 10 (must not be 20);
//! - `synced` on Redis: the replicas decide alone between syncs, then learn the others'.
//!
//! Requires HAProxy (/usr/sbin/haproxy) and redis-server: `.ci/run` installs both.

// live mode: built with the `live` feature (the default)
#![cfg(feature = "live")]

use crate::live_common;

use live_common::{Redis, Server};
use std::io::Write;
use std::time::Duration;

fn scenario(state: &str, extra: &str, replicas: u32, balancer: &str) -> std::path::PathBuf {
    let path = live_common::temp_path("deployment.toml");
    let text = format!(
        "name = \"dep\"\nduration = \"60s\"\n\
         [[server.limiters]]\nscope = \"key\"\nalgorithm = \"fixed_window\"\nlimit = 10\n\
         period = \"10s\"\nstate = \"{state}\"\n{extra}\n\
         [deployment]\nreplicas = {replicas}\nbalancer = \"{balancer}\"\n\
         [fleet.api]\ncount = 2\nkeys = \"per-client\"\n\
         arrival = {{ process = \"constant\", rate = \"1/s\" }}\n"
    );
    std::fs::File::create(&path)
        .and_then(|mut f| f.write_all(text.as_bytes()))
        .expect("write scenario");
    path
}

/// Wait until the Unix clock is at least `margin` before the end of a 10 s window, so `n`
/// quick requests fall in one window.
fn early_in_window(margin: Duration) {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap();
    let into = Duration::from_nanos((now.as_nanos() % 10_000_000_000) as u64);
    if into + margin > Duration::from_secs(10) {
        std::thread::sleep(Duration::from_secs(10) - into + Duration::from_millis(50));
    }
}

/// `n` sequential requests of `key-0` through the balancer: the statuses.
fn statuses(server: &Server, n: usize) -> Vec<u16> {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let http = live_common::client();
    rt.block_on(async {
        let mut out = Vec::new();
        for _ in 0..n {
            let r = http
                .post(server.url("/v1/work"))
                .header("authorization", server.bearer("key-0"))
                .send()
                .await
                .expect("request through HAProxy");
            out.push(r.status().as_u16());
        }
        out
    })
}

fn admitted(s: &[u16]) -> usize {
    s.iter().filter(|&&c| c == 200).count()
}

fn redis() -> Redis {
    assert!(
        Redis::available(),
        "redis-server is not installed (apt-get install -y redis-server; .ci/run does)"
    );
    Redis::start()
}

#[test]
fn local_replicas_each_admit_the_whole_limit() {
    let f = scenario("local", "", 2, "round_robin");
    let s = Server::start(&["--scenario", f.to_str().unwrap()]);
    early_in_window(Duration::from_secs(4));
    let got = statuses(&s, 30);
    assert_eq!(admitted(&got), 20, "2 replicas x 10: {got:?}");
}

#[test]
fn split_replicas_share_the_limit() {
    let f = scenario("split", "", 2, "round_robin");
    let s = Server::start(&["--scenario", f.to_str().unwrap()]);
    early_in_window(Duration::from_secs(4));
    let got = statuses(&s, 30);
    assert_eq!(admitted(&got), 10, "2 replicas x 5: {got:?}");
}

#[test]
fn central_replicas_admit_exactly_the_limit_through_redis() {
    let r = redis();
    let f = scenario("central", "", 2, "round_robin");
    let s = Server::start(&["--scenario", f.to_str().unwrap(), "--store", &r.url()]);
    early_in_window(Duration::from_secs(4));
    let got = statuses(&s, 30);
    assert_eq!(admitted(&got), 10, "one shared limit: {got:?}");
}

#[test]
fn four_central_replicas_behind_least_connections_admit_exactly_the_limit() {
    let r = redis();
    let f = scenario("central", "", 4, "least_outstanding");
    let s = Server::start(&["--scenario", f.to_str().unwrap(), "--store", &r.url()]);
    early_in_window(Duration::from_secs(4));
    let got = statuses(&s, 30);
    assert_eq!(admitted(&got), 10, "one shared limit: {got:?}");
}

/// Wait for the start of the next 10 s window of the Unix clock (plus 100 ms).
fn window_start() {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap();
    let into = Duration::from_nanos((now.as_nanos() % 10_000_000_000) as u64);
    std::thread::sleep(Duration::from_secs(10) - into + Duration::from_millis(100));
}

/// Synced every 2 s (ticks at multiples of 2 s, so one falls on every window start): a burst
/// between two syncs is decided by each replica alone (12 of a limit of 10 get through, 6 at
/// each replica), and after the next sync each counts the other's 6 and refuses the key.
#[test]
fn synced_replicas_decide_alone_between_syncs_and_learn_at_the_sync() {
    let r = redis();
    let f = scenario("synced", "sync_interval = \"2s\"", 2, "round_robin");
    let s = Server::start(&["--scenario", f.to_str().unwrap(), "--store", &r.url()]);
    window_start();
    let burst = statuses(&s, 12);
    assert_eq!(
        admitted(&burst),
        12,
        "each replica alone, 6 of its 10: {burst:?}"
    );
    // past the tick at 2 s and its settle read
    std::thread::sleep(Duration::from_millis(2400));
    let then = statuses(&s, 6);
    assert_eq!(
        admitted(&then),
        0,
        "after the sync each replica counts 12 (without it, 8 more would pass): {then:?}"
    );
}

#[test]
fn hash_key_balancing_is_sticky() {
    let f = scenario("local", "", 2, "hash_key");
    let s = Server::start(&["--scenario", f.to_str().unwrap()]);
    early_in_window(Duration::from_secs(4));
    let got = statuses(&s, 30);
    // one key always reaches one replica: its limit once, not twice
    assert_eq!(admitted(&got), 10, "{got:?}");
}

/// Weights go to HAProxy: a replica of weight 0 gets nothing, so the key meets one replica's
/// limit (10), not two (round robin's 20).
#[test]
fn weighted_balancing_follows_the_weights() {
    let f = scenario("local", "", 2, "WEIGHTED");
    let text = std::fs::read_to_string(&f).unwrap().replace(
        "balancer = \"WEIGHTED\"",
        "balancer = { weighted = [1, 0] }",
    );
    std::fs::write(&f, text).unwrap();
    let s = Server::start(&["--scenario", f.to_str().unwrap()]);
    early_in_window(Duration::from_secs(4));
    let got = statuses(&s, 30);
    assert_eq!(admitted(&got), 10, "{got:?}");
}

/// HAProxy starts and serves with `balance random` and `balance random(2)`.
#[test]
fn random_and_power_of_two_balancers_serve() {
    for b in ["random", "power_of_two"] {
        let f = scenario("split", "", 2, b);
        let s = Server::start(&["--scenario", f.to_str().unwrap()]);
        early_in_window(Duration::from_secs(4));
        let got = statuses(&s, 30);
        // each replica holds 5: at least 5 and at most 10 pass, whatever the draws
        let n = admitted(&got);
        assert!((5..=10).contains(&n), "{b}: {got:?}");
        assert!(got.iter().all(|c| *c == 200 || *c == 429), "{b}: {got:?}");
    }
}

/// `[[faults]] replica = 1` hits that replica's backend only, live as in the simulator
/// (sim/tests/behaviour/deployment_replica_faults.rs): behind round robin every other request meets the
/// outage. Before, every replica applied every scenario fault (all 503).
#[test]
fn a_fault_on_one_replica_answers_every_other_request_behind_round_robin() {
    let path = live_common::temp_path("replica-fault.toml");
    let text = "name = \"rf\"\nduration = \"60s\"\n\
         [[server.limiters]]\nscope = \"key\"\nalgorithm = \"fixed_window\"\nlimit = 1000\n\
         period = \"10s\"\nstate = \"local\"\n\
         [deployment]\nreplicas = 2\nbalancer = \"round_robin\"\n\
         [[faults]]\nkind = \"outage\"\nstatus = 503\nstart = \"0s\"\nduration = \"60s\"\n\
         replica = 1\n\
         [fleet.api]\ncount = 2\nkeys = \"per-client\"\n\
         arrival = { process = \"constant\", rate = \"1/s\" }\n";
    std::fs::write(&path, text).expect("write scenario");
    let s = Server::start(&["--scenario", path.to_str().unwrap()]);
    let got = statuses(&s, 20);
    let outage = got.iter().filter(|&&c| c == 503).count();
    assert_eq!((admitted(&got), outage), (10, 10), "{got:?}");
}
