//! What a load run measured, per fleet and in total: the figures of design.md that a client
//! can see (offered logical requests, attempts, retry amplification, statuses, give-ups by
//! reason, goodput and latency of successful logical requests from first send to final answer).

use hdrhistogram::Histogram;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::time::Duration;

/// Counters of one fleet (or of all).
#[derive(Debug, Clone)]
pub struct Stats {
    /// Logical requests started.
    pub logical: u64,
    /// Attempts sent.
    pub attempts: u64,
    /// Logical requests that ended in a 2xx.
    pub successes: u64,
    /// Responses by status.
    pub statuses: BTreeMap<u16, u64>,
    /// Attempts that timed out or failed at the transport level.
    pub no_response: u64,
    /// Abandoned logical requests by reason.
    pub give_ups: BTreeMap<&'static str, u64>,
    /// Latency of successful logical requests, microseconds.
    pub latency: Histogram<u64>,
}

impl Default for Stats {
    fn default() -> Self {
        Stats {
            logical: 0,
            attempts: 0,
            successes: 0,
            statuses: BTreeMap::new(),
            no_response: 0,
            give_ups: BTreeMap::new(),
            // 1 us .. 1 h at 3 significant digits: constant, valid bounds
            latency: Histogram::new_with_bounds(1, 3_600_000_000, 3)
                .expect("constant histogram bounds are valid"),
        }
    }
}

impl Stats {
    /// A successful logical request took `latency`.
    pub fn success(&mut self, latency: Duration) {
        self.successes += 1;
        let us = u64::try_from(latency.as_micros())
            .unwrap_or(u64::MAX)
            .max(1);
        let _ = self.latency.record(us.min(self.latency.high()));
    }

    /// Add another fleet's counters.
    pub fn merge(&mut self, other: &Stats) {
        self.logical += other.logical;
        self.attempts += other.attempts;
        self.successes += other.successes;
        self.no_response += other.no_response;
        for (k, v) in &other.statuses {
            *self.statuses.entry(*k).or_insert(0) += v;
        }
        for (k, v) in &other.give_ups {
            *self.give_ups.entry(k).or_insert(0) += v;
        }
        let _ = self.latency.add(&other.latency);
    }

    /// As JSON, over a run of `elapsed`.
    pub fn to_json(&self, elapsed: Duration) -> Value {
        let secs = elapsed.as_secs_f64().max(1e-9);
        let ms = |q: f64| {
            if self.latency.is_empty() {
                Value::Null
            } else {
                json!(self.latency.value_at_quantile(q) as f64 / 1000.0)
            }
        };
        json!({
            "logical_requests": self.logical,
            "attempts": self.attempts,
            "retry_amplification": if self.logical > 0 { self.attempts as f64 / self.logical as f64 } else { 0.0 },
            "successes": self.successes,
            "offered_per_s": self.logical as f64 / secs,
            "goodput_per_s": self.successes as f64 / secs,
            "statuses": self.statuses.iter().map(|(k, v)| (k.to_string(), json!(v))).collect::<serde_json::Map<_, _>>(),
            "no_response": self.no_response,
            "give_ups": self.give_ups,
            "latency_ms": { "p50": ms(0.5), "p90": ms(0.9), "p99": ms(0.99), "p999": ms(0.999) },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_and_json_figures() {
        let mut a = Stats {
            logical: 2,
            attempts: 5,
            ..Stats::default()
        };
        a.success(Duration::from_millis(10));
        *a.statuses.entry(429).or_insert(0) += 3;
        let mut b = Stats {
            logical: 2,
            attempts: 3,
            ..Stats::default()
        };
        b.give_ups.insert("max_attempts", 1);
        b.merge(&a);
        let j = b.to_json(Duration::from_secs(2));
        assert_eq!(j["attempts"], 8);
        assert_eq!(j["retry_amplification"], 2.0);
        assert_eq!(j["statuses"]["429"], 3);
        assert_eq!(j["give_ups"]["max_attempts"], 1);
        assert_eq!(j["goodput_per_s"], 0.5);
        let p50 = j["latency_ms"]["p50"].as_f64().unwrap();
        assert!((9.9..10.1).contains(&p50), "{p50}");
    }
}
