//! A scenario's server served inside this process, on an ephemeral loopback port: what
//! `check-live` and tests run `load` against without starting a `serve` process.
//!
//! The configuration is `serve --scenario`'s (see [`super::scenario::server_part`]): the
//! scenario's limiter levels (with their fixed `retry_after`, `charge` and `fleets`), header
//! dialect, backend and fault windows (counted from the moment this returns), with the
//! scenario's client identities as API keys ([`super::identities`]) under fresh secrets
//! ([`super::keys`], handed to the fleet through [`LiveServer::secrets`]) and the in-memory
//! store.

use super::config::{LiveConfig, StoreConfig};
use super::envelope::Envelope;
use super::identities::identities;
use super::keys::{issue, Secrets};
use super::scenario::server_part;
use super::server::{router, App};
use anyhow::{Context, Result};
use sim::model::Scenario;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

/// A server running in this process.
#[derive(Debug)]
pub struct LiveServer {
    /// `http://127.0.0.1:PORT` (the ephemeral port bound).
    pub base: String,
    /// The server's state (metrics, store).
    pub app: Arc<App>,
    /// Scenario options the live server does not honour (also printed by `serve`).
    pub warnings: Vec<String>,
    /// The API keys' secrets by label (what `load` sends, see `LoadOptions::secrets`).
    pub secrets: Secrets,
    stop: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<()>,
}

impl LiveServer {
    /// The `/metrics` text.
    pub fn metrics(&self) -> String {
        self.app.metrics.render()
    }

    /// Stop accepting, let in-flight requests finish (bounded), and return.
    pub async fn shutdown(self) {
        let _ = self.stop.send(());
        let _ = tokio::time::timeout(Duration::from_secs(10), self.task).await;
    }
}

/// The live configuration of `scenario`'s server part (identities as keys under fresh
/// secrets, memory store), and the secrets.
pub fn scenario_config(
    scenario: &Scenario,
) -> (
    LiveConfig,
    limiters::headers::RetryAfterFormat,
    Vec<String>,
    Secrets,
) {
    let ids = identities(scenario);
    let secrets = issue(ids.keys.keys());
    // the scenario's queue timeout and deadline, as the simulator reads them
    let part = server_part(scenario, None, &[]);
    let mut warnings = part.ignored;
    warnings.extend(ids.caveats);
    let config = LiveConfig {
        port: 0,
        // every label has its secret (issued from these very labels)
        keys: secrets.secure(ids.keys).unwrap_or_default(),
        levels: part.levels,
        dialect: part.dialect,
        envelope: Envelope::Seed002,
        max_body: 64 * 1024,
        header_timeout: Duration::from_secs(10),
        idempotency_ttl: Duration::from_secs(24 * 3600),
        idempotency_capacity: 10_000,
        backend: part.backend,
        store: StoreConfig::Memory,
        max_connections: 4096,
        metrics_addr: None,
        metrics_token: None,
        open_keys: None,
        arrival_header: false,
    };
    (config, part.retry_after, warnings, secrets)
}

/// Serve `scenario`'s server part on 127.0.0.1:0 in the current tokio runtime.
pub async fn serve_in_process(scenario: &Scenario) -> Result<LiveServer> {
    let (config, retry_after, warnings, secrets) = scenario_config(scenario);
    let listener = tokio::net::TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
        .await
        .context("binding 127.0.0.1:0")?;
    let addr = listener.local_addr().context("reading the bound address")?;
    let header_timeout = config.header_timeout;
    let app = Arc::new(App::new(config, retry_after)?);
    // the fault windows count from here
    app.backend.start_faults();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(super::listen::run(
        listener,
        router(Arc::clone(&app)),
        header_timeout,
        app.config.max_connections,
        async {
            let _ = stopped.await;
        },
    ));
    Ok(LiveServer {
        base: format!("http://{addr}"),
        app,
        warnings,
        secrets,
        stop,
        task,
    })
}
