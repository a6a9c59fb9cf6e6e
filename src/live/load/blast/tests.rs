use super::*;

fn config(target: &str, connections: usize) -> BlastConfig {
    BlastConfig {
        target: reqwest::Url::parse(target).unwrap(),
        connections,
        duration: Duration::from_millis(300),
        max_requests: 200,
        token: "key-0".into(),
        path: "/v1/work".into(),
    }
}

#[tokio::test]
async fn counts_every_answer_by_status_within_the_budget() {
    // a server answering 200 to key-0 and 429 to anything else would need the real
    // server; a minimal axum router that echoes the token's validity is enough here
    use axum::routing::get;
    let app = axum::Router::new().route(
        "/v1/work",
        get(|h: axum::http::HeaderMap| async move {
            if h.get("authorization").is_some_and(|v| v == "Bearer key-0") {
                axum::http::StatusCode::OK
            } else {
                axum::http::StatusCode::UNAUTHORIZED
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(async move { axum::serve(listener, app).await });
    let r = blast(&config(&format!("http://{addr}"), 4)).await.unwrap();
    assert_eq!(r.requests, 200, "the cap ends the run: {r:?}");
    assert_eq!(r.statuses.get(&200), Some(&200));
    assert_eq!(r.errors, 0);
    assert!(r.requests_per_s > 0.0);
    assert!(r.latency_us["p50"] >= 1 && r.latency_us["p50"] <= r.latency_us["max"]);
    server.abort();
}

#[tokio::test]
async fn a_dead_target_counts_errors_and_stops_at_the_duration() {
    // bind then drop: nothing listens on the port
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let t = Instant::now();
    let r = blast(&config(&format!("http://{addr}"), 2)).await.unwrap();
    assert_eq!(r.requests, 0);
    assert!(r.errors > 0);
    assert!(t.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn refuses_zero_connections_and_a_relative_path() {
    let mut c = config("http://127.0.0.1:9", 0);
    assert!(blast(&c).await.is_err());
    c.connections = 1;
    c.path = "v1/work".into();
    assert!(blast(&c).await.is_err());
}
