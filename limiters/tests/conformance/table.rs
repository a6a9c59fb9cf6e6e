//! The table of representative parameters per registered algorithm, with what each promises.
//!
//! Every name in `Registry::builtin()` must have at least one row here
//! (`every_registered_algorithm_has_conformance_params` fails otherwise), so a newly registered
//! algorithm cannot escape the suite: its author has to state its bound here.

use limiters::{Limiter, Nanos, Params, Registry};
use std::sync::OnceLock;

/// The documented bound on what an algorithm admits, in effective time (the latest `now` seen).
#[derive(Clone, Copy, Debug)]
pub enum Bound {
    /// Exact rolling window: at most `limit` in any `(t - window, t]`.
    Rolling { limit: u64, window: u64 },
    /// Aligned windows `[align + kP, align + (k+1)P)` admit at most `limit` each (net of
    /// same-window refunds when the case refunds failures); any rolling window of length `P`
    /// admits at most `rolling_max` (`2 * limit` for a fixed window, `2 * limit - 1` for
    /// Cloudflare's sliding counter, whose documented bound is "strictly less than 2x").
    Aligned {
        limit: u64,
        period: u64,
        align: u64,
        rolling_max: u64,
    },
    /// Token bucket / GCRA: over any `[a, b]`, at most `burst + (b - a) / interval`.
    Bucket { burst: u64, interval: u64 },
    /// NGINX `limit_req`: admissions (delayed or not) bounded as a bucket of `burst + 1`; with
    /// `spaced`, the service times (admission + delay) of consecutive requests are at least
    /// `cost * interval` apart (the smoothing); without it (`nodelay`), nothing is delayed.
    Leaky {
        burst: u64,
        interval: u64,
        spaced: bool,
    },
    /// Envoy's timer bucket: over any `[a, b]`, at most `max + per_fill * (ticks in (a, b])`,
    /// ticks at every multiple of `interval`.
    Stepped {
        max: u64,
        per_fill: u64,
        interval: u64,
    },
    /// A bucket on a millisecond clock (nginx `limit_req`): as `Leaky` without the spacing
    /// check, with one millisecond of slack per interval measured (times are truncated to ms).
    Millis { burst: u64, interval: u64 },
    /// Concurrency-style: after every admission, the cost in flight is at most the decision's
    /// `limit`, itself at most `ceiling`. Releases free slots.
    InFlight { ceiling: u64 },
}

/// One row: an algorithm, its parameters, and what it promises.
#[derive(Clone, Debug)]
pub struct Case {
    pub name: &'static str,
    pub params: Params,
    pub bound: Bound,
    /// The largest cost that can ever pass; above it every answer is `never`.
    pub capacity: u64,
    /// The `limit` a rested limiter reports (`None`: learned, as the adaptive ones).
    pub full: Option<u64>,
    /// Time after which the limiter is back to full capacity, from any state, once every
    /// admitted request is released.
    pub rest: Nanos,
    /// Longest gap between two generated calls (the stream's time scale).
    pub max_gap: Nanos,
    /// `retry_after` is a truth about time (not a configured hint).
    pub exact_retry: bool,
    /// `reset_after` is the time back to full capacity (not a hint).
    pub exact_reset: bool,
    /// A failed request's cost is refunded within its aligned window (quota).
    pub refunds: bool,
}

impl Case {
    /// `name{k=v,...}`, for failure messages.
    pub fn label(&self) -> String {
        let kv: Vec<String> = self
            .params
            .names()
            .map(|k| match self.params.get(k) {
                Some(v) => format!("{k}={}", show(v)),
                None => k.to_string(),
            })
            .collect();
        format!("{}{{{}}}", self.name, kv.join(","))
    }

    /// A fresh limiter, built by name through the registry from the row's parameters.
    pub fn build(&self) -> Box<dyn Limiter> {
        match registry().build(self.name, &self.params) {
            Ok(l) => l,
            Err(e) => panic!(
                "{}: the registry rejects the table's params: {e}",
                self.label()
            ),
        }
    }
}

fn show(v: &limiters::ParamValue) -> String {
    match v {
        limiters::ParamValue::Int(i) => i.to_string(),
        limiters::ParamValue::Float(f) => f.to_string(),
        limiters::ParamValue::Str(s) => s.clone(),
        limiters::ParamValue::Bool(b) => b.to_string(),
    }
}

pub fn registry() -> &'static Registry {
    static R: OnceLock<Registry> = OnceLock::new();
    R.get_or_init(Registry::builtin)
}

const MS: u64 = 1_000_000;
const SEC: u64 = 1_000_000_000;

fn rate_case(name: &'static str, rate: &str, count: u64, per: u64, burst: u64) -> Case {
    let interval = (per * SEC).div_ceil(count);
    Case {
        name,
        params: Params::new().with("rate", rate).with("burst", burst as i64),
        bound: Bound::Bucket { burst, interval },
        capacity: burst,
        full: Some(burst),
        rest: Nanos(burst * interval),
        max_gap: Nanos(burst * interval + interval / 2),
        exact_retry: true,
        exact_reset: true,
        refunds: false,
    }
}

fn leaky(params: Params, burst: u64, interval: u64, spaced: bool) -> Case {
    Case {
        name: "leaky_bucket",
        params,
        bound: Bound::Leaky {
            burst,
            interval,
            spaced,
        },
        capacity: burst + 1,
        full: Some(burst + 1),
        rest: Nanos((burst + 1) * interval),
        max_gap: Nanos((burst + 1) * interval),
        exact_retry: true,
        exact_reset: true,
        refunds: false,
    }
}

fn in_flight(name: &'static str, params: Params, ceiling: u64, full: Option<u64>) -> Case {
    Case {
        name,
        params,
        bound: Bound::InFlight { ceiling },
        capacity: ceiling,
        full,
        rest: Nanos::ZERO,
        max_gap: Nanos(40 * MS),
        exact_retry: false,
        exact_reset: false,
        refunds: false,
    }
}

fn gateway(name: &'static str, params: Params, bound: Bound, capacity: u64, rest: u64) -> Case {
    Case {
        name,
        params,
        bound,
        capacity,
        full: Some(capacity),
        rest: Nanos(rest),
        max_gap: Nanos(rest),
        exact_retry: false,
        exact_reset: false,
        refunds: false,
    }
}

/// Every row. Add yours when you register an algorithm.
pub fn cases() -> Vec<Case> {
    vec![
        gateway(
            "nginx_limit_req",
            Params::new()
                .with("rate", "20r/s")
                .with("burst", 3i64)
                .with("delay", 1i64),
            Bound::Millis {
                burst: 4,
                interval: 50 * MS,
            },
            4,
            // the excess of 4 requests leaks in 200 ms, plus the millisecond of truncation
            201 * MS,
        ),
        gateway(
            "nginx_limit_req",
            Params::new().with("rate", "600r/m").with("nodelay", true),
            Bound::Millis {
                burst: 1,
                interval: 100 * MS,
            },
            1,
            101 * MS,
        ),
        gateway(
            "haproxy_http_req_rate",
            Params::new().with("period", "1s").with("limit", 4i64),
            // at most `limit` per period of the counter, and two periods overlap a window
            Bound::Rolling {
                limit: 8,
                window: SEC,
            },
            4,
            // two periods from the last period's start, and the ms of truncation
            2 * SEC + 2 * MS,
        ),
        Case {
            name: "fixed_window",
            params: Params::new()
                .with("limit", 3i64)
                .with("period", "1s")
                .with("align", "250ms"),
            bound: Bound::Aligned {
                limit: 3,
                period: SEC,
                align: 250 * MS,
                rolling_max: 6,
            },
            capacity: 3,
            full: Some(3),
            rest: Nanos(SEC),
            max_gap: Nanos(1_500 * MS),
            exact_retry: true,
            exact_reset: true,
            refunds: false,
        },
        Case {
            name: "sliding_log",
            params: Params::new().with("limit", 3i64).with("window", "1s"),
            bound: Bound::Rolling {
                limit: 3,
                window: SEC,
            },
            capacity: 3,
            full: Some(3),
            rest: Nanos(SEC),
            max_gap: Nanos(1_500 * MS),
            exact_retry: true,
            exact_reset: true,
            refunds: false,
        },
        Case {
            name: "sliding_counter",
            params: Params::new().with("limit", 4i64).with("window", "1s"),
            bound: Bound::Aligned {
                limit: 4,
                period: SEC,
                align: 0,
                rolling_max: 7,
            },
            capacity: 4,
            full: Some(4),
            rest: Nanos(2 * SEC),
            max_gap: Nanos(1_500 * MS),
            // exact with respect to its estimator, as its module documents
            exact_retry: true,
            exact_reset: true,
            refunds: false,
        },
        rate_case("token_bucket", "10/s", 10, 1, 3),
        rate_case("gcra", "5/s", 5, 1, 2),
        rate_case("token_bucket_atomic", "7/s", 7, 1, 2),
        rate_case("gcra_atomic", "10/s", 10, 1, 3),
        leaky(
            Params::new()
                .with("rate", "10/s")
                .with("burst", 2i64)
                .with("delay", 0i64),
            2,
            100 * MS,
            true,
        ),
        leaky(
            Params::new()
                .with("rate", "4/s")
                .with("burst", 3i64)
                .with("nodelay", true),
            3,
            250 * MS,
            false,
        ),
        in_flight(
            "concurrency",
            Params::new().with("max", 3i64).with("retry_hint", "50ms"),
            3,
            Some(3),
        ),
        in_flight(
            "aimd",
            Params::new()
                .with("initial_limit", 4i64)
                .with("min_limit", 2i64)
                .with("max_limit", 6i64)
                .with("backoff_ratio", 0.5)
                .with("timeout", "30ms"),
            6,
            None,
        ),
        in_flight(
            "gradient",
            Params::new()
                .with("sample_interval", "10ms")
                .with("min_rtt_interval", "1s")
                .with("min_rtt_request_count", 3i64)
                .with("min_concurrency", 2i64)
                .with("max_limit", 6i64)
                .with("retry_hint", "10ms"),
            6,
            None,
        ),
        Case {
            name: "quota",
            params: Params::new()
                .with("limit", 5i64)
                .with("period", "day")
                .with("epoch", 0i64)
                .with("refund_on_failure", true),
            bound: Bound::Aligned {
                limit: 5,
                period: 86_400 * SEC,
                align: 0,
                rolling_max: 10,
            },
            capacity: 5,
            full: Some(5),
            rest: Nanos(86_400 * SEC),
            max_gap: Nanos(10 * 3_600 * SEC),
            exact_retry: true,
            exact_reset: true,
            refunds: true,
        },
        Case {
            name: "quota",
            // weeks from Sunday 00:00 UTC: 1970-01-04 (Unix day 3) was the first Sunday
            params: Params::new()
                .with("limit", 4i64)
                .with("period", "week")
                .with("epoch", 0i64),
            bound: Bound::Aligned {
                limit: 4,
                period: 7 * 86_400 * SEC,
                align: 3 * 86_400 * SEC,
                rolling_max: 8,
            },
            capacity: 4,
            full: Some(4),
            rest: Nanos(7 * 86_400 * SEC),
            max_gap: Nanos(3 * 86_400 * SEC),
            exact_retry: true,
            exact_reset: true,
            refunds: false,
        },
        Case {
            name: "stepped_bucket",
            params: Params::new()
                .with("max_tokens", 3i64)
                .with("tokens_per_fill", 2i64)
                .with("fill_interval", "100ms"),
            bound: Bound::Stepped {
                max: 3,
                per_fill: 2,
                interval: 100 * MS,
            },
            capacity: 3,
            full: Some(3),
            rest: Nanos(200 * MS),
            max_gap: Nanos(300 * MS),
            exact_retry: true,
            exact_reset: true,
            refunds: false,
        },
    ]
}
