//! Who may read `/metrics`: its labels name every key and tenant and its counters show each
//! one's traffic, which the API's clients (other tenants) should not see. So `/metrics` can
//! move to its own address (`serve --metrics-addr`, e.g. an interface only the monitoring
//! network reaches; the API port then answers 404) and/or require a bearer token
//! (`--metrics-token`, compared in constant time, 401 otherwise, as Prometheus's
//! `authorization` scrape option sends it).

use super::app::App;
use super::envelope::Problem;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, Response};
use axum::routing::get;
use axum::Router;
use std::sync::Arc;

/// Shortest `--metrics-token` accepted.
pub const MIN_TOKEN_LEN: usize = 16;

/// `a == b` in time independent of where they differ (lengths are not secret).
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// True when `headers` carry `Authorization: Bearer <token>` (once).
pub fn authorized(headers: &HeaderMap, token: &str) -> bool {
    let mut all = headers.get_all(axum::http::header::AUTHORIZATION).iter();
    let (Some(v), None) = (all.next(), all.next()) else {
        return false;
    };
    let Some((scheme, presented)) = v.to_str().ok().and_then(|v| v.trim().split_once(' ')) else {
        return false;
    };
    scheme.eq_ignore_ascii_case("bearer") && same(presented.trim().as_bytes(), token.as_bytes())
}

/// `GET /metrics`.
pub async fn metrics(State(app): State<Arc<App>>, headers: HeaderMap) -> Response<Body> {
    if let Some(token) = &app.config.metrics_token {
        if !authorized(&headers, token) {
            let id = uuid::Uuid::new_v4().to_string();
            let mut r = app.reject(Problem::InvalidKey, None, &id).await;
            r.headers_mut().insert(
                axum::http::header::WWW_AUTHENTICATE,
                axum::http::HeaderValue::from_static("Bearer realm=\"metrics\""),
            );
            return r;
        }
    }
    app.refresh_limiter_gauges().await;
    let mut text = app.metrics.render();
    if app.config.open_keys.is_some() {
        text.push_str(&app.store.open_metrics());
    }
    let mut r = Response::new(Body::from(text));
    r.headers_mut().insert(
        axum::http::header::CONTENT_TYPE,
        axum::http::HeaderValue::from_static("text/plain; version=0.0.4"),
    );
    r
}

/// The router of `--metrics-addr`: `/metrics` and `/healthz`.
pub fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/metrics", get(metrics))
        .route("/healthz", get(|| async { "ok\n" }))
        .with_state(app)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn only_the_exact_bearer_token_reads_metrics() {
        let token = "0123456789abcdef";
        let mut h = HeaderMap::new();
        assert!(!authorized(&h, token));
        h.insert(
            "authorization",
            HeaderValue::from_static("Bearer 0123456789abcdef"),
        );
        assert!(authorized(&h, token));
        h.insert(
            "authorization",
            HeaderValue::from_static("Bearer 0123456789abcdeF"),
        );
        assert!(!authorized(&h, token));
        h.insert(
            "authorization",
            HeaderValue::from_static("Basic 0123456789abcdef"),
        );
        assert!(!authorized(&h, token));
        h.insert(
            "authorization",
            HeaderValue::from_static("Bearer 0123456789abcdef0"),
        );
        assert!(!authorized(&h, token));
    }
}
