//! `throttlelab serve` over real HTTP: every status, header and envelope the seeds document.
//! Each test starts its own server on an ephemeral 127.0.0.1 port; requests are few and every
//! wait is bounded.

// live mode: built with the `live` feature (the default)
#![cfg(feature = "live")]

use crate::live_common;

use live_common::{client, header, is_uuid_v4, Server};
use serde_json::Value;

/// The label of the key most tests use (sent as its secret, see [`post`]).
const BEARER: &str = "key-0";

/// POST to /v1/work with `key`: a key label of the server (sent as its secret), or a raw
/// `Authorization` value.
async fn post(srv: &Server, key: &str, body: &str, idem: Option<&str>) -> reqwest::Response {
    let auth = match srv.secrets.get(key) {
        Some(secret) => format!("Bearer {secret}"),
        None => key.to_string(),
    };
    let mut req = client()
        .post(srv.url("/v1/work"))
        .header("authorization", auth)
        .header("content-type", "application/json")
        .body(body.to_string());
    if let Some(k) = idem {
        req = req.header("idempotency-key", k);
    }
    req.send().await.expect("request")
}

async fn json(resp: reqwest::Response) -> Value {
    let text = resp.text().await.expect("body");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

#[tokio::test]
async fn admits_the_burst_then_429_with_retry_after_and_headers_on_every_response() {
    let srv = Server::start(&[
        "--limiter",
        "key:token_bucket rate=1/min burst=3",
        "--envelope",
        "seed004",
        "--dialect",
        "x-ratelimit-delta",
    ]);
    for i in 0..3u64 {
        let r = post(&srv, BEARER, "{}", None).await;
        assert_eq!(r.status(), 200);
        assert_eq!(header(&r, "x-ratelimit-limit"), "3");
        assert_eq!(header(&r, "x-ratelimit-remaining"), (2 - i).to_string());
        assert!(
            header(&r, "retry-after").is_empty(),
            "no Retry-After on success"
        );
        assert!(is_uuid_v4(&header(&r, "x-request-id")));
        assert_eq!(json(r).await["ok"], true);
    }
    let r = post(&srv, BEARER, "{}", None).await;
    assert_eq!(r.status(), 429);
    let retry: u64 = header(&r, "retry-after")
        .parse()
        .expect("Retry-After seconds");
    assert!((59..=60).contains(&retry), "one token per 60 s: {retry}");
    assert_eq!(header(&r, "x-ratelimit-remaining"), "0");
    let id = header(&r, "x-request-id");
    let body = json(r).await;
    assert_eq!(body["ok"], false);
    assert_eq!(body["error"]["code"], "RATE_LIMITED");
    assert_eq!(
        body["request_id"],
        id.as_str(),
        "seed 004: request_id in the body"
    );
    // another key has its own bucket
    let r = post(&srv, "key-1", "{}", None).await;
    assert_eq!(r.status(), 200);
    // headers on errors too (seed 002: "every response — success or error")
    let r = post(&srv, "Bearer nope", "{}", None).await;
    assert_eq!(r.status(), 401);
    assert!(!header(&r, "x-ratelimit-limit").is_empty());
    assert_eq!(json(r).await["error"]["code"], "AUTH_REQUIRED");
}

#[tokio::test]
async fn each_seed_envelope_has_its_documented_shape() {
    type Check = fn(&Value, u16) -> bool;
    let cases: [(&str, Check, u16); 5] = [
        (
            "seed000",
            |b, _| b == &serde_json::json!({"error": "Invalid API key"}),
            401,
        ),
        (
            "seed001",
            |b, s| b["error"]["code"] == "invalid_api_key" && b["error"]["status"] == s,
            401,
        ),
        (
            "seed002",
            |b, _| b["code"] == "auth.invalid_credential" && b["detail"].is_string(),
            401,
        ),
        (
            "seed003",
            |b, _| b["code"] == "invalid_credential" && b["error"].is_string(),
            401,
        ),
        (
            "seed004",
            |b, _| b["error"]["code"] == "AUTH_REQUIRED" && b["ok"] == false,
            401,
        ),
    ];
    for (env, check, status) in cases {
        let srv = Server::start(&["--envelope", env, "--limiter", "gcra rate=1/min burst=1"]);
        let r = post(&srv, "Bearer wrong", "{}", None).await;
        assert_eq!(r.status(), status, "{env}");
        let b = json(r).await;
        assert!(check(&b, status), "{env}: {b}");
        // 429 in the same envelope
        assert_eq!(post(&srv, BEARER, "{}", None).await.status(), 200);
        let r = post(&srv, BEARER, "{}", None).await;
        assert_eq!(r.status(), 429, "{env}");
        let b = json(r).await;
        let text = b.to_string();
        assert!(
            text.contains("Rate limit exceeded")
                || text.contains("rate_limit")
                || text.contains("RATE_LIMITED"),
            "{env}: {b}"
        );
        // a missing key: 400 missing_credential in seed 003, 401 elsewhere
        let r = client().get(srv.url("/v1/work")).send().await.expect("get");
        let want = if env == "seed003" { 400 } else { 401 };
        assert_eq!(r.status(), want, "{env}");
    }
}

#[tokio::test]
async fn idempotent_replay_consumes_no_quota_and_reuse_with_another_body_is_409() {
    let srv = Server::start(&["--limiter", "key:sliding_log limit=2 window=60s"]);
    let key = Some("order-000000001");
    let first = post(&srv, BEARER, r#"{"cost":1,"item":"a"}"#, key).await;
    assert_eq!(first.status(), 200);
    assert!(header(&first, "x-idempotent-replay").is_empty());
    let first_id = header(&first, "x-request-id");
    let first_body = json(first).await;
    for _ in 0..3 {
        let r = post(&srv, BEARER, r#"{"cost":1,"item":"a"}"#, key).await;
        assert_eq!(r.status(), 200);
        assert_eq!(header(&r, "x-idempotent-replay"), "true");
        assert_eq!(
            header(&r, "x-ratelimit-remaining"),
            "1",
            "replays consume nothing"
        );
        assert_eq!(header(&r, "x-request-id"), first_id);
        assert_eq!(json(r).await, first_body, "the stored response");
    }
    let r = post(&srv, BEARER, r#"{"cost":1,"item":"b"}"#, key).await;
    assert_eq!(r.status(), 409);
    assert_eq!(json(r).await["code"], "idempotency.key_mismatch");
    // the quota really was charged once: one more admitted, then 429
    assert_eq!(post(&srv, BEARER, "{}", None).await.status(), 200);
    assert_eq!(post(&srv, BEARER, "{}", None).await.status(), 429);
    // a throttled request is not stored: a retry with the same key is judged again
    let r = post(&srv, BEARER, "{}", Some("retry-me-0001")).await;
    assert_eq!(r.status(), 429);
    let r = post(&srv, BEARER, "{}", Some("retry-me-0001")).await;
    assert_eq!(r.status(), 429);
    assert!(header(&r, "x-idempotent-replay").is_empty());
}

#[tokio::test]
async fn bad_idempotency_keys_bodies_and_sizes_get_4xx_with_field_errors() {
    let srv = Server::start(&["--max-body", "1024", "--envelope", "seed002"]);
    for bad in ["short", &"x".repeat(129), "has space in it"] {
        let r = post(&srv, BEARER, "{}", Some(bad)).await;
        assert_eq!(r.status(), 400, "{bad:?}");
        let b = json(r).await;
        assert!(b["field_errors"]["Idempotency-Key"].is_array(), "{b}");
    }
    assert_eq!(
        post(&srv, BEARER, "{}", Some(&"k".repeat(128)))
            .await
            .status(),
        200
    );
    let r = post(&srv, BEARER, r#"{"cost": "#, None).await;
    assert_eq!(r.status(), 400);
    assert!(json(r).await["field_errors"]["body"].is_array());
    let r = post(&srv, BEARER, r#"{"cost": -1}"#, None).await;
    assert_eq!(r.status(), 400);
    assert!(json(r).await["field_errors"]["cost"].is_array());
    let r = post(
        &srv,
        BEARER,
        &format!(r#"{{"pad": "{}"}}"#, "x".repeat(2000)),
        None,
    )
    .await;
    assert_eq!(r.status(), 413);
    assert_eq!(json(r).await["code"], "payload_too_large");
    // seed 003 answers schema failures with 422 validation_error
    let srv3 = Server::start(&["--envelope", "seed003"]);
    let r = post(&srv3, BEARER, "[1,2]", None).await;
    assert_eq!(r.status(), 422);
    assert_eq!(json(r).await["code"], "validation_error");
}

#[tokio::test]
async fn credits_run_out_with_402_and_never_reset() {
    let srv = Server::start(&[
        "--limiter",
        "org:quota limit=5 period=none status=402",
        "--envelope",
        "seed000",
    ]);
    assert_eq!(
        post(&srv, BEARER, r#"{"cost": 3}"#, None).await.status(),
        200
    );
    let r = post(&srv, BEARER, r#"{"cost": 3}"#, None).await;
    assert_eq!(r.status(), 402);
    assert!(
        header(&r, "retry-after").is_empty(),
        "credits do not come back by waiting"
    );
    assert_eq!(
        json(r).await,
        serde_json::json!({"error": "Insufficient credits. Required 3, available 2"})
    );
    // key-2 is in the same org (round-robin over 2 orgs): same balance
    assert_eq!(
        post(&srv, "key-2", r#"{"cost": 2}"#, None).await.status(),
        200
    );
    assert_eq!(post(&srv, "key-2", "{}", None).await.status(), 402);
    assert_eq!(
        post(&srv, "key-1", "{}", None).await.status(),
        200,
        "other org"
    );
}

#[tokio::test]
async fn backend_queue_full_is_503_deadline_is_504_faults_are_500() {
    let srv = Server::start(&[
        "--workers",
        "1",
        "--queue",
        "0",
        "--service-time",
        "1500ms",
        "--deadline",
        "5s",
    ]);
    // two at once against one worker and no queue: one is served, the other refused
    let (a, b) = tokio::join!(
        post(&srv, BEARER, "{}", None),
        post(&srv, "key-1", "{}", None)
    );
    let (served, refused) = if a.status() == 200 { (a, b) } else { (b, a) };
    assert_eq!(served.status(), 200);
    assert_eq!(refused.status(), 503);
    assert_eq!(header(&refused, "retry-after"), "1");

    let srv = Server::start(&[
        "--service-time",
        "3s",
        "--deadline",
        "200ms",
        "--envelope",
        "seed004",
    ]);
    let r = post(&srv, BEARER, "{}", None).await;
    assert_eq!(r.status(), 504);
    assert_eq!(json(r).await["error"]["code"], "ENGINE_TIMEOUT");

    let srv = Server::start(&["--error-rate", "1", "--envelope", "seed001"]);
    let r = post(&srv, BEARER, "{}", None).await;
    assert_eq!(r.status(), 500);
    assert_eq!(json(r).await["error"]["code"], "internal_error");
}

#[tokio::test]
async fn metrics_and_healthz() {
    let srv = Server::start(&["--limiter", "key:gcra rate=1/min burst=1"]);
    let c = client();
    let h = c.get(srv.url("/healthz")).send().await.expect("healthz");
    assert_eq!(h.status(), 200);
    assert_eq!(post(&srv, BEARER, "{}", None).await.status(), 200);
    assert_eq!(post(&srv, BEARER, "{}", None).await.status(), 429);
    assert_eq!(post(&srv, "Bearer x", "{}", None).await.status(), 401);
    let m = c.get(srv.url("/metrics")).send().await.expect("metrics");
    assert!(header(&m, "content-type").starts_with("text/plain"));
    let text = m.text().await.expect("text");
    for line in [
        "throttlelab_admitted_total 1",
        "throttlelab_rejected_total{status=\"429\"} 1",
        "throttlelab_rejected_total{status=\"401\"} 1",
        "throttlelab_in_flight 0",
        "throttlelab_limiter_remaining{level=\"0\",scope=\"key\",id=\"key-0\"} 0",
        "throttlelab_limiter_limit{level=\"0\",scope=\"key\",id=\"key-0\"} 1",
    ] {
        assert!(text.contains(line), "missing `{line}` in\n{text}");
    }
}

#[tokio::test]
async fn other_dialects_and_http_date_retry_after() {
    let srv = Server::start(&[
        "--limiter",
        "gcra rate=1/min burst=1",
        "--dialect",
        "ietf",
        "--retry-after",
        "http-date",
    ]);
    assert_eq!(post(&srv, BEARER, "{}", None).await.status(), 200);
    let r = post(&srv, BEARER, "{}", None).await;
    assert_eq!(r.status(), 429);
    assert!(
        header(&r, "ratelimit-policy").contains("q=1"),
        "{:?}",
        r.headers()
    );
    assert!(header(&r, "ratelimit").contains("r=0"));
    assert!(
        header(&r, "retry-after").ends_with(" GMT"),
        "{:?}",
        r.headers()
    );
}

#[tokio::test]
async fn a_scenario_files_server_section_configures_serve() {
    let path = std::env::temp_dir().join(format!("throttlelab-live-{}.toml", std::process::id()));
    std::fs::write(
        &path,
        r#"
name = "live-scenario"
duration = "10s"
[server]
dialect = "x-ratelimit-epoch"
[[server.limiters]]
scope = "key"
algorithm = "sliding_log"
limit = 2
window = "60s"
[server.backend]
workers = 2
queue = 2
service_time = { dist = "constant", value = "1ms" }
[fleet.web]
count = 1
arrival = { process = "constant", rate = "1/s" }
"#,
    )
    .expect("write scenario");
    let path_s = path.to_string_lossy().into_owned();
    let srv = Server::start(&["--scenario", &path_s]);
    assert_eq!(post(&srv, BEARER, "{}", None).await.status(), 200);
    assert_eq!(post(&srv, BEARER, "{}", None).await.status(), 200);
    let r = post(&srv, BEARER, "{}", None).await;
    assert_eq!(r.status(), 429);
    let reset: u64 = header(&r, "x-ratelimit-reset")
        .parse()
        .expect("epoch reset");
    assert!(
        reset > 1_700_000_000,
        "epoch dialect from the scenario: {reset}"
    );
    let _ = std::fs::remove_file(&path);
}

#[tokio::test]
async fn scenario_fault_windows_run_in_real_time() {
    let path = std::env::temp_dir().join(format!("throttlelab-faults-{}.toml", std::process::id()));
    std::fs::write(
        &path,
        r#"
name = "live-faults"
duration = "60s"
[[faults]]
kind = "outage"
start = "0s"
duration = "4s"
status = 503
[[faults]]
kind = "error_rate"
start = "4s"
duration = "50s"
status = 502
rate = 1.0
[fleet.web]
count = 1
arrival = { process = "constant", rate = "1/s" }
"#,
    )
    .expect("write scenario");
    let started = std::time::Instant::now();
    let srv = Server::start(&[
        "--scenario",
        &path.to_string_lossy(),
        "--envelope",
        "seed003",
    ]);
    let r = post(&srv, BEARER, "{}", None).await;
    assert!(
        started.elapsed() < std::time::Duration::from_secs(4),
        "too slow to see the outage"
    );
    assert_eq!(r.status(), 503, "outage: the load balancer answers");
    let r = post(&srv, "Bearer not-even-a-key", "{}", None).await;
    assert_eq!(r.status(), 503, "before auth");
    tokio::time::sleep_until((started + std::time::Duration::from_millis(4300)).into()).await;
    let r = post(&srv, BEARER, "{}", None).await;
    assert_eq!(r.status(), 502, "error-rate window");
    assert_eq!(json(r).await["code"], "grpc_error");
    let _ = std::fs::remove_file(&path);
}
