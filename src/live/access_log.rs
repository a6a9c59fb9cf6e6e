//! `serve --access-log FILE`: one JSON line per answered request, in a form `replay` reads
//! (`--format json`), so that a live run's traffic can be replayed under another limit and the
//! prediction checked against a live run under that limit (docs/replay.md, the
//! counterfactual check).
//!
//! A line: `{"time":"1700000000.123456","remote_addr":"127.0.0.1","request_method":"POST",
//! "request_uri":"/v1/work","status":429,"key":"web-3","tenant":"web-0","retry_after":"1",
//! "request_id":"web.3.17","attempt":2}`. `time` is when the request reached the server (Unix
//! seconds with microseconds, as text: never a float), so lines are written in completion
//! order with arrival times, as nginx writes `$msec`. `key` and `tenant` are the caller's
//! key label and organisation (not the secret); `request_id` and `attempt` come from the lab's
//! own load client (`X-Request-Identity: fleet.client.request.attempt`) and are `-` for any
//! other client: `replay --retry-key field:request_id` then tells a retry from a new request
//! exactly, where a real log has an `Idempotency-Key` or a request id to do the same.
//!
//! One process writes one log (a process-wide writer installed once by `serve`); each line is
//! written whole under a lock, so lines never interleave.

use super::app::App;
use super::request::authenticate;
use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::Response;
use axum::middleware::Next;
use std::fs::File;
use std::io::{LineWriter, Write};
use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{SystemTime, UNIX_EPOCH};

static LOG: OnceLock<Mutex<LineWriter<File>>> = OnceLock::new();

/// Create (truncate) `path` and write this process's access log to it. A second call fails.
pub fn install(path: &Path) -> std::io::Result<()> {
    let f = File::create(path)?;
    LOG.set(Mutex::new(LineWriter::new(f))).map_err(|_| {
        std::io::Error::new(std::io::ErrorKind::AlreadyExists, "access log already open")
    })
}

/// Whether a log is open.
pub fn installed() -> bool {
    LOG.get().is_some()
}

/// `secs.micros` of `t` since the Unix epoch, by integer arithmetic.
fn unix_text(t: SystemTime) -> String {
    let d = t.duration_since(UNIX_EPOCH).unwrap_or_default();
    format!("{}.{:06}", d.as_secs(), d.subsec_micros())
}

/// The request id (`fleet.client.request`) and attempt of an `X-Request-Identity` value.
fn identity(v: Option<&str>) -> (String, String) {
    let Some(v) = v else {
        return ("-".into(), "-".into());
    };
    match v.rsplit_once('.') {
        Some((req, attempt)) if attempt.bytes().all(|b| b.is_ascii_digit()) => {
            (req.to_string(), attempt.to_string())
        }
        _ => ("-".into(), "-".into()),
    }
}

/// The middleware: note the arrival, let the request through, write its line.
pub async fn record(State(app): State<Arc<App>>, req: Request, next: Next) -> Response<Body> {
    let Some(log) = LOG.get() else {
        return next.run(req).await;
    };
    let at = SystemTime::now();
    let addr = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or("127.0.0.1".to_string(), |c| c.0.ip().to_string());
    let method = req.method().to_string();
    let path = req.uri().path().to_string();
    let headers = req.headers();
    let (key, tenant) = match authenticate(headers, &app.config.keys) {
        Ok(who) => (who.key.clone(), who.tenant.clone()),
        Err(_) => ("-".into(), "-".into()),
    };
    let (request_id, attempt) = identity(
        headers
            .get(super::attempt_id::HEADER)
            .and_then(|v| v.to_str().ok()),
    );
    let resp = next.run(req).await;
    let retry_after = resp
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-")
        .to_string();
    let line = serde_json::json!({
        "time": unix_text(at),
        "remote_addr": addr,
        "request_method": method,
        "request_uri": path,
        "status": resp.status().as_u16(),
        "key": key,
        "tenant": tenant,
        "retry_after": retry_after,
        "request_id": request_id,
        "attempt": attempt,
    });
    if let Ok(mut w) = log.lock() {
        // A full disk must not fail the request; the log is a record, not the service.
        let _ = writeln!(w, "{line}");
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn times_and_identities_as_replay_reads_them() {
        let t = UNIX_EPOCH + Duration::new(1_700_000_000, 123_456_789);
        assert_eq!(unix_text(t), "1700000000.123456");
        assert_eq!(
            identity(Some("web.x.3.17.2")),
            ("web.x.3.17".to_string(), "2".to_string())
        );
        assert_eq!(identity(Some("garbage")), ("-".into(), "-".into()));
        assert_eq!(identity(None), ("-".into(), "-".into()));
    }
}
