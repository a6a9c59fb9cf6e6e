//! Client side: read the rate-limit fields of a response into a [`RateLimitInfo`], in whatever
//! dialect the server speaks, so a client can work out when it may retry.
//!
//! Field names match case-insensitively. Several dialects may appear at once (seed 004 sends
//! a per-second `X-RateLimit-*` and a monthly `X-Quota-Monthly-*`): the IETF `RateLimit`
//! fields come first, `X-RateLimit-*` fill what they leave open, and the monthly quota is kept
//! apart. Any recognised field with a malformed value is an error, never a panic and never a
//! silent default: a client that cannot read the server's advice should know it.

use super::error::{clip, overflow, trim_ows, wait};
use super::ietf::{ietf_current, ietf_policy};
use super::{HeaderError, QuotaInfo, RateLimitInfo, ResetInterpretation};
use crate::calendar::{parse_http_date, UnixTime};
use crate::Nanos;

/// How a client reads ambiguous fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ParseOptions {
    /// How to read `X-RateLimit-Reset` (default [`ResetInterpretation::Auto`]).
    pub reset: ResetInterpretation,
    /// How to read `X-Quota-Monthly-Reset` (default `Auto`; seed 004 sends epoch seconds).
    pub quota_reset: ResetInterpretation,
}

impl Default for ParseOptions {
    fn default() -> ParseOptions {
        ParseOptions {
            reset: ResetInterpretation::Auto,
            quota_reset: ResetInterpretation::Auto,
        }
    }
}

/// Read the rate-limit fields of a response, at the client's calendar time `unix_now`.
///
/// ```
/// use limiters::calendar::UnixTime;
/// use limiters::headers::{parse, ParseOptions, ResetInterpretation};
/// use limiters::Nanos;
/// let h = [("x-ratelimit-limit", "60"), ("X-RateLimit-Remaining", "0"),
///          ("X-RateLimit-Reset", "1716461235"), ("Retry-After", "12")];
/// let now = UnixTime::from_secs(1_716_461_223);
/// let info = parse(&h, now, &ParseOptions::default()).unwrap();
/// assert_eq!(info.limit, Some(60));
/// assert_eq!(info.reset_after, Some(Nanos::from_secs(12)));
/// assert_eq!(info.retry_after, Some(Nanos::from_secs(12)));
/// // The classic bug: the epoch read as a delay says "wait 54 years".
/// let wrong = ParseOptions { reset: ResetInterpretation::Delta, ..ParseOptions::default() };
/// let info = parse(&h, now, &wrong).unwrap();
/// assert_eq!(info.reset_after, Some(Nanos::from_secs(1_716_461_235)));
/// assert!(parse(&[("Retry-After", "-5")], now, &ParseOptions::default()).is_err());
/// ```
pub fn parse(
    headers: &[(&str, &str)],
    unix_now: UnixTime,
    opts: &ParseOptions,
) -> Result<RateLimitInfo, HeaderError> {
    let mut info = RateLimitInfo::default();
    let fields = Fields(headers);
    if let Some(v) = fields.list("ratelimit") {
        ietf_current(&v, &mut info)?;
    }
    if let Some(v) = fields.list("ratelimit-policy") {
        ietf_policy(&v, &mut info)?;
    }
    if let Some(v) = fields.single("x-ratelimit-limit")? {
        let n = uint("x-ratelimit-limit", v)?;
        info.limit.get_or_insert(n);
    }
    if let Some(v) = fields.single("x-ratelimit-remaining")? {
        let n = uint("x-ratelimit-remaining", v)?;
        info.remaining.get_or_insert(n);
    }
    if let Some(v) = fields.single("x-ratelimit-reset")? {
        let r = reset("x-ratelimit-reset", v, opts.reset, unix_now)?;
        info.reset_after.get_or_insert(r);
    }
    let mut monthly = QuotaInfo::default();
    if let Some(v) = fields.single("x-quota-monthly-limit")? {
        monthly.limit = Some(uint("x-quota-monthly-limit", v)?);
    }
    if let Some(v) = fields.single("x-quota-monthly-remaining")? {
        monthly.remaining = Some(uint("x-quota-monthly-remaining", v)?);
    }
    if let Some(v) = fields.single("x-quota-monthly-reset")? {
        monthly.reset_after = Some(reset(
            "x-quota-monthly-reset",
            v,
            opts.quota_reset,
            unix_now,
        )?);
    }
    if monthly != QuotaInfo::default() {
        info.monthly = Some(monthly);
    }
    if let Some(v) = fields.single("retry-after")? {
        info.retry_after = Some(retry_after(v, unix_now)?);
    }
    Ok(info)
}

/// The response's fields, looked up case-insensitively.
struct Fields<'a>(&'a [(&'a str, &'a str)]);

impl<'a> Fields<'a> {
    fn all(&self, name: &'a str) -> impl Iterator<Item = &'a str> + '_ {
        self.0
            .iter()
            .filter(move |(n, _)| n.trim().eq_ignore_ascii_case(name))
            .map(|(_, v)| *v)
    }
    /// A single-valued field: repeated lines must agree.
    fn single(&self, name: &'a str) -> Result<Option<&'a str>, HeaderError> {
        let mut it = self.all(name);
        let Some(first) = it.next() else {
            return Ok(None);
        };
        if it.any(|v| v.trim() != first.trim()) {
            return Err(HeaderError::Conflicting { name: name.into() });
        }
        Ok(Some(first))
    }
    /// A list-valued field: repeated lines are one comma-separated list (RFC 9110 §5.3).
    fn list(&self, name: &'a str) -> Option<String> {
        let parts: Vec<&str> = self.all(name).collect();
        (!parts.is_empty()).then(|| parts.join(", "))
    }
}

/// A non-negative whole number: `1*DIGIT`, optional whitespace around it.
fn uint(name: &str, value: &str) -> Result<u64, HeaderError> {
    let v = trim_ows(value);
    let err_value = clip(value);
    if v.is_empty() {
        return Err(HeaderError::Empty { name: name.into() });
    }
    if let Some(rest) = v.strip_prefix('-') {
        if !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_digit()) {
            return Err(HeaderError::Negative {
                name: name.into(),
                value: err_value,
            });
        }
    }
    if !v.bytes().all(|b| b.is_ascii_digit()) {
        return Err(HeaderError::NotANumber {
            name: name.into(),
            value: err_value,
        });
    }
    v.parse().map_err(|_| HeaderError::Overflow {
        name: name.into(),
        value: err_value,
    })
}

/// From `now` until the Unix instant `at_ns` (zero if already past).
fn until(name: &str, value: &str, at_ns: u128, now: UnixTime) -> Result<Nanos, HeaderError> {
    let d = at_ns.saturating_sub(u128::from(now.as_nanos()));
    u64::try_from(d)
        .map(Nanos)
        .map_err(|_| overflow(name, value))
}

fn reset(
    name: &str,
    value: &str,
    how: ResetInterpretation,
    now: UnixTime,
) -> Result<Nanos, HeaderError> {
    let n = uint(name, value)?;
    match how.resolve(n) {
        ResetInterpretation::Epoch => until(name, value, u128::from(n) * 1_000_000_000, now),
        ResetInterpretation::EpochMillis => until(name, value, u128::from(n) * 1_000_000, now),
        _ => wait(name, value, n, Nanos::PER_SEC),
    }
}

/// `Retry-After: delay-seconds | HTTP-date` (RFC 9110 §10.2.3).
fn retry_after(value: &str, now: UnixTime) -> Result<Nanos, HeaderError> {
    const NAME: &str = "retry-after";
    let v = trim_ows(value);
    let numeric = v.starts_with('-') || v.bytes().next().is_some_and(|b| b.is_ascii_digit());
    if v.is_empty() || numeric {
        let n = uint(NAME, value)?;
        return wait(NAME, value, n, Nanos::PER_SEC);
    }
    let at = parse_http_date(v, now.as_secs()).map_err(|reason| HeaderError::BadDate {
        name: NAME.into(),
        value: clip(value),
        reason,
    })?;
    until(NAME, value, u128::from(at) * 1_000_000_000, now)
}
