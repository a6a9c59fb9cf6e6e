//! The Redis store's connection: one multiplexed connection, checked before use after an idle
//! spell and replaced at once when broken.
//!
//! A restarted Redis leaves the old connection dead while nothing uses it; taken as it is, the
//! first request after the restart failed, and the back-off that failure started failed every
//! other request of the burst (300 of 300 got 503 with Redis up again for 3 s). So:
//! - a connection idle for [`IDLE_CHECK`] or more is checked with a `PING` (bounded by the
//!   store timeout) before use, and replaced at once if it does not answer, as connection
//!   pools test a connection on borrow;
//! - a failed call drops the connection it used (only that one: not a newer one another
//!   request already made), without a back-off: the next call reconnects at once;
//! - only a failed connection attempt backs off ([`RECONNECT_BACKOFF`]), so an unreachable
//!   Redis is not dialled by every request.

use anyhow::{anyhow, bail, Result};
use redis::aio::MultiplexedConnection;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

/// Least time between two connection attempts after a failed one.
pub const RECONNECT_BACKOFF: Duration = Duration::from_millis(250);

/// A connection unused for this long is checked with a `PING` before use.
pub const IDLE_CHECK: Duration = Duration::from_millis(500);

struct State {
    conn: Option<(MultiplexedConnection, u64)>,
    next_id: u64,
    last_failure: Option<Instant>,
}

/// The connection to one Redis server.
pub struct Link {
    client: redis::Client,
    state: Mutex<State>,
    timeout: Duration,
    epoch: Instant,
    /// Milliseconds from `epoch` to the last successful use.
    last_ok: AtomicU64,
}

impl std::fmt::Debug for Link {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Link")
            .field("timeout", &self.timeout)
            .finish()
    }
}

impl Link {
    /// A link to `client` (no connection is made yet), each call bounded by `timeout`.
    pub fn new(client: redis::Client, timeout: Duration) -> Link {
        Link {
            client,
            state: Mutex::new(State {
                conn: None,
                next_id: 0,
                last_failure: None,
            }),
            timeout,
            epoch: Instant::now(),
            last_ok: AtomicU64::new(0),
        }
    }

    fn now_ms(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    /// A connection believed to work, and its id (for [`Link::failed`]).
    pub async fn get(&self) -> Result<(MultiplexedConnection, u64)> {
        let mut state = self.state.lock().await;
        if let Some((c, id)) = &state.conn {
            let idle = self
                .now_ms()
                .saturating_sub(self.last_ok.load(Ordering::Relaxed));
            if u128::from(idle) < IDLE_CHECK.as_millis() {
                return Ok((c.clone(), *id));
            }
            let mut probe = c.clone();
            let cmd = redis::cmd("PING");
            let ping = cmd.query_async::<String>(&mut probe);
            if let Ok(Ok(_)) = tokio::time::timeout(self.timeout, ping).await {
                self.ok();
                return Ok((c.clone(), *id));
            }
            // broken (a Redis restart, a dropped socket): replace it now, no back-off
            state.conn = None;
        } else if let Some(t) = state.last_failure {
            if t.elapsed() < RECONNECT_BACKOFF {
                bail!("redis unreachable (retrying in {RECONNECT_BACKOFF:?})");
            }
        }
        let attempt =
            tokio::time::timeout(self.timeout, self.client.get_multiplexed_async_connection())
                .await;
        match attempt {
            Ok(Ok(c)) => {
                state.next_id += 1;
                let id = state.next_id;
                state.conn = Some((c.clone(), id));
                state.last_failure = None;
                self.ok();
                Ok((c, id))
            }
            Ok(Err(e)) => {
                state.last_failure = Some(Instant::now());
                Err(anyhow!("redis connect: {e}"))
            }
            Err(_) => {
                state.last_failure = Some(Instant::now());
                Err(anyhow!("redis connect timed out after {:?}", self.timeout))
            }
        }
    }

    /// A call on the connection succeeded.
    pub fn ok(&self) {
        self.last_ok.store(self.now_ms(), Ordering::Relaxed);
    }

    /// A call on connection `id` failed: drop it (if it is still the current one); the next
    /// call connects again at once.
    pub async fn failed(&self, id: u64) {
        let mut state = self.state.lock().await;
        if state.conn.as_ref().is_some_and(|(_, c)| *c == id) {
            state.conn = None;
        }
    }
}
