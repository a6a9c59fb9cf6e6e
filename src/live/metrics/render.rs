//! `GET /metrics`: the counters, gauges and limiter states of [`Metrics`] in the Prometheus
//! text exposition format (version 0.0.4), with `# HELP` and `# TYPE` lines.

use super::Metrics;
use std::fmt::Write as _;
use std::sync::atomic::Ordering::Relaxed;

impl Metrics {
    /// The exposition text.
    pub fn render(&self) -> String {
        let mut s = String::new();
        let mut counter = |name: &str, help: &str, v: u64| {
            let _ = writeln!(s, "# HELP {name} {help}\n# TYPE {name} counter\n{name} {v}");
        };
        counter(
            "throttlelab_admitted_total",
            "Requests admitted by every limiter level.",
            self.admitted.load(Relaxed),
        );
        counter(
            "throttlelab_idempotent_replays_total",
            "Stored responses replayed for a repeated Idempotency-Key.",
            self.replays.load(Relaxed),
        );
        counter(
            "throttlelab_duplicates_executed_total",
            "Executions of a tagged non-idempotent request beyond its first (X-Throttlelab-Request).",
            self.executions.duplicates(),
        );
        counter(
            "throttlelab_wasted_total",
            "Requests the backend served after their client had gone (wasted work).",
            self.wasted.load(Relaxed),
        );
        counter(
            "throttlelab_store_errors_total",
            "Calls to the shared limit store that failed or timed out.",
            self.store_errors.load(Relaxed),
        );
        counter(
            "throttlelab_store_calls_ok_total",
            "Calls to the shared limit store that succeeded.",
            self.store_ok.load(Relaxed),
        );
        let _ = writeln!(
            s,
            "# HELP throttlelab_wasted_work_seconds_total Service time spent on requests whose client had gone.\n# TYPE throttlelab_wasted_work_seconds_total counter\nthrottlelab_wasted_work_seconds_total {:.9}",
            self.wasted_ns.load(Relaxed) as f64 / 1e9
        );
        let responses = self.responses();
        let _ = writeln!(
            s,
            "# HELP throttlelab_responses_total Responses by HTTP status.\n# TYPE throttlelab_responses_total counter"
        );
        for (status, n) in &responses {
            let _ = writeln!(s, "throttlelab_responses_total{{status=\"{status}\"}} {n}");
        }
        let _ = writeln!(
            s,
            "# HELP throttlelab_rejected_total Requests not served, by HTTP status.\n# TYPE throttlelab_rejected_total counter"
        );
        for (status, n) in responses.iter().filter(|(st, _)| **st >= 400) {
            let _ = writeln!(s, "throttlelab_rejected_total{{status=\"{status}\"}} {n}");
        }
        let _ = writeln!(
            s,
            "# HELP throttlelab_store_fallback_total Decisions made by --on-store-error instead of the store.\n# TYPE throttlelab_store_fallback_total counter"
        );
        for (i, mode) in ["fail-open", "fail-closed", "local"].iter().enumerate() {
            let _ = writeln!(
                s,
                "throttlelab_store_fallback_total{{mode=\"{mode}\"}} {}",
                self.fallback[i].load(Relaxed)
            );
        }
        let mut gauge = |name: &str, help: &str, v: i64| {
            let _ = writeln!(s, "# HELP {name} {help}\n# TYPE {name} gauge\n{name} {v}");
        };
        gauge(
            "throttlelab_in_flight",
            "Admitted requests waiting for or using a worker.",
            self.in_flight.load(Relaxed),
        );
        gauge(
            "throttlelab_queue_depth",
            "Admitted requests waiting for a worker.",
            self.queued.load(Relaxed),
        );
        gauge(
            "throttlelab_busy_workers",
            "Backend workers serving a request.",
            self.busy.load(Relaxed),
        );
        gauge(
            "throttlelab_store_up",
            "1 if the latest call to the limit store succeeded (always 1 for the memory store).",
            self.store_up.load(Relaxed),
        );
        let _ = writeln!(
            s,
            "# HELP throttlelab_limiter_remaining Remaining capacity at the latest decision.\n# TYPE throttlelab_limiter_remaining gauge"
        );
        let state = self.limiter_gauges();
        for ((level, scope, id), (_, remaining, _)) in &state {
            let _ = writeln!(
                s,
                "throttlelab_limiter_remaining{{level=\"{level}\",scope=\"{scope}\",id=\"{}\"}} {remaining}",
                escape(id)
            );
        }
        let _ = writeln!(
            s,
            "# HELP throttlelab_limiter_limit The limit that applied at the latest decision.\n# TYPE throttlelab_limiter_limit gauge"
        );
        for ((level, scope, id), (limit, _, _)) in &state {
            let _ = writeln!(
                s,
                "throttlelab_limiter_limit{{level=\"{level}\",scope=\"{scope}\",id=\"{}\"}} {limit}",
                escape(id)
            );
        }
        let _ = writeln!(
            s,
            "# HELP throttlelab_limiter_decisions_total Limiter decisions made, per level and scope id.\n# TYPE throttlelab_limiter_decisions_total counter"
        );
        for ((level, scope, id), (_, _, n)) in &state {
            let _ = writeln!(
                s,
                "throttlelab_limiter_decisions_total{{level=\"{level}\",scope=\"{scope}\",id=\"{}\"}} {n}",
                escape(id)
            );
        }
        s
    }
}

/// Escape a label value (backslash, quote, newline) as the exposition format requires.
fn escape(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}
