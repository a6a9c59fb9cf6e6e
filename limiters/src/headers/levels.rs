//! Server side, several limiter levels on one response, each in its own dialect.
//!
//! Seed 004 answers a 10/s burst bucket as `X-RateLimit-Limit/Remaining/Reset` (Reset in
//! seconds) and its monthly quota as `X-Quota-Monthly-Limit/Remaining/Reset` (epoch seconds) on
//! the same response: the dialect belongs to a level, not to the server. [`render_levels`]
//! renders every level in its own [`HeaderStyle`]:
//! - the IETF fields carry one policy per level (`RateLimit: "key";r=7;t=1, "org";r=49993;t=..`,
//!   the list form of draft-ietf-httpapi-ratelimit-headers-08 to -10);
//! - every other family (`X-RateLimit-*` in any of its Reset forms, draft-07's `RateLimit`,
//!   `X-Quota-Monthly-*`) has one set of fields per response, so when several levels share it the
//!   *binding* level fills it: on a denial, the denying level that asks for the longest wait;
//!   otherwise the one with the least remaining (what the next request runs into);
//! - `Retry-After` once, from the binding denial of the whole response, in that level's form.
//!
//! With one level this is exactly [`render`].

use super::render::{render, render_fields};
use super::{Dialect, HeaderError, HeaderStyle};
use crate::calendar::UnixTime;
use crate::{Decision, Nanos};

/// The families of header fields: levels in one family write the same field names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Family {
    XRateLimit,
    Ietf,
    IetfDraft07,
    XQuotaMonthly,
}

fn family(d: Dialect) -> Family {
    match d {
        Dialect::XRateLimitDelta | Dialect::XRateLimitEpoch | Dialect::XRateLimitEpochMs => {
            Family::XRateLimit
        }
        Dialect::Ietf => Family::Ietf,
        Dialect::IetfDraft07 => Family::IetfDraft07,
        Dialect::XQuotaMonthly => Family::XQuotaMonthly,
    }
}

/// The wait a denial asks for; "never" sorts last (it binds).
fn wait_of(d: &Decision) -> Nanos {
    d.retry_after.unwrap_or(Nanos::MAX)
}

/// The index of the binding decision among `ds`: the denial asking for the longest wait (the
/// first of equals), else the least remaining (the first of equals). `None` if `ds` is empty.
///
/// ```
/// use limiters::headers::binding;
/// use limiters::{Decision, Nanos};
/// let a = Decision::allow(10, 7, Nanos::from_secs(1));
/// let b = Decision::allow(50_000, 3, Nanos::from_secs(86_400));
/// let c = Decision::deny(10, 0, Nanos::from_secs(1), Nanos::from_secs(1));
/// assert_eq!(binding(&[&a, &b]), Some(1));
/// assert_eq!(binding(&[&a, &b, &c]), Some(2));
/// ```
pub fn binding(ds: &[&Decision]) -> Option<usize> {
    let mut best: Option<usize> = None;
    for (i, d) in ds.iter().enumerate() {
        let better = match best.map(|b| ds[b]) {
            None => true,
            Some(b) => match (d.allowed, b.allowed) {
                (false, true) => true,
                (true, false) => false,
                (false, false) => wait_of(d) > wait_of(b),
                (true, true) => d.remaining < b.remaining,
            },
        };
        if better {
            best = Some(i);
        }
    }
    best
}

/// Render the decisions of several levels, each in its own style, at calendar time `unix_now`.
///
/// ```
/// use limiters::calendar::UnixTime;
/// use limiters::headers::{render_levels, Dialect, HeaderStyle};
/// use limiters::{Decision, Nanos};
/// let now = UnixTime::from_secs(1_719_791_000);
/// let bucket = Decision::allow(10, 7, Nanos::from_millis(300));
/// let month = Decision::allow(50_000, 49_993, Nanos::from_secs(1_000));
/// let styles = [HeaderStyle::new(Dialect::XRateLimitDelta), HeaderStyle::new(Dialect::XQuotaMonthly)];
/// let h = render_levels(&[(&bucket, &styles[0]), (&month, &styles[1])], now);
/// assert_eq!(h, vec![
///     ("X-RateLimit-Limit", "10".to_string()),
///     ("X-RateLimit-Remaining", "7".to_string()),
///     ("X-RateLimit-Reset", "1".to_string()),
///     ("X-Quota-Monthly-Limit", "50000".to_string()),
///     ("X-Quota-Monthly-Remaining", "49993".to_string()),
///     ("X-Quota-Monthly-Reset", "1719792000".to_string()),
/// ]);
/// ```
pub fn render_levels(
    levels: &[(&Decision, &HeaderStyle)],
    unix_now: UnixTime,
) -> Vec<(&'static str, String)> {
    if let [(d, style)] = levels {
        return render(d, style, unix_now);
    }
    let mut out: Vec<(&'static str, String)> = Vec::with_capacity(8);
    let mut done: Vec<Family> = Vec::with_capacity(4);
    // draft-07's dictionary and the list form both are `RateLimit`: the list form wins
    let has_ietf = levels
        .iter()
        .any(|(_, s)| family(s.dialect) == Family::Ietf);
    for (_, style) in levels {
        let fam = family(style.dialect);
        if done.contains(&fam) || (fam == Family::IetfDraft07 && has_ietf) {
            continue;
        }
        done.push(fam);
        let members: Vec<&(&Decision, &HeaderStyle)> = levels
            .iter()
            .filter(|(_, s)| family(s.dialect) == fam)
            .collect();
        if fam == Family::Ietf {
            let mut policy: Vec<String> = Vec::with_capacity(members.len());
            let mut current: Vec<String> = Vec::with_capacity(members.len());
            for (d, s) in &members {
                for (name, value) in render_fields(d, s, unix_now) {
                    match name {
                        "RateLimit-Policy" => policy.push(value),
                        _ => current.push(value),
                    }
                }
            }
            out.push(("RateLimit-Policy", policy.join(", ")));
            out.push(("RateLimit", current.join(", ")));
            continue;
        }
        let ds: Vec<&Decision> = members.iter().map(|(d, _)| *d).collect();
        if let Some(i) = binding(&ds) {
            let (d, s) = members[i];
            out.extend(render_fields(d, s, unix_now));
        }
    }
    let ds: Vec<&Decision> = levels.iter().map(|(d, _)| *d).collect();
    if let Some(i) = binding(&ds) {
        let (d, s) = levels[i];
        out.extend(super::render::retry_after_field(d, s, unix_now));
    }
    out
}

/// The styles of several levels: `dialects[i]` is level `i`'s own dialect (`None`: `base`'s),
/// `policies[i]` its IETF policy name (`None`: `names[i]`, e.g. its scope, made unique with a
/// `-<level number>` suffix where levels share it; with one level, `base`'s name).
///
/// ```
/// use limiters::headers::{level_styles, Dialect, HeaderStyle};
/// let base = HeaderStyle::new(Dialect::Ietf);
/// let s = level_styles(&base, &[None, Some(Dialect::XQuotaMonthly), None],
///                      &[None, None, None], &["key", "tenant", "key"]).unwrap();
/// let names: Vec<&str> = s.iter().map(|s| s.policy()).collect();
/// assert_eq!(names, ["key-1", "tenant", "key-3"]);
/// assert_eq!(s[1].dialect, Dialect::XQuotaMonthly);
/// let s = level_styles(&base, &[None, None], &[None, Some("burst")], &["key", "key"]).unwrap();
/// assert_eq!((s[0].policy(), s[1].policy()), ("key", "burst"));
/// ```
pub fn level_styles(
    base: &HeaderStyle,
    dialects: &[Option<Dialect>],
    policies: &[Option<&str>],
    names: &[&str],
) -> Result<Vec<HeaderStyle>, HeaderError> {
    let n = dialects.len();
    let mut out = Vec::with_capacity(n);
    for (i, dialect) in dialects.iter().enumerate() {
        let mut s = base.clone();
        if let Some(d) = dialect {
            s.dialect = *d;
        }
        let own = policies.get(i).copied().flatten();
        let name = match (own, names.get(i)) {
            (Some(p), _) => p.to_string(),
            (None, Some(scope)) if n > 1 => {
                let shared = (0..n)
                    .filter(|&j| policies.get(j).copied().flatten().is_none())
                    .filter(|&j| names.get(j) == Some(scope))
                    .count();
                if shared > 1 {
                    format!("{scope}-{}", i + 1)
                } else {
                    (*scope).to_string()
                }
            }
            _ => base.policy().to_string(),
        };
        out.push(s.with_policy(&name)?);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::headers::{parse, ParseOptions};

    const NOW: UnixTime = UnixTime(1_719_791_000 * 1_000_000_000);

    #[test]
    fn ietf_carries_one_policy_per_level_and_parses_the_binding_one() {
        let styles = level_styles(
            &HeaderStyle::new(Dialect::Ietf),
            &[None, None],
            &[None, None],
            &["key", "tenant"],
        )
        .unwrap();
        let key = Decision::allow(60, 12, Nanos::from_secs(30));
        let org = Decision::allow(600, 3, Nanos::from_secs(30));
        let h = render_levels(&[(&key, &styles[0]), (&org, &styles[1])], NOW);
        assert_eq!(
            h,
            vec![
                (
                    "RateLimit-Policy",
                    r#""key";q=60, "tenant";q=600"#.to_string()
                ),
                (
                    "RateLimit",
                    r#""key";r=12;t=30, "tenant";r=3;t=30"#.to_string()
                ),
            ]
        );
        let pairs: Vec<(&str, &str)> = h.iter().map(|(n, v)| (*n, v.as_str())).collect();
        let info = parse(&pairs, NOW, &ParseOptions::default()).unwrap();
        assert_eq!(info.policy.as_deref(), Some("tenant"));
        assert_eq!((info.limit, info.remaining), (Some(600), Some(3)));
    }

    #[test]
    fn a_shared_family_shows_the_binding_level_and_retry_after_the_denial() {
        let s = HeaderStyle::new(Dialect::XRateLimitDelta);
        let key = Decision::deny(60, 0, Nanos::from_secs(20), Nanos::from_secs(20));
        let org = Decision::allow(600, 100, Nanos::from_secs(20));
        let h = render_levels(&[(&org, &s), (&key, &s)], NOW);
        assert_eq!(h[0], ("X-RateLimit-Limit", "60".to_string()));
        assert_eq!(h[3], ("Retry-After", "20".to_string()));
        assert_eq!(h.len(), 4);
        // one level: exactly `render`
        assert_eq!(render_levels(&[(&key, &s)], NOW), render(&key, &s, NOW));
    }

    #[test]
    fn policy_names_are_checked() {
        let e = level_styles(
            &HeaderStyle::new(Dialect::Ietf),
            &[None],
            &[Some("bad\"name")],
            &["key"],
        );
        assert!(e.is_err());
    }
}
