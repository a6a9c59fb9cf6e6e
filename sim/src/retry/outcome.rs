//! What a retry policy sees after an attempt, what it keeps between attempts of one logical
//! request, and what it answers.

use limiters::Nanos;
use serde::Serialize;

/// How one attempt ended, as the client saw it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AttemptResult {
    /// The response status, or `None` when the client's attempt timeout fired first.
    pub status: Option<u16>,
    /// The server's `Retry-After`, as the client parsed it (whole seconds on the wire).
    pub retry_after: Option<Nanos>,
    /// Time until the limit resets (`X-RateLimit-Reset` as a delta), as the client parsed it.
    pub reset_after: Option<Nanos>,
    /// Time since the logical request's first send.
    pub elapsed: Nanos,
}

impl AttemptResult {
    /// A response with `status` and no rate-limit information.
    pub fn status(status: u16) -> AttemptResult {
        AttemptResult {
            status: Some(status),
            retry_after: None,
            reset_after: None,
            elapsed: Nanos::ZERO,
        }
    }
    /// The client's attempt timeout fired.
    pub fn timeout() -> AttemptResult {
        AttemptResult {
            status: None,
            ..AttemptResult::status(0)
        }
    }
    /// Builder: with a parsed `Retry-After`.
    pub fn with_retry_after(mut self, after: Nanos) -> AttemptResult {
        self.retry_after = Some(after);
        self
    }
    /// True for a 2xx response.
    pub fn is_success(&self) -> bool {
        matches!(self.status, Some(s) if (200..300).contains(&s))
    }
}

/// Per-logical-request state of a policy. Small and `Copy`: one per request in flight.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RetryState {
    /// Attempts sent so far (1 after the first send).
    pub attempts: u32,
    /// The previous retry delay (decorrelated jitter grows from it); zero before the first.
    pub prev_delay: Nanos,
}

impl RetryState {
    /// State of a request that has sent its first attempt.
    pub fn first() -> RetryState {
        RetryState {
            attempts: 1,
            prev_delay: Nanos::ZERO,
        }
    }
}

/// Why a logical request was abandoned.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GiveUpReason {
    /// The status is not one the policy retries (e.g. 400, 402), or a timeout the policy does
    /// not retry.
    NotRetryable,
    /// The policy's attempt limit was reached (policy `none` allows one attempt).
    MaxAttempts,
    /// The next attempt would start after the logical request's deadline, or the deadline
    /// passed while waiting.
    Deadline,
    /// The fleet-wide gate (retry budget, circuit breaker) refused the attempt.
    Gate,
}

impl GiveUpReason {
    /// Stable snake_case name, as in outputs.
    pub fn as_str(self) -> &'static str {
        match self {
            GiveUpReason::NotRetryable => "not_retryable",
            GiveUpReason::MaxAttempts => "max_attempts",
            GiveUpReason::Deadline => "deadline",
            GiveUpReason::Gate => "gate",
        }
    }
}

/// A policy's answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RetryDecision {
    /// Send the next attempt after this delay.
    Retry(Nanos),
    /// Stop.
    GiveUp(GiveUpReason),
}
