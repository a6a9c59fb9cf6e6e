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
use rand::{RngCore, SeedableRng};

/// What a gate says about the next attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GateDecision {
    /// Send it.
    Allow,
    /// Do not send it: the logical request gives up.
    Deny,
    /// Not yet: ask again after this wait. Nothing was charged. This is a blocked `acquire` of
    /// a client-side rate limiter (the AWS SDK's adaptive mode sleeps until its token bucket
    /// has a token, then checks again).
    Delay(Nanos),
}

/// Where an attempt stands, as a gate sees it: the richer form of the `admit`/`observe`
/// arguments, used by [`ClientGate::admit_call`] and [`ClientGate::observe_call`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GateCall {
    /// The current time.
    pub now: Nanos,
    /// The client (global id).
    pub client: u32,
    /// The logical request: unique among the requests in flight (the simulator's slot id, which
    /// a later request may reuse once this one is done). [`GateCall::UNKNOWN`] when unknown.
    pub request: u32,
    /// The attempt's number within its logical request, 1-based (1 = first attempt, 2 = first
    /// retry or hedge). Zero when unknown.
    pub attempt: u32,
    /// When the attempt was sent (for `observe_call`; equal to `now` in `admit_call`).
    pub sent_at: Nanos,
}

impl GateCall {
    /// The `request` of a call whose logical request is not known.
    pub const UNKNOWN: u32 = u32::MAX;

    /// Attempt number `attempt` of `request` of `client`, about to be sent at `now`.
    pub fn admit(now: Nanos, client: u32, request: u32, attempt: u32) -> GateCall {
        GateCall {
            now,
            client,
            request,
            attempt,
            sent_at: now,
        }
    }
    /// The outcome at `now` of an attempt sent at `sent_at`.
    pub fn outcome(
        now: Nanos,
        client: u32,
        request: u32,
        attempt: u32,
        sent_at: Nanos,
    ) -> GateCall {
        GateCall {
            now,
            client,
            request,
            attempt,
            sent_at,
        }
    }
    /// True when the attempt is a retry (or a hedge): number 2 or later.
    pub fn is_retry(&self) -> bool {
        self.attempt > 1
    }
    /// The attempt's duration so far (`now - sent_at`).
    pub fn latency(&self) -> Nanos {
        self.now - self.sent_at
    }
}

/// A deterministic RNG for the legacy `admit` path, which has no RNG passed in: seeded by
/// `(now, client)`, so a run stays reproducible. Gates reached through
/// [`ClientGate::admit_call`] use the caller's stream instead.
pub fn legacy_rng(now: Nanos, client: u32) -> rand_chacha::ChaCha8Rng {
    let seed = now.as_nanos() ^ u64::from(client).rotate_left(40) ^ 0x9E37_79B9_7F4A_7C15;
    rand_chacha::ChaCha8Rng::seed_from_u64(seed)
}

/// Fleet-wide client state consulted before each attempt and told every outcome. `Send`, so
/// live mode can share a fleet's gate between its client tasks (behind a mutex).
pub trait ClientGate: std::fmt::Debug + Send {
    /// Before sending an attempt of `client` (`retry` is false for a first attempt).
    fn admit(&mut self, now: Nanos, client: u32, retry: bool) -> GateDecision;
    /// After every attempt's outcome (response or timeout).
    fn observe(&mut self, now: Nanos, client: u32, result: &AttemptResult);
    /// Before sending an attempt, with its number and an RNG for probabilistic gates (SRE
    /// adaptive throttling). The simulator should prefer this form; the default delegates to
    /// [`ClientGate::admit`].
    fn admit_call(&mut self, call: &GateCall, rng: &mut dyn RngCore) -> GateDecision {
        let _ = rng;
        self.admit(call.now, call.client, call.is_retry())
    }
    /// After an attempt's outcome, with its number and send time (retry quotas refund
    /// differently after a retry; breakers time slow calls). Default: [`ClientGate::observe`].
    fn observe_call(&mut self, call: &GateCall, result: &AttemptResult) {
        self.observe(call.now, call.client, result)
    }
}

/// A gate that allows everything and learns nothing: the behaviour without a gate.
#[derive(Clone, Copy, Debug, Default)]
pub struct OpenGate;

impl ClientGate for OpenGate {
    fn admit(&mut self, _now: Nanos, _client: u32, _retry: bool) -> GateDecision {
        GateDecision::Allow
    }
    fn observe(&mut self, _now: Nanos, _client: u32, _result: &AttemptResult) {}
    fn admit_call(&mut self, _call: &GateCall, _rng: &mut dyn RngCore) -> GateDecision {
        GateDecision::Allow
    }
    fn observe_call(&mut self, _call: &GateCall, _result: &AttemptResult) {}
}
