//! Tenants cannot hurt each other through the server's shared parts: the idempotency store
//! (a flood of one tenant's keys evicts none of another's stored responses), `/metrics`
//! (bound elsewhere or behind a token), and connections (a cap, idle ones closed oldest first).

// live mode: built with the `live` feature (the default)
#![cfg(feature = "live")]

use crate::live_common;

use live_common::{client, header, Server};
use std::time::Duration;

async fn post(srv: &Server, label: &str, idem: &str) -> reqwest::Response {
    client()
        .post(srv.url("/v1/work"))
        .header("authorization", srv.bearer(label))
        .header("idempotency-key", idem)
        .body("{}")
        .send()
        .await
        .expect("request")
}

#[tokio::test]
async fn another_tenants_flood_does_not_evict_a_stored_response() {
    // key-0 is org-0 (the victim), key-1 org-1 (the flood); 4 stored responses per tenant
    let srv = Server::start(&[
        "--keys",
        "2",
        "--orgs",
        "2",
        "--idempotency-capacity",
        "4",
        "--limiter",
        "key:fixed_window limit=100 period=1h",
    ]);
    let first = post(&srv, "key-0", "victim-order-0001").await;
    assert_eq!(first.status(), 200);
    assert_eq!(header(&first, "x-ratelimit-remaining"), "99");
    for i in 0..40 {
        let r = post(&srv, "key-1", &format!("flood-{i:06}")).await;
        assert_eq!(r.status(), 200);
    }
    // the victim's retry is replayed, not run (and charged) a second time
    let retry = post(&srv, "key-0", "victim-order-0001").await;
    assert_eq!(retry.status(), 200);
    assert_eq!(header(&retry, "x-idempotent-replay"), "true");
    assert_eq!(
        header(&retry, "x-ratelimit-remaining"),
        "99",
        "charged once"
    );
    // the flooding tenant's own oldest entries went: its first key runs again
    let again = post(&srv, "key-1", "flood-000000").await;
    assert_eq!(header(&again, "x-idempotent-replay"), "");
}

async fn get(url: &str, auth: Option<&str>) -> (u16, String) {
    let mut req = client().get(url);
    if let Some(a) = auth {
        req = req.header("authorization", a);
    }
    let r = req.send().await.expect("request");
    (r.status().as_u16(), r.text().await.expect("text"))
}

#[tokio::test]
async fn metrics_behind_a_token() {
    let token = "metrics-token-0123456789";
    let srv = Server::start(&["--metrics-token", token]);
    let url = srv.url("/metrics");
    assert_eq!(get(&url, None).await.0, 401);
    assert_eq!(
        get(&url, Some(&srv.bearer("key-0"))).await.0,
        401,
        "an API key is not it"
    );
    let (s, text) = get(&url, Some(&format!("Bearer {token}"))).await;
    assert_eq!(s, 200);
    assert!(text.contains("throttlelab_in_flight"), "{text}");
}

#[tokio::test]
async fn metrics_on_their_own_address() {
    let srv = Server::start(&["--metrics-addr", "127.0.0.1:0"]);
    let line = srv.next_line().expect("the metrics address line");
    let url = line
        .trim()
        .strip_prefix("metrics on ")
        .unwrap_or_else(|| panic!("{line:?}"))
        .to_string();
    assert_eq!(
        get(&srv.url("/metrics"), None).await.0,
        404,
        "not on the API port"
    );
    let (s, text) = get(&url, None).await;
    assert_eq!(s, 200);
    assert!(text.contains("throttlelab_in_flight"), "{text}");
    // the API itself still answers
    assert_eq!(post(&srv, "key-0", "after-metrics-01").await.status(), 200);
}

#[tokio::test]
async fn idle_connections_past_the_cap_are_closed_oldest_first() {
    use std::io::Read;
    let srv = Server::start(&["--max-connections", "20"]);
    // 30 idle sockets (connected, nothing sent): the first 10 make room for the last 10
    let mut idle = Vec::new();
    for _ in 0..30 {
        let s = std::net::TcpStream::connect(("127.0.0.1", srv.port)).expect("connect");
        s.set_read_timeout(Some(std::time::Duration::from_secs(3)))
            .ok();
        idle.push(s);
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let started = std::time::Instant::now();
    let r = post(&srv, "key-0", "after-idle-0001").await;
    assert_eq!(r.status(), 200);
    assert!(started.elapsed() < std::time::Duration::from_secs(2));
    let mut buf = [0u8; 16];
    assert!(
        matches!(idle[0].read(&mut buf), Ok(0)),
        "the oldest idle connection was closed"
    );
    let mut newest = idle.pop().expect("newest");
    newest
        .set_read_timeout(Some(std::time::Duration::from_millis(300)))
        .ok();
    assert!(
        newest.read(&mut buf).is_err(),
        "the newest is still open (the read times out)"
    );
}

#[tokio::test]
async fn when_every_connection_is_busy_a_newcomer_gets_a_clear_503() {
    let srv = Server::start(&["--max-connections", "2", "--service-time", "1500ms"]);
    let slow = || {
        let url = srv.url("/v1/work");
        let auth = srv.bearer("key-0");
        tokio::spawn(async move {
            client()
                .post(url)
                .header("authorization", auth)
                .body("{}")
                .send()
                .await
                .map(|r| r.status().as_u16())
        })
    };
    let (a, b) = (slow(), slow());
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    let refused = live_common::raw(srv.port, b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    assert!(refused.starts_with("HTTP/1.1 503"), "{refused}");
    assert!(refused.contains("too many open connections"), "{refused}");
    assert_eq!(a.await.expect("join").expect("a"), 200);
    assert_eq!(b.await.expect("join").expect("b"), 200);
}

/// `serve` under `ulimit <flag> 256`, with 400 idle sockets opened: whether the first is still
/// open, and the time a new client waited for its answer.
fn four_hundred_idle(ulimit: &str) -> (bool, Duration) {
    use std::io::{BufRead, BufReader, Read};
    use std::process::{Command, Stdio};
    let keys = live_common::temp_path("ulimit-keys");
    let mut child = Command::new("sh")
        .args(["-c", &format!("ulimit {ulimit} 256 && exec \"$0\" \"$@\"")])
        .arg(env!("CARGO_BIN_EXE_throttlelab"))
        .args(["serve", "--port", "0", "--keys-out"])
        .arg(&keys)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("address");
    let port: u16 = line
        .trim()
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .expect("port");
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], port));
    let mut idle = Vec::new();
    for _ in 0..400 {
        if let Ok(s) = std::net::TcpStream::connect_timeout(&addr, Duration::from_secs(2)) {
            idle.push(s);
        }
    }
    let started = std::time::Instant::now();
    let answer = live_common::raw(
        port,
        b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    let took = started.elapsed();
    let first_open = {
        let mut buf = [0u8; 8];
        idle[0]
            .set_read_timeout(Some(Duration::from_millis(300)))
            .ok();
        idle[0].read(&mut buf).is_err()
    };
    let _ = child.kill();
    let _ = child.wait();
    let _ = std::fs::remove_file(&keys);
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer:?}");
    assert_eq!(idle.len(), 400, "every connect was accepted");
    (first_open, took)
}

/// At a hard limit of 256 descriptors (it cannot be raised), 400 idle sockets do not lock a
/// new client out: the oldest idle ones are closed (the new client waited 7 s before the cap).
#[test]
fn four_hundred_idle_sockets_at_a_256_descriptor_limit_do_not_lock_clients_out() {
    let (first_open, took) = four_hundred_idle("-n");
    assert!(took < Duration::from_secs(2), "answered after {took:?}");
    assert!(
        !first_open,
        "the oldest idle socket was closed to make room"
    );
}

/// A soft limit of 256 under a higher hard one is raised at start: all 400 stay open.
#[test]
fn a_soft_descriptor_limit_is_raised_at_start() {
    let hard = std::process::Command::new("sh")
        .args(["-c", "ulimit -H -n"])
        .output()
        .expect("ulimit");
    let hard = String::from_utf8_lossy(&hard.stdout).trim().to_string();
    if hard.parse::<u64>().is_ok_and(|h| h < 1024) {
        eprintln!("SKIP: the hard open-file limit is {hard}");
        return;
    }
    let (first_open, took) = four_hundred_idle("-S -n");
    assert!(took < Duration::from_secs(2), "answered after {took:?}");
    assert!(first_open, "the limit was raised: no idle socket had to go");
}

/// `load` reads the gauges of a server whose `/metrics` needs a token when given it.
#[test]
fn load_scrapes_token_protected_metrics_with_the_token() {
    let token = "metrics-token-for-load-01";
    let srv = Server::start(&["--keys", "1", "--metrics-token", token]);
    let dir = live_common::temp_path("load-metrics");
    std::fs::create_dir_all(&dir).expect("dir");
    let scenario = dir.join("s.toml");
    std::fs::write(
        &scenario,
        "name = \"m\"\nduration = \"1s\"\nbucket = \"500ms\"\n[fleet.web]\ncount = 1\n\
         arrival = { process = \"constant\", rate = \"10/s\" }\n",
    )
    .expect("scenario");
    let warnings = |extra: &[&str], out: &str| -> String {
        let out = dir.join(out);
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_throttlelab"))
            .args(["load", "--target", &srv.base, "--keys", "1", "--no-report"])
            .arg("--scenario")
            .arg(&scenario)
            .arg("--keys-file")
            .arg(&srv.keys_file)
            .arg("--out")
            .arg(&out)
            .args(extra)
            .output()
            .expect("load");
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
        // <out>/m/<seed>/live.json
        let seed_dir = std::fs::read_dir(out.join("m"))
            .expect("run dir")
            .next()
            .expect("seed dir")
            .expect("entry")
            .path();
        let live = std::fs::read_to_string(seed_dir.join("live.json")).expect("live.json");
        let v: serde_json::Value = serde_json::from_str(&live).expect("json");
        v["warnings"].to_string()
    };
    assert!(warnings(&[], "a").contains("no throttlelab gauges"));
    assert!(!warnings(&["--metrics-token", token], "b").contains("no throttlelab gauges"));
    let _ = std::fs::remove_dir_all(&dir);
}
