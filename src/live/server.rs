//! The HTTP server: routes, shared state, startup on 127.0.0.1 and graceful shutdown.
//!
//! Routes: `GET|POST /v1/work` (the rate-limited endpoint, see [`super::work`]), `GET /healthz`,
//! `GET /metrics`. Anything else gets a 404 or 405 in the configured envelope. Malformed HTTP
//! (a broken request line, headers over hyper's limits) is answered by hyper itself with a 4xx
//! and the connection closed; no handler state exists for it, so nothing can leak.

use super::backend::Backend;
use super::config::{Identity, LiveConfig, StoreConfig};
use super::envelope::Problem;
use super::idempotency::IdempotencyStore;
use super::metrics::Metrics;
use super::respond::Reply;
use super::store::{Store, Verdict, SKIP};
use anyhow::{Context, Result};
use axum::extract::State;
use axum::http::Response;
use axum::routing::get;
use axum::{body::Body, Router};
use limiters::headers::{Dialect, HeaderStyle, RetryAfterFormat};
use limiters::Decision;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;

/// Everything a request handler needs.
#[derive(Debug)]
pub struct App {
    /// The configuration.
    pub config: LiveConfig,
    /// Limiter state.
    pub store: Store,
    /// The backend model.
    pub backend: Backend,
    /// Stored idempotent responses.
    pub idem: IdempotencyStore,
    /// Counters.
    pub metrics: Arc<Metrics>,
    /// How each level's decision becomes headers (its dialect or `--dialect`), by level.
    pub styles: Vec<HeaderStyle>,
    anonymous: Identity,
}

impl App {
    /// Build the state, validating the configuration.
    pub fn new(config: LiveConfig, retry_after: RetryAfterFormat) -> Result<App> {
        let dialect: Dialect = config
            .dialect
            .parse()
            .map_err(|e| anyhow::anyhow!("--dialect: {e}"))?;
        let metrics = Arc::new(Metrics::default());
        let anonymous = Identity {
            key: "(anonymous)".into(),
            tenant: "(anonymous)".into(),
        };
        let store = Store::new(
            &config.levels,
            &config.keys,
            &anonymous,
            &config.store,
            config.open_keys,
            Arc::clone(&metrics),
        )?;
        let backend = Backend::new(&config.backend)?;
        let idem = IdempotencyStore::new(config.idempotency_ttl, config.idempotency_capacity);
        let base = HeaderStyle::new(dialect).with_retry_after(retry_after);
        let levels = &config.levels;
        let dialects: Vec<Option<Dialect>> = levels.iter().map(|l| l.dialect).collect();
        let policies: Vec<Option<&str>> = levels.iter().map(|l| l.policy.as_deref()).collect();
        let names: Vec<&str> = levels.iter().map(|l| l.scope.as_str()).collect();
        let styles = limiters::headers::level_styles(&base, &dialects, &policies, &names)
            .map_err(|e| anyhow::anyhow!("limiter `policy`: {e}"))?;
        Ok(App {
            styles,
            config,
            store,
            backend,
            idem,
            metrics,
            anonymous,
        })
    }

    /// Scope ids of `who` at every level.
    pub fn ids<'a>(&self, who: &'a Identity) -> Vec<&'a str> {
        self.config.levels.iter().map(|l| who.id(l.scope)).collect()
    }

    /// The state of `who`'s levels without charging (cost 0), for the headers of responses
    /// that consume nothing, by level. Empty when there are no levels or the store is
    /// unreachable.
    pub async fn peek(&self, who: Option<&Identity>) -> Vec<Option<Decision>> {
        let who = who.unwrap_or(&self.anonymous);
        match self.store.decide(&self.ids(who), 0, false).await {
            Ok(Verdict::Decided(ds)) => ds.into_iter().map(Some).collect(),
            _ => Vec::new(),
        }
    }

    /// Bring the first level's gauges up to now before they are read: look (cost 0, nothing
    /// charged) at its state for every id it has decided for, as the simulator samples its
    /// limiter at each bucket's end (a bucket refills between requests). Memory store only:
    /// with Redis that would be one call per id per read, so its gauges stay at the latest
    /// decision.
    pub async fn refresh_limiter_gauges(&self) {
        if self.config.store != StoreConfig::Memory || self.config.levels.is_empty() {
            return;
        }
        for id in self.metrics.first_level_ids() {
            let mut ids = vec![SKIP; self.config.levels.len()];
            ids[0] = &id;
            if let Ok(Verdict::Decided(ds)) = self.store.decide(&ids, 0, false).await {
                if let Some(d) = ds.first() {
                    self.metrics.first_level_peek(&id, d);
                }
            }
        }
    }

    /// A finished reply: count it, add the request id, turn it into a response.
    pub fn finish(&self, reply: Reply, request_id: &str) -> Response<Body> {
        self.metrics.response(reply.status());
        reply.header("x-request-id", request_id).into_response()
    }

    /// An error reply with the rate-limit headers of `who` (peeked, nothing charged).
    pub async fn reject(
        &self,
        problem: Problem,
        who: Option<&Identity>,
        request_id: &str,
    ) -> Response<Body> {
        let d = self.peek(who).await;
        let reply = Reply::problem(&problem, self.config.envelope, request_id)
            .rate_headers(&d, &self.styles);
        self.finish(reply, request_id)
    }
}

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
