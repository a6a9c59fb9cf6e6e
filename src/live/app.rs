//! The shared state of the live server: the configuration, the limiter store, the backend,
//! metrics and idempotency keys, and the replies every handler builds from them. The router
//! ([`super::server`]) and each handler ([`super::work`], [`super::scrape`],
//! [`super::ambiguity`], [`super::access_log`]) read it; it imports none of them.

use super::backend::Backend;
use super::config::{Identity, LiveConfig, StoreConfig};
use super::envelope::Problem;
use super::idempotency::IdempotencyStore;
use super::metrics::Metrics;
use super::respond::Reply;
use super::store::{Store, Verdict, SKIP};
use anyhow::Result;
use axum::body::Body;
use axum::http::Response;
use limiters::headers::{Dialect, HeaderStyle, RetryAfterFormat};
use limiters::Decision;
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
