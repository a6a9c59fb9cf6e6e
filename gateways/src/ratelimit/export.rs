//! A scenario's levels as an envoyproxy/ratelimit configuration, where it can say them.
//!
//! ratelimit has one algorithm: a fixed window of a unit (second .. year) aligned to the Unix
//! clock, which is what the lab's `fixed_window` is in a run (the simulator and live mode put
//! its windows at Unix multiples of the period, `Levels::on_calendar`). So only `fixed_window`
//! levels without an `align` shift and with a unit's length are exported; every other
//! algorithm is refused with the reason. A global level becomes a `generic_key` descriptor, a per-key
//! level an `api_key` descriptor (`tenant` for tenants), each needing the route `rate_limits`
//! action that produces it (written as a comment).

use super::spec::unit_of;
use crate::{Dialect, GatewayError};
use sim::model::{Level, Scope};
use std::fmt::Write as _;

fn refuse(reason: impl Into<String>) -> GatewayError {
    GatewayError::Unsupported {
        dialect: Dialect::Ratelimit.name(),
        reason: reason.into(),
    }
}

/// Write `levels` as one ratelimit domain.
pub fn export_levels(levels: &[Level]) -> Result<String, GatewayError> {
    let mut out = String::from(
        "# throttlelab export --format ratelimit: each descriptor needs a route rate_limits \
         action in Envoy\n# (generic_key: {descriptor_value: ...}; request_headers: \
         {header_name: x-api-key, descriptor_key: api_key})\ndomain: throttlelab\n\
         descriptors:\n",
    );
    let mut used: Vec<String> = Vec::new();
    for (i, l) in levels.iter().enumerate() {
        let n = i + 1;
        if !l.fleets.is_empty() {
            return Err(refuse(format!(
                "level {n} applies to fleets {:?} only; ratelimit sees descriptors, not fleets",
                l.fleets
            )));
        }
        if l.algorithm != "fixed_window" {
            return Err(refuse(format!(
                "level {n} ({0}): ratelimit only counts fixed windows, and a {0} is not one",
                l.algorithm
            )));
        }
        let bad = |e: limiters::LimiterError| refuse(format!("level {n}: {e}"));
        if !l
            .params
            .duration_or("align", limiters::Nanos::ZERO)
            .map_err(bad)?
            .is_zero()
        {
            return Err(refuse(format!(
                "level {n}: its windows are shifted by `align`; ratelimit's start at Unix \
                 multiples of the unit"
            )));
        }
        let limit = l.params.positive_u64("limit").map_err(bad)?;
        let period = l.params.positive_duration("period").map_err(bad)?;
        let unit = (period.as_nanos() % 1_000_000_000 == 0)
            .then(|| unit_of(period.as_secs()))
            .flatten()
            .ok_or_else(|| {
                refuse(format!(
                    "level {n}: a {period} window is no ratelimit unit (1s, 60s, 3600s, 86400s, \
                     604800s, 2592000s, 31536000s)"
                ))
            })?;
        if limit > u64::from(u32::MAX) {
            return Err(refuse(format!(
                "level {n}: {limit} exceeds ratelimit's 32-bit limit"
            )));
        }
        let base = match l.scope {
            Scope::Global => "generic_key",
            Scope::Key => "api_key",
            Scope::Tenant => "tenant",
        };
        // ratelimit gives one limit per descriptor: number the repeats
        let mut key = base.to_string();
        let mut k = 1;
        while l.scope != Scope::Global && used.contains(&key) {
            k += 1;
            key = format!("{base}_{k}");
        }
        used.push(key.clone());
        if l.status != 429 {
            let _ = writeln!(
                out,
                "# level {n} answers {}: set it in Envoy's ratelimit filter (rate_limited_status)",
                l.status
            );
        }
        let _ = writeln!(out, "- key: {key}");
        if l.scope == Scope::Global {
            let _ = writeln!(out, "  value: level-{n}");
        }
        let _ = writeln!(
            out,
            "  rate_limit:\n    unit: {unit}\n    requests_per_unit: {limit}"
        );
    }
    if levels.is_empty() {
        return Err(refuse("no levels"));
    }
    Ok(out)
}
