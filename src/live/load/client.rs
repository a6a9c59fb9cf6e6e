//! One logical request of a live client: attempts over real HTTP, the fleet's retry policy
//! (`sim::retry::RetryPolicy`, the simulator's own) deciding after each failure from the status
//! and the parsed `Retry-After` / reset headers (`limiters::headers::parse`), within the
//! fleet's deadline and the run's attempt budget.

use super::stats::Stats;
use crate::live::respond::unix_now;
use limiters::headers::{parse, ParseOptions};
use limiters::Nanos;
use sim::model::Fleet;
use sim::retry::{AttemptResult, RetryDecision, RetryState};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// What every client task shares.
#[derive(Debug)]
pub struct Shared {
    /// The HTTP client (connection pool).
    pub http: reqwest::Client,
    /// `POST` target, e.g. `http://127.0.0.1:8080/v1/work`.
    pub url: String,
    /// Attempts that may still be sent in this run.
    pub budget: AtomicU64,
    /// No attempt starts after this instant.
    pub hard_stop: Instant,
    /// Per-fleet counters, by fleet index.
    pub stats: Vec<Mutex<Stats>>,
}

impl Shared {
    fn take_attempt(&self) -> bool {
        self.budget
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1))
            .is_ok()
    }

    fn stats(&self, fleet: usize) -> std::sync::MutexGuard<'_, Stats> {
        self.stats[fleet].lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// One attempt: the result as the retry policy sees it.
async fn attempt(shared: &Shared, fleet: &Fleet, key: &str, idem: Option<&str>) -> AttemptResult {
    let mut req = shared
        .http
        .post(&shared.url)
        .header("authorization", format!("Bearer {key}"))
        .header("content-type", "application/json")
        .body(format!("{{\"cost\": {}}}", fleet.cost));
    if let Some(k) = idem {
        req = req.header("idempotency-key", k);
    }
    let left = shared.hard_stop.saturating_duration_since(Instant::now());
    let timeout = fleet.timeout.map_or(left, |t| Duration::from(t).min(left));
    let resp = match req.timeout(timeout).send().await {
        Ok(r) => r,
        Err(_) => return AttemptResult::timeout(),
    };
    let status = resp.status().as_u16();
    let pairs: Vec<(String, String)> = resp
        .headers()
        .iter()
        .filter_map(|(n, v)| Some((n.as_str().to_string(), v.to_str().ok()?.to_string())))
        .collect();
    let refs: Vec<(&str, &str)> = pairs
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let mut result = AttemptResult::status(status);
    if let Ok(info) = parse(&refs, unix_now(), &ParseOptions::default()) {
        result.retry_after = info.retry_after;
        result.reset_after = info.reset_after;
    }
    // drain the body so the connection is reused
    let _ = resp.bytes().await;
    result
}

/// Run one logical request of client `key` in fleet `fi` to its end.
pub async fn logical(
    shared: &Shared,
    fi: usize,
    fleet: &Fleet,
    key: &str,
    rng: &mut impl rand::Rng,
) {
    shared.stats(fi).logical += 1;
    let first_send = Instant::now();
    let idem = fleet.idempotent.then(|| uuid::Uuid::new_v4().to_string());
    let mut state = RetryState::first();
    loop {
        if Instant::now() >= shared.hard_stop || !shared.take_attempt() {
            *shared.stats(fi).give_ups.entry("load_budget").or_insert(0) += 1;
            return;
        }
        let mut result = attempt(shared, fleet, key, idem.as_deref()).await;
        result.elapsed = Nanos::from(first_send.elapsed());
        {
            let mut st = shared.stats(fi);
            st.attempts += 1;
            match result.status {
                Some(s) => *st.statuses.entry(s).or_insert(0) += 1,
                None => st.no_response += 1,
            }
            if result.is_success() {
                st.success(first_send.elapsed());
                return;
            }
        }
        let delay = match fleet.retry.decide(&mut state, &result, rng) {
            RetryDecision::Retry(d) => d,
            RetryDecision::GiveUp(reason) => {
                *shared
                    .stats(fi)
                    .give_ups
                    .entry(reason.as_str())
                    .or_insert(0) += 1;
                return;
            }
        };
        if let Some(deadline) = fleet.deadline {
            if result.elapsed + delay >= deadline {
                *shared.stats(fi).give_ups.entry("deadline").or_insert(0) += 1;
                return;
            }
        }
        tokio::time::sleep(Duration::from(delay)).await;
        state.attempts += 1;
    }
}
