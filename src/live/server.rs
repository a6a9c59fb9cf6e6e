//! The HTTP server: routes, startup on 127.0.0.1 and graceful shutdown (the shared state the
//! handlers read is [`super::app::App`]).
//!
//! Routes: `GET|POST /v1/work` (the rate-limited endpoint, see [`super::work`]), `GET /healthz`,
//! `GET /metrics`. Anything else gets a 404 or 405 in the configured envelope. Malformed HTTP
//! (a broken request line, headers over hyper's limits) is answered by hyper itself with a 4xx
//! and the connection closed; no handler state exists for it, so nothing can leak.

pub use super::app::App;
use super::envelope::Problem;
use anyhow::{Context, Result};
use axum::extract::State;
use axum::http::Response;
use axum::routing::get;
use axum::{body::Body, Router};
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;

async fn healthz() -> &'static str {
    "ok\n"
}

async fn not_found(State(app): State<Arc<App>>) -> Response<Body> {
    let id = uuid::Uuid::new_v4().to_string();
    app.reject(Problem::NotFound, None, &id).await
}

async fn method_not_allowed(State(app): State<Arc<App>>) -> Response<Body> {
    let id = uuid::Uuid::new_v4().to_string();
    app.reject(Problem::MethodNotAllowed, None, &id).await
}

/// The router over shared state (`/metrics` only when it has no address of its own, see
/// [`super::scrape`]).
pub fn router(app: Arc<App>) -> Router {
    let mut r = Router::new()
        .route(
            "/v1/work",
            get(super::work::handle)
                .post(super::work::handle)
                .fallback(method_not_allowed),
        )
        .route("/healthz", get(healthz));
    if app.config.metrics_addr.is_none() {
        r = r.route("/metrics", get(super::scrape::metrics));
    }
    if super::access_log::installed() {
        r = r.layer(axum::middleware::from_fn_with_state(
            Arc::clone(&app),
            super::access_log::record,
        ));
    }
    r.fallback(not_found)
        .layer(axum::middleware::from_fn_with_state(
            Arc::clone(&app),
            super::ambiguity::host_check,
        ))
        .with_state(app)
}

/// Bind 127.0.0.1:`port`, print `listening on http://127.0.0.1:PORT` as the first line of
/// stdout, then `banner` (the API keys, when `serve` shows them), and serve until Ctrl-C or
/// SIGTERM (see [`super::listen`]).
pub async fn serve(app: App, banner: &str) -> Result<()> {
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, app.config.port));
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("binding {addr}"))?;
    let bound = listener.local_addr().context("reading the bound address")?;
    let scrape = match app.config.metrics_addr {
        Some(a) => {
            let l = tokio::net::TcpListener::bind(a)
                .await
                .with_context(|| format!("binding --metrics-addr {a}"))?;
            let at = l.local_addr().context("reading the metrics address")?;
            Some((l, at))
        }
        None => None,
    };
    app.backend.start_faults();
    {
        use std::io::Write as _;
        let mut out = std::io::stdout().lock();
        writeln!(out, "listening on http://{bound}").context("writing to stdout")?;
        if let Some((_, at)) = &scrape {
            writeln!(out, "metrics on http://{at}/metrics").context("writing to stdout")?;
        }
        out.write_all(banner.as_bytes())
            .context("writing to stdout")?;
        out.flush().context("flushing stdout")?;
    }
    let header_timeout = app.config.header_timeout;
    let app = Arc::new(app);
    if let Some((l, _)) = scrape {
        let r = super::scrape::router(Arc::clone(&app));
        tokio::spawn(super::listen::run(
            l,
            r,
            header_timeout,
            64,
            shutdown_signal(),
        ));
    }
    let cap = app.config.max_connections;
    super::listen::run(
        listener,
        router(app),
        header_timeout,
        cap,
        shutdown_signal(),
    )
    .await;
    Ok(())
}

pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
