//! How a client reads the server's rate-limit information. On the wire it would be headers;
//! inside the simulator the typed [`Decision`] travels with the response and is interpreted
//! here, with the precision the headers would have: `Retry-After` (RFC 9110 §10.2.3) carries
//! whole seconds, so a 2 ms wait reads as "1"; the reset time reads as whole seconds too.
//!
//! This is the hook for the header-dialect interpretation of a later issue (delta vs epoch
//! reset, IETF `RateLimit`, clock skew on HTTP-dates): it receives the server's dialect and
//! `Retry-After` format and can become as faithful as the header renderers in `limiters`.

use crate::model::RetryAfterFormat;
use limiters::{Decision, Nanos};

/// What the client learns from a response's rate-limit headers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Hints {
    /// `Retry-After`, as parsed.
    pub retry_after: Option<Nanos>,
    /// Time until the limit resets, as parsed.
    pub reset_after: Option<Nanos>,
}

/// Interpret a response. `Retry-After` is sent on denials that can pass later; the reset
/// whenever a limiter decided.
///
/// ```
/// use sim::client::{interpret, Hints};
/// use sim::model::RetryAfterFormat;
/// use limiters::{Decision, Nanos};
/// let d = Decision::deny(500, 0, Nanos::from_millis(2), Nanos::from_millis(2));
/// let h = interpret(Some(&d), "x-ratelimit-delta", RetryAfterFormat::Seconds);
/// assert_eq!(h.retry_after, Some(Nanos::from_secs(1)));
/// ```
// Always inlined: returned through memory, the hints are written with 8-byte stores and read
// back 16 bytes at a time, a store-forwarding stall on every response.
#[inline(always)]
pub fn interpret(decision: Option<&Decision>, _dialect: &str, _format: RetryAfterFormat) -> Hints {
    let Some(d) = decision else {
        return Hints::default();
    };
    let whole_secs = |n: Nanos| Nanos::from_secs(n.as_secs_ceil());
    Hints {
        retry_after: if d.allowed {
            None
        } else {
            d.retry_after.map(whole_secs)
        },
        reset_after: Some(whole_secs(d.reset_after)),
    }
}
