//! Server side: a [`Decision`] as header fields in one dialect.
//!
//! Rounding always errs late, never early: every wait and every reset time is rounded **up**
//! to the dialect's unit (seconds, or milliseconds for `x-ratelimit-epoch-ms`), so a client
//! that waits exactly what it was told is not rejected again. Epoch dialects need the current
//! calendar time, passed in as `unix_now` (nothing here reads a clock).
//!
//! A reset of [`Nanos::MAX`] means "never resets" (a spent credit balance): the reset field
//! (`X-RateLimit-Reset`, the IETF `t` parameter, `X-Quota-Monthly-Reset`) is then omitted.
//! `Retry-After` is sent only on a denial that can pass later; a [`Decision::never`] gets none.

use super::sf::{string_literal, MAX_INT};
use super::{Dialect, HeaderError, RetryAfterFormat};
use crate::calendar::{format_http_date, UnixTime};
use crate::{Decision, Nanos};

const NS_PER_MS: u128 = 1_000_000;
const NS_PER_S: u128 = 1_000_000_000;

/// How a server renders its decisions.
///
/// ```
/// use limiters::headers::{HeaderStyle, Dialect};
/// let s = HeaderStyle::new(Dialect::Ietf).with_policy("burst").unwrap();
/// assert_eq!(s.policy(), "burst");
/// assert!(HeaderStyle::new(Dialect::Ietf).with_policy("no\"quotes").is_err());
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HeaderStyle {
    /// The dialect of the limit/remaining/reset fields.
    pub dialect: Dialect,
    /// The form of `Retry-After` on denials.
    pub retry_after: RetryAfterFormat,
    /// The policy window advertised in `RateLimit-Policy` (`w`), if the limiter has one.
    pub window: Option<Nanos>,
    policy: String,
}

impl HeaderStyle {
    /// A style with `Retry-After` in seconds, policy name `default` and no window.
    pub fn new(dialect: Dialect) -> HeaderStyle {
        HeaderStyle {
            dialect,
            retry_after: RetryAfterFormat::Seconds,
            window: None,
            policy: "default".to_string(),
        }
    }
    /// Set the `Retry-After` form.
    pub fn with_retry_after(mut self, f: RetryAfterFormat) -> HeaderStyle {
        self.retry_after = f;
        self
    }
    /// Set the advertised window.
    pub fn with_window(mut self, w: Nanos) -> HeaderStyle {
        self.window = Some(w);
        self
    }
    /// Set the IETF policy name: 1 to 64 characters, letters, digits and `-_.:/ ` only.
    pub fn with_policy(mut self, name: &str) -> Result<HeaderStyle, HeaderError> {
        let ok = !name.is_empty()
            && name.len() <= 64
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.:/ ".contains(&b));
        if !ok {
            return Err(HeaderError::BadField {
                name: "ratelimit-policy".into(),
                value: super::error::clip(name),
                reason: "a policy name is 1-64 letters, digits or `-_.:/ `".into(),
            });
        }
        self.policy = name.to_string();
        Ok(self)
    }
    /// The IETF policy name.
    pub fn policy(&self) -> &str {
        &self.policy
    }
}

/// `n` nanoseconds rounded up to whole `unit`s.
fn ceil_units(n: u128, unit: u128) -> u128 {
    n.div_ceil(unit)
}

/// Clamp for fields that must fit a `u64` (or an RFC 9651 Integer).
fn clamp(v: u128, max: u64) -> u64 {
    u64::try_from(v).unwrap_or(u64::MAX).min(max)
}

/// Render `d` as `(name, value)` pairs in `style`'s dialect, at calendar time `unix_now`.
///
/// ```
/// use limiters::calendar::UnixTime;
/// use limiters::headers::{render, Dialect, HeaderStyle};
/// use limiters::{Decision, Nanos};
/// let d = Decision::deny(60, 0, Nanos::from_millis(12_300), Nanos::from_millis(2_100));
/// let now = UnixTime::from_secs(1_716_461_223);
/// let h = render(&d, &HeaderStyle::new(Dialect::XRateLimitEpoch), now);
/// assert_eq!(h, vec![
///     ("X-RateLimit-Limit", "60".to_string()),
///     ("X-RateLimit-Remaining", "0".to_string()),
///     ("X-RateLimit-Reset", "1716461236".to_string()), // 1716461235.3 rounded up
///     ("Retry-After", "3".to_string()),                // 2.1 s rounded up
/// ]);
/// ```
pub fn render(
    d: &Decision,
    style: &HeaderStyle,
    unix_now: UnixTime,
) -> Vec<(&'static str, String)> {
    let mut out = render_fields(d, style, unix_now);
    out.extend(retry_after_field(d, style, unix_now));
    out
}

/// `Retry-After` for `d` in `style`'s form: only on a denial that can pass later.
pub(super) fn retry_after_field(
    d: &Decision,
    style: &HeaderStyle,
    unix_now: UnixTime,
) -> Option<(&'static str, String)> {
    match (d.allowed, d.retry_after) {
        (false, Some(wait)) => Some((
            "Retry-After",
            retry_after_value(wait, style.retry_after, u128::from(unix_now.as_nanos())),
        )),
        _ => None,
    }
}

/// [`render`] without `Retry-After`: the dialect's limit/remaining/reset fields only.
pub(super) fn render_fields(
    d: &Decision,
    style: &HeaderStyle,
    unix_now: UnixTime,
) -> Vec<(&'static str, String)> {
    let mut out: Vec<(&'static str, String)> = Vec::with_capacity(5);
    let never_resets = d.reset_after == Nanos::MAX;
    let now = u128::from(unix_now.as_nanos());
    let reset = u128::from(d.reset_after.as_nanos());
    let delta_secs = ceil_units(reset, NS_PER_S);
    let epoch_secs = ceil_units(now + reset, NS_PER_S);
    match style.dialect {
        Dialect::XRateLimitDelta | Dialect::XRateLimitEpoch | Dialect::XRateLimitEpochMs => {
            out.push(("X-RateLimit-Limit", d.limit.to_string()));
            out.push(("X-RateLimit-Remaining", d.remaining.to_string()));
            if !never_resets {
                let v = match style.dialect {
                    Dialect::XRateLimitDelta => delta_secs,
                    Dialect::XRateLimitEpoch => epoch_secs,
                    _ => ceil_units(now + reset, NS_PER_MS),
                };
                out.push(("X-RateLimit-Reset", clamp(v, u64::MAX).to_string()));
            }
        }
        Dialect::Ietf => {
            let name = string_literal(&style.policy);
            let mut policy = format!("{name};q={}", d.limit.min(MAX_INT));
            if let Some(w) = style.window {
                let w = clamp(ceil_units(u128::from(w.as_nanos()), NS_PER_S), MAX_INT);
                policy.push_str(&format!(";w={w}"));
            }
            out.push(("RateLimit-Policy", policy));
            let mut current = format!("{name};r={}", d.remaining.min(MAX_INT));
            if !never_resets {
                current.push_str(&format!(";t={}", clamp(delta_secs, MAX_INT)));
            }
            out.push(("RateLimit", current));
        }
        Dialect::IetfDraft07 => {
            let mut policy = d.limit.min(MAX_INT).to_string();
            if let Some(w) = style.window {
                let w = clamp(ceil_units(u128::from(w.as_nanos()), NS_PER_S), MAX_INT);
                policy.push_str(&format!(";w={w}"));
            }
            out.push(("RateLimit-Policy", policy));
            let mut current = format!(
                "limit={}, remaining={}",
                d.limit.min(MAX_INT),
                d.remaining.min(MAX_INT)
            );
            if !never_resets {
                current.push_str(&format!(", reset={}", clamp(delta_secs, MAX_INT)));
            }
            out.push(("RateLimit", current));
        }
        Dialect::XQuotaMonthly => {
            out.push(("X-Quota-Monthly-Limit", d.limit.to_string()));
            out.push(("X-Quota-Monthly-Remaining", d.remaining.to_string()));
            if !never_resets {
                out.push((
                    "X-Quota-Monthly-Reset",
                    clamp(epoch_secs, u64::MAX).to_string(),
                ));
            }
        }
    }
    out
}

/// `Retry-After` for a wait: delay-seconds rounded up, or the IMF-fixdate of the rounded-up
/// instant. A date past 9999 (unrepresentable) would fall back to delay-seconds, which RFC
/// 9110 equally allows; with `u64` nanosecond inputs the latest reachable date is in 3139.
fn retry_after_value(wait: Nanos, f: RetryAfterFormat, now: u128) -> String {
    let secs = ceil_units(u128::from(wait.as_nanos()), NS_PER_S);
    if f == RetryAfterFormat::HttpDate {
        let at = ceil_units(now + u128::from(wait.as_nanos()), NS_PER_S);
        if let Ok(text) = format_http_date(clamp(at, u64::MAX)) {
            return text;
        }
    }
    clamp(secs, u64::MAX).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ietf_and_draft07_forms() {
        let d = Decision::allow(100, 50, Nanos::from_millis(29_001));
        let style = HeaderStyle::new(Dialect::Ietf).with_window(Nanos::from_secs(60));
        let h = render(&d, &style, UnixTime::from_secs(1_700_000_000));
        assert_eq!(
            h[0],
            ("RateLimit-Policy", r#""default";q=100;w=60"#.to_string())
        );
        assert_eq!(h[1], ("RateLimit", r#""default";r=50;t=30"#.to_string()));
        let style = HeaderStyle::new(Dialect::IetfDraft07).with_window(Nanos::from_secs(60));
        let h = render(&d, &style, UnixTime::from_secs(1_700_000_000));
        assert_eq!(h[0].1, "100;w=60");
        assert_eq!(h[1].1, "limit=100, remaining=50, reset=30");
    }

    #[test]
    fn never_resetting_balance_omits_reset_and_retry() {
        let d = Decision {
            remaining: 200,
            reset_after: Nanos::MAX,
            ..Decision::never(500)
        };
        let h = render(&d, &HeaderStyle::new(Dialect::XQuotaMonthly), UnixTime(0));
        assert_eq!(h.len(), 2);
        assert_eq!(h[1], ("X-Quota-Monthly-Remaining", "200".to_string()));
    }

    #[test]
    fn http_date_retry_after_rounds_up_and_falls_back() {
        let d = Decision::deny(1, 0, Nanos::ZERO, Nanos::from_millis(200));
        let style =
            HeaderStyle::new(Dialect::XRateLimitDelta).with_retry_after(RetryAfterFormat::HttpDate);
        let now = UnixTime(784_111_776 * 1_000_000_000 + 700_000_000);
        let h = render(&d, &style, now);
        assert_eq!(h[3].1, "Sun, 06 Nov 1994 08:49:37 GMT");
        let far = Decision::deny(1, 0, Nanos::ZERO, Nanos::MAX);
        // The latest instant u64 nanoseconds can reach still has a four-digit year.
        let h = render(&far, &style, UnixTime(u64::MAX));
        assert_eq!(h[3].1, "Thu, 09 Feb 3139 23:09:08 GMT");
    }
}
