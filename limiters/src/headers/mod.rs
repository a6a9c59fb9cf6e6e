//! Rate-limit header dialects: render a [`Decision`](crate::Decision) as response header
//! fields (server side) and read them back into a [`RateLimitInfo`] (client side).
//!
//! Dialects (see [`Dialect`]):
//! - `X-RateLimit-Limit/Remaining/Reset`, the de-facto fields, with `Reset` as a delay in
//!   seconds (seed 004), Unix epoch seconds (seeds 002, 003) or Unix epoch milliseconds;
//! - the IETF structured fields `RateLimit-Policy: "default";q=100;w=60` and
//!   `RateLimit: "default";r=50;t=30`, following draft-ietf-httpapi-ratelimit-headers-10
//!   (the syntax introduced in -08 and kept since), and the older draft-07 form
//!   `RateLimit: limit=100, remaining=50, reset=30` on parse and render;
//! - seed 004's `X-Quota-Monthly-Limit/Remaining/Reset` (Reset = epoch seconds at rollover);
//! - `Retry-After` (RFC 9110 §10.2.3) on denials, as delay-seconds or an HTTP-date.
//!
//! The dialect is a limiter level's, not the server's: [`render_levels`] puts several levels on
//! one response, each in its own dialect (seed 004's per-second bucket and monthly quota).
//!
//! Rendering rounds every wait up so that a client doing exactly what it is told is not
//! rejected again; a client reading back gets a wait no shorter than the server's truth and
//! less than one unit (second, or millisecond) longer. The ambiguity of a bare `Reset` number
//! is a [`ResetInterpretation`] the client chooses, so the simulator can show what the wrong
//! guess costs.

mod dialect;
mod error;
mod ietf;
mod levels;
mod parse;
mod render;
mod sf;

pub use dialect::{Dialect, ResetInterpretation, RetryAfterFormat};
pub use error::HeaderError;
pub use levels::{binding, level_styles, render_levels};
pub use parse::{parse, ParseOptions};
pub use render::{render, HeaderStyle};

use crate::Nanos;

/// What a client learned from one response's rate-limit fields. `None` = not sent.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RateLimitInfo {
    /// The limit (quota per window) that applies.
    pub limit: Option<u64>,
    /// What remains in the current window.
    pub remaining: Option<u64>,
    /// Time from the response until the window resets.
    pub reset_after: Option<Nanos>,
    /// `Retry-After`, as a wait from the response.
    pub retry_after: Option<Nanos>,
    /// The policy window (`w` of `RateLimit-Policy`).
    pub window: Option<Nanos>,
    /// The IETF policy name that binds (the least remaining).
    pub policy: Option<String>,
    /// Seed 004's monthly quota fields.
    pub monthly: Option<QuotaInfo>,
}

/// A calendar quota's fields (`X-Quota-Monthly-*`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct QuotaInfo {
    /// Units per month.
    pub limit: Option<u64>,
    /// Units left this month.
    pub remaining: Option<u64>,
    /// Time until the monthly rollover.
    pub reset_after: Option<Nanos>,
}

impl RateLimitInfo {
    /// When the client may send again: the longest of `Retry-After`, the reset of a window
    /// with nothing remaining, and the rollover of a spent monthly quota. `None` when nothing
    /// says to wait.
    ///
    /// ```
    /// use limiters::headers::{RateLimitInfo, QuotaInfo};
    /// use limiters::Nanos;
    /// let info = RateLimitInfo {
    ///     remaining: Some(0),
    ///     reset_after: Some(Nanos::from_secs(1)),
    ///     retry_after: Some(Nanos::from_secs(1)),
    ///     monthly: Some(QuotaInfo { remaining: Some(0), reset_after: Some(Nanos::from_secs(90)), ..QuotaInfo::default() }),
    ///     ..RateLimitInfo::default()
    /// };
    /// assert_eq!(info.wait_hint(), Some(Nanos::from_secs(90)));
    /// assert_eq!(RateLimitInfo::default().wait_hint(), None);
    /// ```
    pub fn wait_hint(&self) -> Option<Nanos> {
        let window = match self.remaining {
            Some(0) => self.reset_after,
            _ => None,
        };
        let month = self.monthly.and_then(|m| match m.remaining {
            Some(0) => m.reset_after,
            _ => None,
        });
        [self.retry_after, window, month]
            .into_iter()
            .flatten()
            .max()
    }
}
