//! The seam for fleet-wide client state: retry budgets, circuit breakers, adaptive client-side
//! rate limiting (a later issue).
//!
//! A [`RetryPolicy`](super::RetryPolicy) is per logical request and immutable; anything that
//! needs to see *every* outcome of a fleet (or of a client) lives behind a [`ClientGate`]. The
//! simulator holds at most one gate per fleet, consults it before each attempt (first attempts
//! and retries alike) and tells it every outcome. A refused first attempt or retry ends the
//! logical request with [`GiveUpReason::Gate`](super::GiveUpReason::Gate). Live mode holds the
//! same trait object per client process.

use super::AttemptResult;
use limiters::Nanos;

/// What a gate says about the next attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GateDecision {
    /// Send it.
    Allow,
    /// Do not send it: the logical request gives up.
    Deny,
}

/// Fleet-wide client state consulted before each attempt and told every outcome.
pub trait ClientGate: std::fmt::Debug {
    /// Before sending an attempt of `client` (`retry` is false for a first attempt).
    fn admit(&mut self, now: Nanos, client: u32, retry: bool) -> GateDecision;
    /// After every attempt's outcome (response or timeout).
    fn observe(&mut self, now: Nanos, client: u32, result: &AttemptResult);
}

/// A gate that allows everything and learns nothing: the behaviour without a gate.
#[derive(Clone, Copy, Debug, Default)]
pub struct OpenGate;

impl ClientGate for OpenGate {
    fn admit(&mut self, _now: Nanos, _client: u32, _retry: bool) -> GateDecision {
        GateDecision::Allow
    }
    fn observe(&mut self, _now: Nanos, _client: u32, _result: &AttemptResult) {}
}
