//! The keys of a `[[server.limiters]]` table that are about the level rather than its
//! algorithm: a fixed `retry_after`, when the level is charged (`charge`), which fleets it
//! applies to (`fleets`), and how its headers read (`dialect`, `policy`: seed 004 answers its
//! bucket and its monthly quota in two dialects on one response). Everything else in the table
//! is the algorithm's parameters.

use super::cx::{Cx, R};
use crate::model::Charge;
use crate::scenario::spec::LimiterTable;
use crate::scenario::Dur;
use limiters::Nanos;
use serde::Deserialize;

/// Header dialects a server can speak (the names of `limiters::headers::Dialect`).
pub const DIALECTS: &[&str] = &[
    "x-ratelimit-delta",
    "x-ratelimit-epoch",
    "x-ratelimit-epoch-ms",
    "ietf",
    "ietf-draft07",
    "x-quota-monthly",
];

/// The level keys handled here.
pub const LEVEL_KEYS: &[&str] = &[
    "retry_after",
    "charge",
    "fleets",
    "dialect",
    "policy",
    "max_keys",
    "idle_after",
    "state",
    "store_rtt",
    "store_timeout",
    "on_store_error",
    "status_on_error",
    "sync_interval",
    "lease_period",
];
/// When a level is charged (`charge = "..."`).
pub const CHARGES: &[&str] = &["on_admission", "on_completion"];

/// The level options of one table.
#[derive(Debug, Default)]
pub(crate) struct LevelOpts {
    pub retry_after: Option<Nanos>,
    pub charge: Charge,
    pub fleets: Vec<String>,
    pub dialect: Option<limiters::headers::Dialect>,
    pub policy: Option<String>,
    pub keys: Option<crate::model::KeyBound>,
}

/// Read `retry_after`, `charge` and `fleets` from `map`; `fleet_names` are the scenario's
/// fleets (a name in `fleets` must be one of them).
pub(crate) fn level_opts(cx: &Cx, map: &LimiterTable, fleet_names: &[&str]) -> R<LevelOpts> {
    let mut out = LevelOpts::default();
    if let Some(v) = map.get("retry_after") {
        let d = Dur::deserialize(v.get_ref().clone()).map_err(|e| {
            cx.err(
                v.span(),
                format!(
                    "`retry_after` of a limiter level is a fixed duration such as \"60s\": {}",
                    e.message()
                ),
            )
        })?;
        if d.0.is_zero() {
            return Err(cx.err(v.span(), "`retry_after` must be longer than zero"));
        }
        out.retry_after = Some(d.0);
    }
    if let Some(v) = map.get("charge") {
        out.charge = match v.get_ref().as_str() {
            Some("on_admission") => Charge::OnAdmission,
            Some("on_completion") => Charge::OnCompletion,
            Some(other) => {
                let s = toml::Spanned::new(v.span(), other.to_string());
                return Err(cx.unknown(&s, "charge", CHARGES));
            }
            None => {
                return Err(cx.err(
                    v.span(),
                    format!("`charge` is one of: {}", CHARGES.join(", ")),
                ))
            }
        };
    }
    if let Some(v) = map.get("fleets") {
        let not_list = || cx.err(v.span(), "`fleets` is an array of fleet names");
        let list = v.get_ref().as_array().ok_or_else(not_list)?;
        if list.is_empty() {
            return Err(cx.err(
                v.span(),
                "`fleets` is empty: omit it to apply the level to every fleet",
            ));
        }
        for name in list {
            let name = name.as_str().ok_or_else(not_list)?;
            if !fleet_names.contains(&name) {
                let s = toml::Spanned::new(v.span(), name.to_string());
                return Err(cx.unknown(&s, "fleet", fleet_names));
            }
            out.fleets.push(name.to_string());
        }
    }
    if let Some(v) = map.get("dialect") {
        let text = v.get_ref().as_str().unwrap_or_default().to_string();
        let s = toml::Spanned::new(v.span(), text);
        out.dialect = Some(
            s.get_ref()
                .parse()
                .map_err(|_| cx.unknown(&s, "header dialect", DIALECTS))?,
        );
    }
    if let Some(v) = map.get("policy") {
        let text = v.get_ref().as_str().ok_or_else(|| {
            cx.err(
                v.span(),
                "`policy` is an IETF policy name such as \"per-key\"",
            )
        })?;
        limiters::headers::HeaderStyle::new(limiters::headers::Dialect::Ietf)
            .with_policy(text)
            .map_err(|e| cx.err(v.span(), format!("`policy`: {e}")))?;
        out.policy = Some(text.to_string());
    }
    out.keys = key_bound(cx, map)?;
    Ok(out)
}

/// `max_keys` (and `idle_after`, default 0: a key is dropped as soon as its limiter is back to
/// full capacity, which is exact for rate algorithms): the level's states in bounded memory.
fn key_bound(cx: &Cx, map: &LimiterTable) -> R<Option<crate::model::KeyBound>> {
    let idle = map.get("idle_after");
    let Some(v) = map.get("max_keys") else {
        return match idle {
            Some(i) => Err(cx.err(i.span(), "`idle_after` needs `max_keys`")),
            None => Ok(None),
        };
    };
    let max_keys = match v.get_ref().as_integer() {
        Some(n) if (1..=1_000_000_000).contains(&n) => n as usize,
        _ => {
            return Err(cx.err(
                v.span(),
                "`max_keys` is a whole number of keys from 1 to 1000000000",
            ))
        }
    };
    let idle_after = match idle {
        None => Nanos::ZERO,
        Some(i) => {
            Dur::deserialize(i.get_ref().clone())
                .map_err(|e| {
                    cx.err(
                        i.span(),
                        format!(
                            "`idle_after` is a duration such as \"60s\": {}",
                            e.message()
                        ),
                    )
                })?
                .0
        }
    };
    Ok(Some(crate::model::KeyBound {
        max_keys,
        idle_after,
    }))
}
