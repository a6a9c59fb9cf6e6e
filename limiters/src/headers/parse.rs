//! Client side: read the rate-limit fields of a response into a [`RateLimitInfo`], in whatever
//! dialect the server speaks, so a client can work out when it may retry.
//!
//! Field names match case-insensitively. Several dialects may appear at once (seed 004 sends
//! a per-second `X-RateLimit-*` and a monthly `X-Quota-Monthly-*`): the IETF `RateLimit`
//! fields come first, `X-RateLimit-*` fill what they leave open, and the monthly quota is kept
//! apart. Any recognised field with a malformed value is an error, never a panic and never a
//! silent default: a client that cannot read the server's advice should know it.

use super::error::clip;
use super::sf::{parse_dict, parse_list, Bare, Item, SfError};
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

fn trim_ows(v: &str) -> &str {
    v.trim_matches([' ', '\t'])
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

fn overflow(name: &str, value: &str) -> HeaderError {
    HeaderError::Overflow {
        name: name.into(),
        value: clip(value),
    }
}

/// `n` units of `unit_ns` as a wait, or an overflow error.
fn wait(name: &str, value: &str, n: u64, unit_ns: u64) -> Result<Nanos, HeaderError> {
    n.checked_mul(unit_ns)
        .map(Nanos)
        .ok_or_else(|| overflow(name, value))
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

fn bad_field(name: &str, value: &str, reason: impl Into<String>) -> HeaderError {
    HeaderError::BadField {
        name: name.into(),
        value: clip(value),
        reason: reason.into(),
    }
}

fn sf_error(name: &str, value: &str, e: SfError) -> HeaderError {
    match e {
        SfError::IntegerTooLong => overflow(name, value),
        SfError::Syntax(why) => bad_field(name, value, why),
    }
}

/// A non-negative Integer parameter/value.
fn sf_uint(name: &str, value: &str, what: &str, b: &Bare) -> Result<u64, HeaderError> {
    match b {
        Bare::Int(v) if *v >= 0 => Ok(v.unsigned_abs()),
        Bare::Int(_) => Err(HeaderError::Negative {
            name: name.into(),
            value: clip(value),
        }),
        _ => Err(bad_field(
            name,
            value,
            format!("`{what}` must be an integer"),
        )),
    }
}

/// `RateLimit`: the current state. Draft-08+ list form (`"p";r=..;t=..`), or draft-07
/// dictionary form (`limit=.., remaining=.., reset=..`) when the value does not start with a
/// quoted policy name. With several policies, the binding one is the one with the least
/// remaining (then the longest reset): it is what the next request runs into.
fn ietf_current(value: &str, info: &mut RateLimitInfo) -> Result<(), HeaderError> {
    const NAME: &str = "ratelimit";
    if trim_ows(value).is_empty() {
        return Err(HeaderError::Empty { name: NAME.into() });
    }
    if !trim_ows(value).starts_with('"') {
        let dict = parse_dict(value).map_err(|e| sf_error(NAME, value, e))?;
        for (k, item) in &dict {
            let n = || sf_uint(NAME, value, k, &item.bare);
            match k.as_str() {
                "limit" => info.limit = Some(n()?),
                "remaining" => info.remaining = Some(n()?),
                "reset" => info.reset_after = Some(wait(NAME, value, n()?, Nanos::PER_SEC)?),
                _ => {}
            }
        }
        if info.remaining.is_none() {
            return Err(bad_field(NAME, value, "missing `remaining`"));
        }
        return Ok(());
    }
    let items = parse_list(value).map_err(|e| sf_error(NAME, value, e))?;
    let mut best: Option<(String, u64, Option<Nanos>)> = None;
    for item in &items {
        let Bare::Str(policy) = &item.bare else {
            return Err(bad_field(
                NAME,
                value,
                "each member is a quoted policy name",
            ));
        };
        let r = item
            .param("r")
            .ok_or_else(|| bad_field(NAME, value, "missing required parameter `r`"))?;
        let r = sf_uint(NAME, value, "r", r)?;
        let t = match item.param("t") {
            Some(t) => Some(wait(
                NAME,
                value,
                sf_uint(NAME, value, "t", t)?,
                Nanos::PER_SEC,
            )?),
            None => None,
        };
        let better = match &best {
            None => true,
            Some((_, br, bt)) => r < *br || (r == *br && t > *bt),
        };
        if better {
            best = Some((policy.clone(), r, t));
        }
    }
    if let Some((policy, r, t)) = best {
        info.policy = Some(policy);
        info.remaining = Some(r);
        info.reset_after = t;
    }
    Ok(())
}

/// `RateLimit-Policy`: the quota (`q`) and window (`w`) of the policy `RateLimit` named (or of
/// the first one), in either the draft-08+ form or draft-07's `100;w=60`.
fn ietf_policy(value: &str, info: &mut RateLimitInfo) -> Result<(), HeaderError> {
    const NAME: &str = "ratelimit-policy";
    if trim_ows(value).is_empty() {
        return Err(HeaderError::Empty { name: NAME.into() });
    }
    let items = parse_list(value).map_err(|e| sf_error(NAME, value, e))?;
    let mut chosen: Option<(u64, &Item)> = None;
    for item in &items {
        let (quota, named) = match &item.bare {
            Bare::Str(name) => {
                let q = item
                    .param("q")
                    .ok_or_else(|| bad_field(NAME, value, "missing required parameter `q`"))?;
                (sf_uint(NAME, value, "q", q)?, Some(name))
            }
            Bare::Int(_) => (sf_uint(NAME, value, "quota", &item.bare)?, None),
            _ => {
                return Err(bad_field(
                    NAME,
                    value,
                    "a policy is a quoted name or an integer",
                ))
            }
        };
        let wanted = match (named, &info.policy) {
            (Some(n), Some(p)) => n == p,
            (None, _) => info.limit.map_or(true, |l| l == quota),
            (Some(_), None) => true,
        };
        if wanted && chosen.is_none() {
            chosen = Some((quota, item));
        }
    }
    if let Some((quota, item)) = chosen {
        info.limit.get_or_insert(quota);
        if let Some(w) = item.param("w") {
            info.window = Some(wait(
                NAME,
                value,
                sf_uint(NAME, value, "w", w)?,
                Nanos::PER_SEC,
            )?);
        }
    }
    Ok(())
}
