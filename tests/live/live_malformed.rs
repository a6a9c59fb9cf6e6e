//! A corpus of malformed requests against `throttlelab serve`: each gets a 4xx (never a 5xx,
//! a hang or a crash) and the server keeps serving afterwards. Bounded: a few dozen requests,
//! each with a 5-10 s timeout.

// live mode: built with the `live` feature (the default)
#![cfg(feature = "live")]

use crate::live_common;

use live_common::{client, raw, raw_status, Server};

#[tokio::test]
async fn malformed_http_and_json_get_4xx_and_the_server_keeps_serving() {
    let mut srv = Server::start(&[
        "--limiter",
        "key:token_bucket rate=100/s burst=100",
        "--max-body",
        "4096",
        "--envelope",
        "seed004",
    ]);
    let c = client();
    let url = srv.url("/v1/work");
    let bearer = srv.bearer("key-0");
    let auth = bearer.as_str();

    // bad JSON bodies
    let deep = "[".repeat(10_000);
    let bodies: Vec<String> = vec![
        "{".into(),
        "}".into(),
        "null".into(),
        "\"just a string\"".into(),
        "{\"cost\": 1,}".into(),
        "{\"cost\": 1e400}".into(),
        "{\"cost\": 99999999999999999999999}".into(),
        "{\"cost\": true}".into(),
        "{\"cost\": [1]}".into(),
        "{\"cost\": 0}".into(),
        "{\"cost\": 2000000}".into(),
        deep,
        String::from_utf8_lossy(&[0xff, 0xfe, 0x00, 0x01]).into_owned(),
    ];
    for b in &bodies {
        let r = c
            .post(&url)
            .header("authorization", auth)
            .body(b.clone())
            .send()
            .await
            .expect("send");
        let s = r.status().as_u16();
        assert!(
            (400..500).contains(&s),
            "body {:?} -> {s}",
            &b[..b.len().min(40)]
        );
        let v: serde_json::Value =
            serde_json::from_str(&r.text().await.expect("text")).expect("error bodies are JSON");
        assert_eq!(v["ok"], false);
    }
    // raw bytes that are not JSON at all, and a non-UTF-8 body
    let r = c
        .post(&url)
        .header("authorization", auth)
        .body(vec![0u8, 159, 146, 150])
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), 400);

    // wrong methods and paths
    for m in ["PUT", "DELETE", "PATCH"] {
        let r = c
            .request(m.parse().expect("method"), &url)
            .header("authorization", auth)
            .send()
            .await
            .expect("send");
        assert_eq!(r.status(), 405, "{m}");
    }
    assert_eq!(
        c.get(srv.url("/nope")).send().await.expect("send").status(),
        404
    );
    assert_eq!(
        c.get(srv.url("/v1/work/../../etc/passwd"))
            .send()
            .await
            .expect("s")
            .status()
            .as_u16()
            / 100,
        4
    );

    // invalid keys and auth schemes
    for a in [
        "Bearer",
        "Bearer ",
        "Basic a2V5LTA6",
        "bearer key-00",
        "Token key-0",
        "Bearer key-0 extra",
    ] {
        let r = c
            .get(&url)
            .header("authorization", a)
            .send()
            .await
            .expect("send");
        assert!(
            matches!(r.status().as_u16(), 400 | 401),
            "{a:?} -> {}",
            r.status()
        );
    }

    // invalid idempotency keys
    for k in ["1234567", &"k".repeat(129), "tab\tinside!", "sp ace-in-key"] {
        let r = c
            .post(&url)
            .header("authorization", auth)
            .header("idempotency-key", k)
            .body("{}")
            .send()
            .await
            .expect("send");
        assert_eq!(r.status(), 400, "{k:?}");
    }

    // malformed HTTP on a raw socket: answered with 4xx (or the connection closed), never 5xx
    let port = srv.port;
    let cases: Vec<Vec<u8>> = vec![
        b"GARBAGE\r\n\r\n".to_vec(),
        b"GET /v1/work HTTP/9.9\r\n\r\n".to_vec(),
        b"GET / HTTP/1.1\r\nHost: x\r\nBad Header Line\r\n\r\n".to_vec(),
        b"POST /v1/work HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n".to_vec(),
        b"POST /v1/work HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 7\r\n\r\nhello".to_vec(),
        format!("POST /v1/work HTTP/1.1\r\nHost: x\r\nAuthorization: {auth}\r\nContent-Length: 999999\r\n\r\n{{}}").into_bytes(),
        format!("POST /v1/work HTTP/1.1\r\nHost: x\r\nAuthorization: {auth}\r\nTransfer-Encoding: chunked\r\n\r\nZZZ\r\n").into_bytes(),
        format!("GET /v1/work HTTP/1.1\r\nHost: x\r\nX-Huge: {}\r\n\r\n", "a".repeat(200_000)).into_bytes(),
        format!("GET /{} HTTP/1.1\r\nHost: x\r\n\r\n", "p".repeat(100_000)).into_bytes(),
        {
            let mut many = b"GET /v1/work HTTP/1.1\r\nHost: x\r\n".to_vec();
            for i in 0..500 {
                many.extend_from_slice(format!("X-H{i}: v\r\n").as_bytes());
            }
            many.extend_from_slice(b"\r\n");
            many
        },
    ];
    for (i, bytes) in cases.iter().enumerate() {
        let resp = raw(port, bytes);
        if let Some(s) = raw_status(&resp) {
            assert!(
                (400..500).contains(&s),
                "case {i}: {s} {}",
                &resp[..resp.len().min(200)]
            );
        }
    }
    // the chunked body larger than --max-body: 413
    let mut big = format!("POST /v1/work HTTP/1.1\r\nHost: x\r\nAuthorization: {auth}\r\nTransfer-Encoding: chunked\r\n\r\n").into_bytes();
    for _ in 0..3 {
        big.extend_from_slice(b"800\r\n");
        big.extend_from_slice(&[b' '; 0x800]);
        big.extend_from_slice(b"\r\n");
    }
    big.extend_from_slice(b"0\r\n\r\n");
    assert_eq!(raw_status(&raw(port, &big)), Some(413));

    // still alive, still correct
    assert!(srv.alive(), "server died");
    let r = c
        .post(&url)
        .header("authorization", auth)
        .body("{}")
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), 200);
    let m = c
        .get(srv.url("/metrics"))
        .send()
        .await
        .expect("metrics")
        .text()
        .await
        .expect("t");
    assert!(
        m.contains("throttlelab_in_flight 0"),
        "no leaked in-flight count:\n{m}"
    );
}

#[tokio::test]
async fn slow_clients_are_cut_off_by_the_header_timeout() {
    use std::io::{Read, Write};
    let mut srv = Server::start(&["--header-timeout", "1s"]);
    let mut s = std::net::TcpStream::connect(("127.0.0.1", srv.port)).expect("connect");
    s.set_read_timeout(Some(std::time::Duration::from_secs(6)))
        .ok();
    s.write_all(b"GET /v1/work HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        .expect("write");
    let started = std::time::Instant::now();
    let mut buf = [0u8; 512];
    // the server closes the connection (EOF, or a 408 then EOF) instead of waiting forever
    let n = s.read(&mut buf).unwrap_or(0);
    let took = started.elapsed();
    let text = String::from_utf8_lossy(&buf[..n]);
    assert!(n == 0 || text.starts_with("HTTP/1.1 408"), "got {text:?}");
    assert!(
        took < std::time::Duration::from_secs(5),
        "cut off after {took:?}"
    );
    assert!(srv.alive());
    let r = client()
        .get(srv.url("/healthz"))
        .send()
        .await
        .expect("healthz");
    assert_eq!(r.status(), 200);
}

#[test]
fn a_trickled_body_gets_408_and_frees_the_handler() {
    use std::io::{Read, Write};
    let mut srv = Server::start(&["--header-timeout", "1s", "--envelope", "seed004"]);
    let mut s = std::net::TcpStream::connect(("127.0.0.1", srv.port)).expect("connect");
    s.set_read_timeout(Some(std::time::Duration::from_secs(6)))
        .ok();
    s.write_all(
        format!(
            "POST /v1/work HTTP/1.1\r\nHost: x\r\nAuthorization: {}\r\nContent-Length: 100\r\n\r\n{{\"co",
            srv.bearer("key-0")
        )
        .as_bytes(),
    )
    .expect("write");
    let mut buf = [0u8; 2048];
    let n = s.read(&mut buf).unwrap_or(0);
    let text = String::from_utf8_lossy(&buf[..n]);
    assert!(text.starts_with("HTTP/1.1 408"), "got {text:?}");
    assert!(text.contains("REQUEST_TIMEOUT"), "{text}");
    assert!(srv.alive());
}
