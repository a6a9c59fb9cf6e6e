//! The IETF fields: `RateLimit` and `RateLimit-Policy`, in the structured-field form of
//! draft-ietf-httpapi-ratelimit-headers-08 to -10 (`"default";r=50;t=30`,
//! `"default";q=100;w=60`) and the dictionary form of draft-07
//! (`limit=100, remaining=50, reset=30`, policy `100;w=60`).

use super::error::{clip, overflow, trim_ows, wait};
use super::sf::{parse_dict, parse_list, Bare, Item, SfError};
use super::{HeaderError, RateLimitInfo};
use crate::Nanos;

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
pub(super) fn ietf_current(value: &str, info: &mut RateLimitInfo) -> Result<(), HeaderError> {
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
pub(super) fn ietf_policy(value: &str, info: &mut RateLimitInfo) -> Result<(), HeaderError> {
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
            (None, _) => info.limit.is_none_or(|l| l == quota),
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
