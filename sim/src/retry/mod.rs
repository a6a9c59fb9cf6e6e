//! Client retry policies: what to do after a failed attempt.
//!
//! A policy is immutable configuration ([`RetryPolicy`]) plus a small per-logical-request state
//! ([`RetryState`]); [`RetryPolicy::decide`] reads an [`AttemptResult`] (status or timeout,
//! parsed `Retry-After` / reset, elapsed time) and an RNG passed in, and answers
//! [`RetryDecision::Retry`] with a delay or [`RetryDecision::GiveUp`] with a reason. Fleet-wide
//! state (budgets, breakers, adaptive rate) is not a policy's business: see [`ClientGate`].

mod backoff;
mod catalog;
pub mod fit;
mod gate;
mod jitter_variants;
mod layers;
mod outcome;
mod policy;
mod retry_after;
mod statuses;

pub use backoff::{plus_percent, random_between, Backoff, Jitter};
pub use catalog::{catalog, common_params, PolicyDoc, PolicyParam};
pub use gate::{legacy_rng, ClientGate, GateCall, GateDecision, OpenGate};
pub use jitter_variants::{PollyV2, RandomizeThenCap, POLLY_P_FACTOR, POLLY_RP_SCALING};
pub use layers::{expected_bottom_calls, simulate_layers, top_failure_probability};
pub use outcome::{AttemptResult, GiveUpReason, RetryDecision, RetryState};
pub use policy::{RetryPolicy, Strategy};
pub use retry_after::HonourRetryAfter;
pub use statuses::StatusSet;
