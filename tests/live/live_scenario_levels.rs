//! `serve --scenario` honours a scenario level's fixed `retry_after`, its `fleets` filter (by
//! the fleet the API key belongs to) and `charge = "on_completion"` (check, call, then
//! record: concurrent requests all pass the check), and warns about what it cannot honour.

// live mode: built with the `live` feature (the default)
#![cfg(feature = "live")]

use crate::live_common;

use live_common::{client, Server};
use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;
use std::process::{Command, Stdio};

fn scenario(tag: &str, text: &str) -> PathBuf {
    let p = std::env::temp_dir().join(format!(
        "throttlelab-levels-{tag}-{}.toml",
        std::process::id()
    ));
    std::fs::write(&p, text).expect("write scenario");
    p
}

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

const TWO_FLEETS: &str = r#"
name = "levels"
duration = "60s"
[[server.limiters]]
scope = "key"
algorithm = "fixed_window"
limit = 1
period = "60s"
retry_after = "7s"
fleets = ["b"]
[fleet.a]
count = 1
arrival = { process = "constant", rate = "1/s" }
[fleet.b]
count = 1
arrival = { process = "constant", rate = "1/s" }
"#;

#[tokio::test]
async fn a_fixed_retry_after_and_a_fleet_filter_are_served() {
    let path = scenario("filter", TWO_FLEETS);
    let srv = Server::start(&["--scenario", &path.to_string_lossy()]);
    // key-0 is fleet a's client: the level is b's only
    for _ in 0..5 {
        assert_eq!(
            post(&srv, "key-0").await.status(),
            200,
            "fleet a is not limited"
        );
    }
    // key-1 is fleet b's client: one per minute, then the fixed Retry-After
    assert_eq!(post(&srv, "key-1").await.status(), 200);
    let r = post(&srv, "key-1").await;
    assert_eq!(r.status(), 429);
    let ra = r.headers().get("retry-after").expect("Retry-After");
    assert_eq!(
        ra.to_str().unwrap_or(""),
        "7",
        "the level's fixed retry_after"
    );
    let _ = std::fs::remove_file(&path);
}

const ON_COMPLETION: &str = r#"
name = "metering"
duration = "60s"
[[server.limiters]]
scope = "key"
algorithm = "fixed_window"
limit = 2
period = "60s"
charge = "on_completion"
[server.backend]
service_time = { dist = "constant", value = "300ms" }
[fleet.web]
count = 1
arrival = { process = "constant", rate = "1/s" }
"#;

#[tokio::test]
async fn a_level_charged_on_completion_lets_concurrent_checks_through() {
    let path = scenario("completion", ON_COMPLETION);
    let srv = Server::start(&["--scenario", &path.to_string_lossy()]);
    // five at once: every check sees 2 remaining (nothing is recorded until one completes)
    let burst = futures_join(&srv, 5).await;
    assert_eq!(burst, vec![200; 5], "check-then-record: all pass the check");
    // now the window holds its limit (records beyond it were refused): denied
    assert_eq!(post(&srv, "key-0").await.status(), 429);
    let _ = std::fs::remove_file(&path);
}

async fn futures_join(srv: &Server, n: usize) -> Vec<u16> {
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..n {
        let url = srv.url("/v1/work");
        let auth = srv.bearer("key-0");
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
        out.push(s.unwrap_or(0));
    }
    out
}

#[test]
fn options_serve_cannot_honour_are_warned_about() {
    let path = scenario(
        "warn",
        r#"
name = "warn"
duration = "10s"
[network]
delay = { dist = "constant", value = "5ms" }
[fleet.web]
count = 1
arrival = { process = "constant", rate = "1/s" }
"#,
    );
    let mut child = Command::new(env!("CARGO_BIN_EXE_throttlelab"))
        .args([
            "serve",
            "--port",
            "0",
            "--scenario",
            &path.to_string_lossy(),
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn serve");
    let mut line = String::new();
    let _ = BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut line);
    assert!(line.starts_with("listening on"), "{line}");
    let _ = child.kill();
    let _ = child.wait();
    let mut err = String::new();
    let _ = child
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut err);
    assert!(
        err.contains("not honoured live") && err.contains("network delay"),
        "{err}"
    );
    let _ = std::fs::remove_file(&path);
}
