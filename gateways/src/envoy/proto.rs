//! Protobuf's well-known types as Envoy's YAML writes them: `google.protobuf.Duration`
//! (`"1.5s"` or `{seconds, nanos}`), the wrapped `UInt32Value`/`BoolValue` (bare or
//! `{value: ...}`), and a `RuntimeFractionalPercent`'s default fraction.

use crate::tree::At;
use crate::GatewayError;
use limiters::Nanos;

/// A `google.protobuf.Duration`: `"1.5s"` (JSON mapping) or `{seconds, nanos}`.
pub fn duration(at: At<'_>, what: &str) -> Result<Nanos, GatewayError> {
    if at.get("seconds").is_some() || at.get("nanos").is_some() {
        at.only(what, &["seconds", "nanos"])?;
        let s = match at.get("seconds") {
            Some(s) => s.int("seconds", 0, 315_576_000_000)?,
            None => 0,
        };
        let n = match at.get("nanos") {
            Some(n) => n.int("nanos", 0, 999_999_999)?,
            None => 0,
        };
        return Ok(Nanos((s * 1_000_000_000 + n) as u64));
    }
    let text = at.str(what)?;
    let bad = || {
        at.err(format!(
            "`{what}` must be a protobuf duration such as \"1s\" or \"0.05s\" (seconds, \
             up to 9 decimals, then `s`), got `{text}`"
        ))
    };
    let num = text.strip_suffix('s').ok_or_else(bad)?;
    let (int, frac) = num.split_once('.').unwrap_or((num, ""));
    if int.is_empty() && frac.is_empty()
        || frac.len() > 9
        || !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit())
    {
        return Err(bad());
    }
    let secs: u64 = if int.is_empty() {
        0
    } else {
        int.parse().map_err(|_| bad())?
    };
    let nanos: u64 = format!("{frac:0<9}").parse().map_err(|_| bad())?;
    secs.checked_mul(1_000_000_000)
        .and_then(|s| s.checked_add(nanos))
        .map(Nanos)
        .ok_or_else(bad)
}

/// A `RuntimeFractionalPercent`'s `default_value` as (numerator, denominator); unset is 0%.
pub fn fraction(at: Option<At<'_>>, what: &str) -> Result<(u64, u64), GatewayError> {
    let Some(at) = at else { return Ok((0, 100)) };
    at.only(what, &["runtime_key", "default_value"])?;
    let Some(dv) = at.get("default_value") else {
        return Ok((0, 100));
    };
    dv.only("default_value", &["numerator", "denominator"])?;
    let num = match dv.get("numerator") {
        Some(n) => n.int("numerator", 0, u32::MAX.into())? as u64,
        None => 0,
    };
    let denom = match dv.get("denominator") {
        None => 100,
        Some(d) => match d.str("denominator")? {
            "HUNDRED" => 100,
            "TEN_THOUSAND" => 10_000,
            "MILLION" => 1_000_000,
            other => {
                return Err(d.err(format!(
                    "unknown denominator `{other}` (expected HUNDRED, TEN_THOUSAND or MILLION)"
                )))
            }
        },
    };
    Ok((num.min(denom), denom))
}

/// A `google.protobuf.UInt32Value`: a bare number, or `{value: n}`.
pub fn wrapped_int(at: At<'_>, what: &str, min: i128, max: i128) -> Result<i128, GatewayError> {
    match at.get("value") {
        Some(v) => v.int(what, min, max),
        None => at.int(what, min, max),
    }
}

/// A `google.protobuf.BoolValue`: a bare boolean, or `{value: b}`.
pub fn wrapped_bool(at: At<'_>, what: &str) -> Result<bool, GatewayError> {
    match at.get("value") {
        Some(v) => v.bool(what),
        None => at.bool(what),
    }
}
