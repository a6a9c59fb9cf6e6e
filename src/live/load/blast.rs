//! `load --blast N`: a closed-loop throughput generator, the lab's own counterpart of `wrk`.
//!
//! The scenario-driven fleet (the rest of `live::load`) answers "what does this client
//! population see": every attempt is logged, headers are parsed, retry policies decide. That
//! bookkeeping costs far more per request than a gateway spends deciding, so it cannot
//! measure a gateway's ceiling. This mode measures only the ceiling: `N` keep-alive HTTP/1
//! connections (hyper's client connection, no pool), each sending the next request as soon as
//! the previous answer's body is read (closed loop, no think time, like `wrk -cN`), bounded
//! by a duration and a request cap. It counts answers by status and records latency in an
//! HDR histogram, one per connection (merged at the end), so the connections share nothing
//! but the request budget.

use anyhow::{anyhow, bail, Context, Result};
use axum::http::{header, HeaderValue, Method, Request};
use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;
use hyper_util::rt::TokioIo;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Most connections one blast may open.
pub const MAX_CONNECTIONS: usize = 10_000;

/// A throughput run.
#[derive(Debug, Clone)]
pub struct BlastConfig {
    /// The server's base URL (loopback unless the caller allowed otherwise).
    pub target: reqwest::Url,
    /// Keep-alive connections, each with one request outstanding.
    pub connections: usize,
    /// How long requests are sent.
    pub duration: Duration,
    /// At most this many requests in the whole run.
    pub max_requests: u64,
    /// Bearer token sent on every request (a secret of `serve --keys-out`).
    pub token: String,
    /// Request path, e.g. `/v1/work`.
    pub path: String,
}

/// What a blast measured.
#[derive(Debug, Clone, serde::Serialize)]
pub struct BlastReport {
    /// `"blast"`.
    pub mode: &'static str,
    /// The URL requested.
    pub url: String,
    /// Connections opened.
    pub connections: usize,
    /// Wall-clock seconds from the first request to the last answer.
    pub seconds: f64,
    /// Answers received (any status).
    pub requests: u64,
    /// Answers per second.
    pub requests_per_s: f64,
    /// Answers by HTTP status.
    pub statuses: BTreeMap<u16, u64>,
    /// Transport errors (refused, reset, malformed answer); the connection is reopened.
    pub errors: u64,
    /// Latency percentiles of answered requests in microseconds: p50, p90, p99, p99.9, max.
    pub latency_us: BTreeMap<&'static str, u64>,
}

/// What one connection saw.
struct Lane {
    statuses: BTreeMap<u16, u64>,
    errors: u64,
    latency: hdrhistogram::Histogram<u64>,
}

fn histogram() -> Result<hdrhistogram::Histogram<u64>> {
    // 1 us .. 60 s at 3 significant digits
    hdrhistogram::Histogram::new_with_bounds(1, 60_000_000, 3)
        .map_err(|e| anyhow!("latency histogram: {e}"))
}

/// Take one request from the shared budget; false when it is used up.
fn take(budget: &AtomicU64) -> bool {
    budget
        .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1))
        .is_ok()
}

/// One connection's loop: connect, then request-answer until `end` or the budget runs out;
/// a transport error counts and reconnects (after a short pause, so a dead server is not
/// hammered in a tight loop).
async fn lane(cfg: Arc<Req>, end: Instant, budget: Arc<AtomicU64>) -> Result<Lane> {
    let mut out = Lane {
        statuses: BTreeMap::new(),
        errors: 0,
        latency: histogram()?,
    };
    'connect: while Instant::now() < end {
        let stream = match tokio::net::TcpStream::connect(&cfg.addr).await {
            Ok(s) => s,
            Err(_) => {
                out.errors += 1;
                tokio::time::sleep(Duration::from_millis(10)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let (mut sender, conn) =
            match hyper::client::conn::http1::handshake(TokioIo::new(stream)).await {
                Ok(x) => x,
                Err(_) => {
                    out.errors += 1;
                    continue;
                }
            };
        let driver = tokio::spawn(conn);
        while Instant::now() < end {
            if !take(&budget) {
                break 'connect;
            }
            let req = Request::builder()
                .method(Method::GET)
                .uri(cfg.path.as_str())
                .header(header::HOST, cfg.host.clone())
                .header(header::AUTHORIZATION, cfg.auth.clone())
                .body(Empty::<Bytes>::new())
                .context("building the request")?;
            let sent = Instant::now();
            let answered = async {
                sender.ready().await?;
                let resp = sender.send_request(req).await?;
                let status = resp.status().as_u16();
                // read the whole body: the connection is reused for the next request
                resp.into_body().collect().await?;
                Ok::<u16, hyper::Error>(status)
            }
            .await;
            match answered {
                Ok(status) => {
                    *out.statuses.entry(status).or_insert(0) += 1;
                    let us = u64::try_from(sent.elapsed().as_micros()).unwrap_or(u64::MAX);
                    out.latency.saturating_record(us.max(1));
                }
                Err(_) => {
                    out.errors += 1;
                    driver.abort();
                    continue 'connect;
                }
            }
        }
        driver.abort();
        break;
    }
    Ok(out)
}

/// The parts of every request, built once.
struct Req {
    addr: String,
    host: HeaderValue,
    auth: HeaderValue,
    path: String,
}

/// Run the blast (inside a tokio runtime).
pub async fn blast(cfg: &BlastConfig) -> Result<BlastReport> {
    if cfg.connections == 0 || cfg.connections > MAX_CONNECTIONS {
        bail!(
            "--blast {}: expected 1 to {MAX_CONNECTIONS} connections",
            cfg.connections
        );
    }
    if !cfg.path.starts_with('/') {
        bail!("request path `{}` must start with /", cfg.path);
    }
    let host = cfg
        .target
        .host_str()
        .ok_or_else(|| anyhow!("--target `{}` has no host", cfg.target))?;
    let port = cfg
        .target
        .port_or_known_default()
        .ok_or_else(|| anyhow!("--target `{}` has no port", cfg.target))?;
    let authority = format!("{host}:{port}");
    let req = Arc::new(Req {
        addr: authority.clone(),
        host: HeaderValue::from_str(&authority).context("the target's host")?,
        auth: HeaderValue::from_str(&format!("Bearer {}", cfg.token))
            .context("--token is not a valid header value")?,
        path: cfg.path.clone(),
    });
    let budget = Arc::new(AtomicU64::new(cfg.max_requests));
    let start = Instant::now();
    let end = start + cfg.duration;
    let mut lanes = tokio::task::JoinSet::new();
    for _ in 0..cfg.connections {
        lanes.spawn(lane(Arc::clone(&req), end, Arc::clone(&budget)));
    }
    let mut statuses = BTreeMap::new();
    let mut errors = 0;
    let mut latency = histogram()?;
    while let Some(joined) = lanes.join_next().await {
        let l = joined.context("a connection task failed")??;
        for (s, n) in l.statuses {
            *statuses.entry(s).or_insert(0) += n;
        }
        errors += l.errors;
        latency
            .add(&l.latency)
            .map_err(|e| anyhow!("merging latencies: {e}"))?;
    }
    let seconds = start.elapsed().as_secs_f64();
    let requests: u64 = statuses.values().sum();
    let latency_us = [
        ("p50", 50.0),
        ("p90", 90.0),
        ("p99", 99.0),
        ("p99.9", 99.9),
        ("max", 100.0),
    ]
    .into_iter()
    .map(|(name, q)| (name, latency.value_at_quantile(q / 100.0)))
    .collect();
    Ok(BlastReport {
        mode: "blast",
        url: format!("http://{authority}{}", cfg.path),
        connections: cfg.connections,
        seconds,
        requests,
        requests_per_s: if seconds > 0.0 {
            requests as f64 / seconds
        } else {
            0.0
        },
        statuses,
        errors,
        latency_us,
    })
}

#[cfg(test)]
mod tests;
