//! Adaptive concurrency limits: the cap on requests in flight is not configured but learned from
//! how admitted requests complete (their latency and whether they were dropped).
//!
//! Both algorithms here learn through [`crate::Limiter::release`]: the caller must report every
//! admitted request's completion with its [`crate::Outcome`], or the in-flight count never falls.
//!
//! - [`Aimd`]: loss-based additive-increase / multiplicative-decrease, as Netflix
//!   concurrency-limits `AIMDLimit`.
//! - [`Gradient`]: latency-based, as Envoy's adaptive concurrency filter (gradient controller).
//!
//! Like [`crate::ConcurrencyLimit`], a denial has no time-based truth behind it (a slot frees
//! when a request completes), so `retry_after` is a configured hint (`retry_hint`, default `1s`).

mod aimd;
mod gradient;

pub use aimd::Aimd;
pub use gradient::{Gradient, GradientConfig};

use crate::{Decision, Nanos};

/// The decision of a concurrency-style limiter with `limit` slots, `in_flight` used, for a
/// request of `cost`; `ceiling` is the largest the limit can ever become (above it: never).
pub(crate) fn concurrency_decision(
    limit: u64,
    ceiling: u64,
    in_flight: u64,
    cost: u32,
    retry_hint: Nanos,
) -> Decision {
    let cost = u64::from(cost);
    if cost > ceiling {
        return Decision::never(limit);
    }
    let free = limit.saturating_sub(in_flight);
    if cost <= free {
        let reset = if in_flight + cost == 0 {
            Nanos::ZERO
        } else {
            retry_hint
        };
        Decision::allow(limit, free - cost, reset)
    } else {
        Decision::deny(limit, free, retry_hint, retry_hint)
    }
}

/// A ratio in `[0, 1]`-ish as parts per million, so the limit arithmetic stays in integers and
/// gives the same answer on every platform.
pub(crate) fn to_ppm(ratio: f64) -> u64 {
    (ratio * 1_000_000.0).round() as u64
}

pub use aimd::entry as aimd_entry;
pub use gradient::entry as gradient_entry;
