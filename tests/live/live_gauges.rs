//! The server side of a live run (issue 7): `serve` reports its queue, busy workers and wasted
//! work in `/metrics`; `load` samples them once per bucket into the run's time series and its
//! wasted-work figure (or leaves them empty, with a warning, against a server without them);
//! an outage is answered by the load balancer and not counted admitted; and the backend's
//! error draws repeat under one `--seed`.

// live mode: built with the `live` feature (the default)
#![cfg(feature = "live")]

use crate::live_common;

use live_common::{client, Server};
use serde_json::Value;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

fn tmp(tag: &str) -> PathBuf {
    let p = std::env::temp_dir().join(format!("throttlelab-gauges-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&p);
    std::fs::create_dir_all(&p).expect("temp dir");
    p
}

/// `name value` of an unlabelled series in `/metrics` text.
fn metric(text: &str, name: &str) -> f64 {
    text.lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' '))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("{name} missing in\n{text}"))
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

fn post(c: &reqwest::Client, srv: &Server) -> reqwest::RequestBuilder {
    c.post(srv.url("/v1/work"))
        .header("authorization", srv.bearer("key-0"))
        .header("content-type", "application/json")
        .body("{}")
}

#[tokio::test]
async fn busy_workers_queue_and_wasted_work_are_in_metrics() {
    let srv = Server::start(&["--service-time", "600ms", "--workers", "1", "--queue", "4"]);
    let impatient = reqwest::Client::builder()
        .timeout(Duration::from_millis(150))
        .build()
        .expect("client");
    let patient = client();
    // one request in service (its client gives up), one waiting behind it
    let (gone, waiting, text) = tokio::join!(
        post(&impatient, &srv).send(),
        async {
            tokio::time::sleep(Duration::from_millis(50)).await;
            post(&patient, &srv).send().await
        },
        async {
            tokio::time::sleep(Duration::from_millis(300)).await;
            metrics(&srv).await
        }
    );
    assert!(
        gone.is_err_and(|e| e.is_timeout()),
        "the first client gave up"
    );
    assert_eq!(metric(&text, "throttlelab_busy_workers"), 1.0, "{text}");
    assert_eq!(metric(&text, "throttlelab_queue_depth"), 1.0);
    assert_eq!(waiting.expect("served").status(), 200);
    let text = metrics(&srv).await;
    assert_eq!(metric(&text, "throttlelab_busy_workers"), 0.0);
    assert_eq!(
        metric(&text, "throttlelab_wasted_total"),
        1.0,
        "only the abandoned request is wasted"
    );
    let secs = metric(&text, "throttlelab_wasted_work_seconds_total");
    assert!((0.6..0.7).contains(&secs), "its service time: {secs}");
}

const OUTAGE: &str = r#"
name = "live-gauges-outage"
duration = "3s"
bucket = "500ms"
[[server.limiters]]
scope = "key"
algorithm = "token_bucket"
rate = "1000/s"
burst = 1000
[server.backend]
workers = 1
queue = 100
service_time = "30ms"
[[faults]]
kind = "outage"
start = "0s"
duration = "1500ms"
status = 503
[fleet.web]
count = 2
arrival = { process = "constant", rate = "10/s" }
"#;

fn load(target: &str, scenario: &Path, out: &Path, keys: Option<&Path>) -> (Value, Value, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_throttlelab"));
    cmd.args(["load", "--target", target, "--scenario"])
        .arg(scenario)
        .arg("--out")
        .arg(out)
        .arg("--no-report");
    if let Some(k) = keys {
        cmd.arg("--keys-file").arg(k);
    }
    let o = cmd.output().expect("run load");
    let stderr = String::from_utf8_lossy(&o.stderr).into_owned();
    assert_eq!(o.status.code(), Some(0), "{stderr}");
    let name = std::fs::read_dir(out)
        .expect("out")
        .next()
        .expect("scenario dir");
    let dir = std::fs::read_dir(name.expect("entry").path())
        .expect("seed dir")
        .next()
        .expect("run dir")
        .expect("entry")
        .path();
    let json = |f: &str| -> Value {
        serde_json::from_str(&std::fs::read_to_string(dir.join(f)).expect(f)).expect("JSON")
    };
    let series = std::fs::read_to_string(dir.join("timeseries.csv")).expect("timeseries.csv");
    (
        json("summary.json")["summary"].clone(),
        json("live.json"),
        series,
    )
}

/// The values of column `name` in the total (`all`) rows of `timeseries.csv`.
fn column(csv: &str, name: &str) -> Vec<String> {
    let mut lines = csv.lines();
    let head: Vec<&str> = lines.next().expect("header").split(',').collect();
    let i = head.iter().position(|h| *h == name).expect(name);
    lines
        .map(|l| l.split(',').collect::<Vec<_>>())
        .filter(|r| r[0] == "all")
        .map(|r| r[i].to_string())
        .collect()
}

#[tokio::test]
async fn an_outage_is_the_load_balancers_and_not_admitted_and_gauges_fill_the_series() {
    let dir = tmp("outage");
    let path = dir.join("outage.toml");
    std::fs::write(&path, OUTAGE).expect("write scenario");
    let srv = Server::start(&["--scenario", &path.to_string_lossy()]);
    let r = post(&client(), &srv).send().await.expect("answer");
    assert_eq!(r.status(), 503);
    assert_eq!(r.headers()["server"], "throttlelab-lb");
    assert!(
        !r.headers().contains_key("x-ratelimit-limit"),
        "the limiters never saw it: no rate-limit headers"
    );
    let (base, keys) = (srv.base.clone(), srv.keys_file.clone());
    let (summary, live, series) =
        tokio::task::spawn_blocking(move || load(&base, &path, &dir.join("out"), Some(&keys)))
            .await
            .expect("load");
    let n = |k: &str| {
        summary[k]
            .as_u64()
            .unwrap_or_else(|| panic!("{k}: {summary}"))
    };
    let outage = summary["server_errors"]["503"].as_u64().unwrap_or(0);
    assert!(outage >= 20, "answers during the outage: {summary}");
    assert!(n("successes") >= 20, "{summary}");
    assert_eq!(n("logical_requests"), 60, "{summary}");
    assert_eq!(
        n("admitted"),
        n("successes"),
        "the outage's 503s are not admitted: {summary}"
    );
    let warnings = live["warnings"].to_string();
    assert!(!warnings.contains("gauges"), "{warnings}");
    let queue = column(&series, "queue_len");
    assert_eq!(queue.len(), 6, "one row per 500 ms bucket:\n{series}");
    assert!(queue.iter().all(|v| !v.is_empty()), "{series}");
    // 20 requests/s of 30 ms on one worker after the outage: the worker is busy at times, and
    // the limiter column shows the hottest key's bucket
    let busy = column(&series, "busy");
    assert!(busy.iter().all(|v| !v.is_empty()));
    let limit = column(&series, "limiter_limit");
    assert!(
        limit[..2].iter().all(String::is_empty),
        "no decision yet:\n{series}"
    );
    assert!(limit[4..].iter().all(|v| !v.is_empty()), "{series}");
}

/// A plain HTTP server that answers everything `200 {}` and closes (no `/metrics` gauges).
fn plain_server() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = l.local_addr().expect("addr").port();
    std::thread::spawn(move || {
        for s in l.incoming().take(1_000) {
            let Ok(mut s) = s else { continue };
            s.set_read_timeout(Some(Duration::from_secs(2))).ok();
            let mut buf = [0u8; 4096];
            let _ = s.read(&mut buf);
            let _ = s.write_all(
                b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}",
            );
        }
    });
    port
}

#[test]
fn a_target_without_gauges_leaves_them_empty_and_says_so() {
    let dir = tmp("plain");
    let path = dir.join("plain.toml");
    std::fs::write(
        &path,
        "name = \"plain\"\nduration = \"1s\"\nbucket = \"500ms\"\n[fleet.web]\ncount = 1\n\
         arrival = { process = \"constant\", rate = \"10/s\" }\n",
    )
    .expect("write scenario");
    let port = plain_server();
    let (summary, live, series) = load(
        &format!("http://127.0.0.1:{port}"),
        &path,
        &dir.join("out"),
        None,
    );
    assert!(summary["successes"].as_u64().unwrap_or(0) >= 5, "{summary}");
    assert!(
        live["warnings"]
            .to_string()
            .contains("no throttlelab gauges"),
        "{live}"
    );
    assert!(column(&series, "queue_len").iter().all(String::is_empty));
}

async fn statuses(seed: &str) -> Vec<u16> {
    let srv = Server::start(&["--error-rate", "0.5", "--seed", seed]);
    let c = client();
    let mut out = Vec::new();
    for _ in 0..40 {
        out.push(
            post(&c, &srv)
                .send()
                .await
                .expect("answer")
                .status()
                .as_u16(),
        );
    }
    out
}

#[tokio::test]
async fn error_draws_repeat_under_one_seed() {
    let a = statuses("7").await;
    assert!(a.contains(&500) && a.contains(&200), "{a:?}");
    assert_eq!(statuses("7").await, a, "same seed, same draws");
    assert_ne!(statuses("8").await, a, "another seed, other draws");
}

#[tokio::test]
async fn the_limiter_gauge_shows_the_state_when_read_not_at_the_last_decision() {
    let srv = Server::start(&["--limiter", "key:token_bucket rate=20/s burst=5"]);
    let c = client();
    for _ in 0..5 {
        assert_eq!(post(&c, &srv).send().await.expect("answer").status(), 200);
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let text = metrics(&srv).await;
    let labels = "{level=\"0\",scope=\"key\",id=\"key-0\"}";
    let remaining = metric(&text, &format!("throttlelab_limiter_remaining{labels}"));
    assert!(
        (3.0..=5.0).contains(&remaining),
        "refilled by 200 ms at 20/s since the last decision (0 left then): {remaining}"
    );
    assert_eq!(
        metric(
            &text,
            &format!("throttlelab_limiter_decisions_total{labels}")
        ),
        5.0,
        "a look is not a decision"
    );
}
