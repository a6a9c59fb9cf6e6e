//! The connection cap: at most `cap` open connections; past it, the connection idle longest is
//! closed to make room, and when none is idle the newcomer is refused with a clear 503.
//!
//! Without a cap, 400 idle keep-alive sockets at a 256-descriptor limit left `accept` failing
//! with EMFILE, and new clients waited seconds in the backlog with no answer. The open-file
//! limit is also raised to its hard maximum at start ([`raise_nofile`]), and the cap is kept
//! under it with room for the server's own files and Redis.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;
use tokio::sync::Notify;

/// Descriptors kept free under the open-file limit (listeners, Redis, files, stdio).
pub const RESERVED_FDS: u64 = 64;

/// The refusal written to a connection over the cap (no request has been read yet).
pub const REFUSAL: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nRetry-After: 1\r\nConnection: close\r\nContent-Length: 80\r\n\r\n{\"error\":\"too many open connections: retry after 1 s or reuse a keep-alive one\"}";

struct Entry {
    busy: usize,
    last: Instant,
    close: Arc<Notify>,
}

/// Open connections.
#[derive(Default)]
pub struct Conns {
    cap: usize,
    next: std::sync::atomic::AtomicU64,
    open: Mutex<HashMap<u64, Entry>>,
}

impl std::fmt::Debug for Conns {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Conns").field("cap", &self.cap).finish()
    }
}

/// A registered connection: closing it is asked through `close`.
#[derive(Debug)]
pub struct Slot {
    /// The connection's id.
    pub id: u64,
    /// Notified when the connection should close (gracefully).
    pub close: Arc<Notify>,
}

impl Conns {
    /// At most `cap` connections (at least 1).
    pub fn new(cap: usize) -> Arc<Conns> {
        Arc::new(Conns {
            cap: cap.max(1),
            ..Conns::default()
        })
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<u64, Entry>> {
        self.open.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Register a new connection, closing the one idle longest if at the cap; `None` when
    /// every open connection is busy (refuse the newcomer).
    pub fn admit(&self) -> Option<Slot> {
        let mut open = self.lock();
        if open.len() >= self.cap {
            let victim = open
                .iter()
                .filter(|(_, e)| e.busy == 0)
                .min_by_key(|(id, e)| (e.last, **id))
                .map(|(id, _)| *id)?;
            if let Some(e) = open.remove(&victim) {
                e.close.notify_one();
            }
        }
        let id = self.next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let close = Arc::new(Notify::new());
        open.insert(
            id,
            Entry {
                busy: 0,
                last: Instant::now(),
                close: Arc::clone(&close),
            },
        );
        Some(Slot { id, close })
    }

    /// A request started on connection `id`; the guard marks it done (and the connection
    /// active now) when dropped.
    pub fn busy(self: &Arc<Self>, id: u64) -> Busy {
        if let Some(e) = self.lock().get_mut(&id) {
            e.busy += 1;
        }
        Busy {
            conns: Arc::clone(self),
            id,
        }
    }

    /// Connection `id` ended.
    pub fn remove(&self, id: u64) {
        self.lock().remove(&id);
    }

    /// Open connections.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// True when none is open.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// See [`Conns::busy`].
#[derive(Debug)]
pub struct Busy {
    conns: Arc<Conns>,
    id: u64,
}

impl Drop for Busy {
    fn drop(&mut self) {
        if let Some(e) = self.conns.lock().get_mut(&self.id) {
            e.busy = e.busy.saturating_sub(1);
            e.last = Instant::now();
        }
    }
}

/// Raise the soft open-file limit to the hard one where the OS allows it; returns the soft
/// limit in force (`None` where it cannot be read).
pub fn raise_nofile() -> Option<u64> {
    #[cfg(unix)]
    {
        use rustix::process::{getrlimit, setrlimit, Resource};
        let mut l = getrlimit(Resource::Nofile);
        if l.current < l.maximum {
            let wanted = l.maximum;
            l.current = wanted;
            if setrlimit(Resource::Nofile, l).is_err() {
                // e.g. macOS refuses RLIM_INFINITY: keep what there is
            }
        }
        getrlimit(Resource::Nofile).current
    }
    #[cfg(not(unix))]
    {
        None
    }
}

/// The cap in force: `wanted`, kept `RESERVED_FDS` under the open-file limit `nofile`.
pub fn effective_cap(wanted: usize, nofile: Option<u64>) -> usize {
    let room = nofile.map_or(u64::MAX, |n| n.saturating_sub(RESERVED_FDS).max(1));
    usize::try_from(room)
        .map_or(wanted, |r| wanted.min(r))
        .max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn at_the_cap_the_idle_longest_goes_and_busy_ones_stay() {
        let c = Conns::new(2);
        let a = c.admit().unwrap();
        let b = c.admit().unwrap();
        let _busy_b = c.busy(b.id);
        // a is idle, b busy: a third closes a
        let third = c.admit().unwrap();
        assert_eq!(c.len(), 2);
        let _busy_third = c.busy(third.id);
        // now both busy: refused
        assert!(c.admit().is_none());
        drop(a);
        assert_eq!(
            REFUSAL.len() - REFUSAL.windows(4).position(|w| w == b"\r\n\r\n").unwrap() - 4,
            80
        );
    }

    #[test]
    fn the_cap_stays_under_the_open_file_limit() {
        assert_eq!(effective_cap(10_000, Some(256)), 192);
        assert_eq!(effective_cap(100, Some(256)), 100);
        assert_eq!(effective_cap(100, None), 100);
        assert_eq!(effective_cap(100, Some(10)), 1);
    }
}
