//! How the resilience strategies classify an attempt's outcome, and the adapter from the
//! simple `ClientGate::admit`/`observe` calls (no RNG, no attempt number) to the richer
//! `admit_call`/`observe_call` every gate here implements.

use crate::retry::{AttemptResult, StatusSet};

/// True for a response whose status is in `set`, or a timeout when `timeouts` is set.
pub fn matches(result: &AttemptResult, set: &StatusSet, timeouts: bool) -> bool {
    match result.status {
        Some(s) => set.contains(s),
        None => timeouts,
    }
}

/// 429 only: the status every throttling detector recognises.
pub fn throttle_statuses() -> StatusSet {
    StatusSet::of(&[429])
}

/// 429 and 503: the responses that mean "the server rejected this for load".
pub fn rejection_statuses() -> StatusSet {
    StatusSet::of(&[429, 503])
}

/// The two simple `ClientGate` methods, delegating to `admit_call`/`observe_call`: a retry
/// is attempt 2, the request unknown, randomness from [`crate::retry::legacy_rng`]; an
/// outcome's attempt is unknown (0) and it was sent `result.elapsed` ago.
macro_rules! legacy_gate_methods {
    () => {
        fn admit(
            &mut self,
            now: limiters::Nanos,
            client: u32,
            retry: bool,
        ) -> crate::retry::GateDecision {
            let mut rng = crate::retry::legacy_rng(now, client);
            let call = crate::retry::GateCall::admit(
                now,
                client,
                crate::retry::GateCall::UNKNOWN,
                if retry { 2 } else { 1 },
            );
            crate::retry::ClientGate::admit_call(self, &call, &mut rng)
        }
        fn observe(
            &mut self,
            now: limiters::Nanos,
            client: u32,
            result: &crate::retry::AttemptResult,
        ) {
            let call = crate::retry::GateCall::outcome(
                now,
                client,
                crate::retry::GateCall::UNKNOWN,
                0,
                now - result.elapsed,
            );
            crate::retry::ClientGate::observe_call(self, &call, result)
        }
    };
}
pub(crate) use legacy_gate_methods;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeouts_match_only_when_asked() {
        let s = rejection_statuses();
        assert!(matches(&AttemptResult::status(503), &s, false));
        assert!(!matches(&AttemptResult::status(500), &s, false));
        assert!(!matches(&AttemptResult::timeout(), &s, false));
        assert!(matches(&AttemptResult::timeout(), &s, true));
        assert!(throttle_statuses().contains(429) && !throttle_statuses().contains(503));
    }
}
