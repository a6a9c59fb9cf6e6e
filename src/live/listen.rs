//! The accept loop: hyper's HTTP/1 connection builder with a header read timeout and a header
//! size cap, so a client that sends headers slowly (slowloris) or endlessly is cut off instead
//! of holding a connection forever; a connection cap ([`super::conns`]); graceful shutdown on
//! Ctrl-C / SIGTERM.
//!
//! (`axum::serve` sets neither limit, which is why `serve` runs its own loop, as axum's
//! `serve-with-hyper` example does.)

use super::conns::{Conns, REFUSAL};
use axum::Router;
use hyper::service::Service as _;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;

/// Largest request head (request line plus headers) accepted; larger gets 431.
pub const MAX_HEAD_BYTES: usize = 64 * 1024;

/// How long in-flight connections may finish after a shutdown signal.
const DRAIN: Duration = Duration::from_secs(5);

/// Serve `router` on `listener` until `shutdown` resolves, with at most `max_connections`
/// open connections (see [`super::conns`]).
pub async fn run(
    listener: TcpListener,
    router: Router,
    header_timeout: Duration,
    max_connections: usize,
    shutdown: impl std::future::Future<Output = ()>,
) {
    let conns = Conns::new(max_connections);
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let stream = match accepted {
                    Ok((stream, _)) => stream,
                    Err(e) => {
                        // e.g. out of file descriptors: back off instead of spinning
                        errln!("throttlelab serve: accept failed: {e}");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                let Some(slot) = conns.admit() else {
                    // every connection is busy: a clear refusal, not a silent wait
                    // (a fresh socket's send buffer takes it whole; then it is closed)
                    tokio::spawn(async move {
                        let write = async {
                            if stream.writable().await.is_ok() {
                                let _ = stream.try_write(REFUSAL);
                            }
                        };
                        let _ = tokio::time::timeout(Duration::from_secs(1), write).await;
                    });
                    continue;
                };
                let _ = stream.set_nodelay(true);
                let mut builder = hyper::server::conn::http1::Builder::new();
                builder
                    .timer(TokioTimer::new())
                    .header_read_timeout(header_timeout)
                    .max_buf_size(MAX_HEAD_BYTES);
                let inner = TowerToHyperService::new(router.clone());
                let tracker = Arc::clone(&conns);
                let id = slot.id;
                let service = hyper::service::service_fn(move |req| {
                    let busy = tracker.busy(id);
                    let answer = inner.call(req);
                    async move {
                        let r = answer.await;
                        drop(busy);
                        r
                    }
                });
                let conn = builder.serve_connection(TokioIo::new(stream), service);
                let (conns, mut stop) = (Arc::clone(&conns), stop_rx.clone());
                tokio::spawn(async move {
                    // a connection error (malformed request, timeout, reset) ends that
                    // connection only
                    let mut conn = std::pin::pin!(conn);
                    let mut closing = false;
                    loop {
                        tokio::select! {
                            _ = conn.as_mut() => break,
                            _ = slot.close.notified(), if !closing => {
                                closing = true;
                                conn.as_mut().graceful_shutdown();
                            }
                            _ = stop.changed(), if !closing => {
                                closing = true;
                                conn.as_mut().graceful_shutdown();
                            }
                        }
                    }
                    conns.remove(slot.id);
                });
            }
            _ = &mut shutdown => break,
        }
    }
    drop(listener);
    let _ = stop_tx.send(true);
    let _ = tokio::time::timeout(DRAIN, async {
        while !conns.is_empty() {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
}
