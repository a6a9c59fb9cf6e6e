//! What a limiter answers: a [`Decision`] for a request, and the [`Outcome`] of an admitted
//! request reported back through `release`.
//!
//! A denial is a value with enough in it to render every header dialect (limit, remaining,
//! reset) and to tell a client truthfully when to come back (`retry_after`).

use crate::Nanos;

/// The answer to one `check` (or `peek`).
///
/// ```
/// use limiters::{Decision, Nanos};
/// let d = Decision::deny(60, 0, Nanos::from_secs(30), Nanos::from_secs(30));
/// assert!(!d.allowed);
/// assert_eq!(d.retry_after, Some(Nanos::from_secs(30)));
/// assert!(Decision::never(60).is_never());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Decision {
    /// Whether the request is admitted (and charged).
    pub allowed: bool,
    /// For admitted requests: how long the request must wait before it is served (NGINX
    /// `limit_req` with `delay`). Zero for every algorithm that admits or rejects at once.
    pub delay: Nanos,
    /// The limit that applies to this request (requests or cost units per window, burst size,
    /// concurrency cap, or an adaptive limit's current value).
    pub limit: u64,
    /// What remains after this decision (never more than really remains: `remaining` may
    /// understate, never overstate).
    pub remaining: u64,
    /// Time from now until the limiter is back to full capacity (window end, bucket full).
    pub reset_after: Nanos,
    /// For a denial: the earliest time from now at which the same request would pass if nothing
    /// else arrives. `None` when admitted, and `None` on a denial that can never pass ("never":
    /// the cost exceeds the limit's capacity; see [`Decision::is_never`]).
    pub retry_after: Option<Nanos>,
}

impl Decision {
    /// An admission.
    pub fn allow(limit: u64, remaining: u64, reset_after: Nanos) -> Decision {
        Decision {
            allowed: true,
            delay: Nanos::ZERO,
            limit,
            remaining,
            reset_after,
            retry_after: None,
        }
    }
    /// An admission that must wait `delay` before being served.
    pub fn allow_after(delay: Nanos, limit: u64, remaining: u64, reset_after: Nanos) -> Decision {
        Decision {
            delay,
            ..Decision::allow(limit, remaining, reset_after)
        }
    }
    /// A denial that would pass after `retry_after`.
    pub fn deny(limit: u64, remaining: u64, reset_after: Nanos, retry_after: Nanos) -> Decision {
        Decision {
            allowed: false,
            delay: Nanos::ZERO,
            limit,
            remaining,
            reset_after,
            retry_after: Some(retry_after),
        }
    }
    /// A denial that can never pass: the request's cost exceeds the limiter's capacity.
    pub fn never(limit: u64) -> Decision {
        Decision {
            allowed: false,
            delay: Nanos::ZERO,
            limit,
            remaining: 0,
            reset_after: Nanos::ZERO,
            retry_after: None,
        }
    }
    /// True for a denial that no amount of waiting fixes.
    pub fn is_never(&self) -> bool {
        !self.allowed && self.retry_after.is_none()
    }
}

/// How an admitted request ended, reported to [`crate::Limiter::release`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OutcomeKind {
    /// Served successfully.
    Success,
    /// Served with an error (5xx): a credit quota refunds it, an adaptive limiter counts a drop.
    Failure,
    /// The client or the server gave up waiting.
    Timeout,
    /// Dropped before being served (e.g. load shed); adaptive limiters treat it as a drop.
    Dropped,
}

/// The outcome of an admitted request: how it ended and how long it took.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Outcome {
    /// How it ended.
    pub kind: OutcomeKind,
    /// Time from admission to completion.
    pub latency: Nanos,
}

impl Outcome {
    /// A success with the given latency.
    pub fn success(latency: Nanos) -> Outcome {
        Outcome {
            kind: OutcomeKind::Success,
            latency,
        }
    }
    /// A failure with the given latency.
    pub fn failure(latency: Nanos) -> Outcome {
        Outcome {
            kind: OutcomeKind::Failure,
            latency,
        }
    }
}
