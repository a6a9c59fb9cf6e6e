//! Idempotency keys (seed 004: "send an Idempotency-Key header (8–128 chars) so a retried
//! request is processed at most once ... A replayed key returns the original response
//! (X-Idempotent-Replay: true) and doesn't consume extra quota"; seed 002: "409 Idempotency-Key
//! reuse mismatch").
//!
//! Keys are scoped by API key. A request's fingerprint is a hash of its method, path and body:
//! the same key with a different fingerprint is a 409. While the first request is in flight, a
//! second with the same key is a 409 too (it must not run twice). Only responses of requests
//! the backend really processed are stored (2xx and 500): a 429 or 503 stored would make every
//! retry of a throttled request fail forever. A request that ends without storing (denied, its
//! task aborted) frees its key for a retry; a client disconnect does not cancel admitted work
//! (see `work.rs`), so its retry meets the first attempt as in the simulator.
//!
//! Memory is bounded per tenant: entries expire after a TTL and, past a tenant's capacity, that
//! tenant's oldest are evicted. Each tenant has its own partition, so one tenant's flood of
//! fresh keys evicts only its own entries, never a victim's stored response (with one shared
//! queue, 3 s of another tenant's traffic evicted it and the victim's retry ran, and was
//! charged, twice). The number of partitions is bounded by the server's tenants.

use std::collections::hash_map::DefaultHasher;
use std::collections::{HashMap, VecDeque};
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// Validate an `Idempotency-Key` value: 8–128 visible ASCII characters.
pub fn validate_key(key: &str) -> Result<(), String> {
    let n = key.chars().count();
    if !(8..=128).contains(&n) {
        return Err(format!("must be 8 to 128 characters long, got {n}"));
    }
    if !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err("must be visible ASCII characters (no spaces or control characters)".into());
    }
    Ok(())
}

/// The fingerprint of a request for key-reuse checks.
pub fn fingerprint(method: &str, path: &str, body: &[u8]) -> u64 {
    let mut h = DefaultHasher::new();
    (method, path, body).hash(&mut h);
    h.finish()
}

/// A response kept for replay.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredResponse {
    /// HTTP status.
    pub status: u16,
    /// The body bytes.
    pub body: Vec<u8>,
    /// The original request id.
    pub request_id: String,
}

#[derive(Debug)]
enum Slot {
    InFlight {
        fingerprint: u64,
        created: Instant,
    },
    Done {
        fingerprint: u64,
        created: Instant,
        response: StoredResponse,
    },
}

impl Slot {
    fn created(&self) -> Instant {
        match self {
            Slot::InFlight { created, .. } | Slot::Done { created, .. } => *created,
        }
    }
}

type Key = (String, String);

#[derive(Debug, Default)]
struct Inner {
    map: HashMap<Key, Slot>,
    order: VecDeque<(Key, Instant)>,
}

/// The outcome of presenting a key.
#[derive(Debug)]
pub enum Begin {
    /// First use: process the request, then `complete` the ticket (or drop it).
    Fresh(Ticket),
    /// Seen with the same fingerprint and completed: replay this.
    Replay(StoredResponse),
    /// Seen with another fingerprint: 409.
    Mismatch,
    /// Seen with the same fingerprint, still being processed: 409.
    InProgress,
}

/// Stored responses by tenant, then (API key, idempotency key).
#[derive(Debug)]
pub struct IdempotencyStore {
    tenants: Mutex<HashMap<String, Arc<Mutex<Inner>>>>,
    ttl: Duration,
    capacity: usize,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl IdempotencyStore {
    /// A store keeping responses for `ttl`, at most `capacity` of them per tenant.
    pub fn new(ttl: Duration, capacity: usize) -> IdempotencyStore {
        IdempotencyStore {
            tenants: Mutex::new(HashMap::new()),
            ttl,
            capacity: capacity.max(1),
        }
    }

    /// `tenant`'s partition (made on first use).
    fn partition(&self, tenant: &str) -> Arc<Mutex<Inner>> {
        let mut tenants = lock(&self.tenants);
        if let Some(p) = tenants.get(tenant) {
            return Arc::clone(p);
        }
        let p = Arc::new(Mutex::new(Inner::default()));
        tenants.insert(tenant.to_string(), Arc::clone(&p));
        p
    }

    /// Present `key` of `api_key` (of `tenant`) with the request's fingerprint.
    pub fn begin(&self, tenant: &str, api_key: &str, key: &str, fp: u64) -> Begin {
        let now = Instant::now();
        let partition = self.partition(tenant);
        let mut inner = lock(&partition);
        self.evict(&mut inner, now);
        let k: Key = (api_key.to_string(), key.to_string());
        match inner.map.get(&k) {
            Some(Slot::InFlight { fingerprint, .. }) | Some(Slot::Done { fingerprint, .. })
                if *fingerprint != fp =>
            {
                Begin::Mismatch
            }
            Some(Slot::InFlight { .. }) => Begin::InProgress,
            Some(Slot::Done { response, .. }) => Begin::Replay(response.clone()),
            None => {
                inner.map.insert(
                    k.clone(),
                    Slot::InFlight {
                        fingerprint: fp,
                        created: now,
                    },
                );
                inner.order.push_back((k.clone(), now));
                Begin::Fresh(Ticket {
                    inner: Arc::clone(&partition),
                    key: Some(k),
                    fingerprint: fp,
                    created: now,
                })
            }
        }
    }

    fn evict(&self, inner: &mut Inner, now: Instant) {
        while let Some((k, created)) = inner.order.front().cloned() {
            let expired = now.duration_since(created) >= self.ttl;
            if !expired && inner.order.len() <= self.capacity {
                break;
            }
            inner.order.pop_front();
            if inner.map.get(&k).map(Slot::created) == Some(created) {
                inner.map.remove(&k);
            }
        }
    }

    /// Entries held (in flight or done), over every tenant.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        lock(&self.tenants)
            .values()
            .map(|p| lock(p).map.len())
            .sum()
    }
}

/// The right to store the response of a first use. Dropped without `complete`, the key is
/// released so a retry can run.
#[derive(Debug)]
pub struct Ticket {
    inner: Arc<Mutex<Inner>>,
    key: Option<Key>,
    fingerprint: u64,
    created: Instant,
}

impl Ticket {
    /// Store `response` for replay.
    pub fn complete(mut self, response: StoredResponse) {
        if let Some(k) = self.key.take() {
            let mut inner = lock(&self.inner);
            if inner.map.get(&k).map(Slot::created) == Some(self.created) {
                inner.map.insert(
                    k,
                    Slot::Done {
                        fingerprint: self.fingerprint,
                        created: self.created,
                        response,
                    },
                );
            }
        }
    }
}

impl Drop for Ticket {
    fn drop(&mut self) {
        if let Some(k) = self.key.take() {
            let mut inner = lock(&self.inner);
            if matches!(inner.map.get(&k), Some(Slot::InFlight { created, .. }) if *created == self.created)
            {
                inner.map.remove(&k);
            }
        }
    }
}

#[cfg(test)]
mod tests;
