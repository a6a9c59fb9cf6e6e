//! The accept loop: hyper's HTTP/1 connection builder with a header read timeout and a header
//! size cap, so a client that sends headers slowly (slowloris) or endlessly is cut off instead
//! of holding a connection forever; graceful shutdown on Ctrl-C / SIGTERM.
//!
//! (`axum::serve` sets neither limit, which is why `serve` runs its own loop, as axum's
//! `serve-with-hyper` example does.)

use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use std::time::Duration;
use tokio::net::TcpListener;

/// Largest request head (request line plus headers) accepted; larger gets 431.
pub const MAX_HEAD_BYTES: usize = 64 * 1024;

/// How long in-flight connections may finish after a shutdown signal.
const DRAIN: Duration = Duration::from_secs(5);

/// Serve `router` on `listener` until `shutdown` resolves.
pub async fn run(
    listener: TcpListener,
    router: Router,
    header_timeout: Duration,
    shutdown: impl std::future::Future<Output = ()>,
) {
    let graceful = GracefulShutdown::new();
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let stream = match accepted {
                    Ok((stream, _)) => stream,
                    Err(e) => {
                        // e.g. out of file descriptors: back off instead of spinning
                        eprintln!("throttlelab serve: accept failed: {e}");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                let _ = stream.set_nodelay(true);
                let mut builder = hyper::server::conn::http1::Builder::new();
                builder
                    .timer(TokioTimer::new())
                    .header_read_timeout(header_timeout)
                    .max_buf_size(MAX_HEAD_BYTES);
                let conn = builder.serve_connection(
                    TokioIo::new(stream),
                    TowerToHyperService::new(router.clone()),
                );
                let conn = graceful.watch(conn);
                tokio::spawn(async move {
                    // a connection error (malformed request, timeout, reset) ends that
                    // connection only
                    let _ = conn.await;
                });
            }
            _ = &mut shutdown => break,
        }
    }
    drop(listener);
    let _ = tokio::time::timeout(DRAIN, graceful.shutdown()).await;
}
