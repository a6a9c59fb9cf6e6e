//! Where a limiter level's state lives in a deployment (`state = ...` on a `[[server.limiters]]`
//! table) and the keys of each design: the store's round trip and timeout, what a replica
//! does on a store error, the sync interval, the lease period.

use super::cx::{Cx, R};
use crate::model::{OnStoreError, Placement, Store};
use crate::scenario::spec::{DistSpec, LimiterTable};
use crate::scenario::Dur;
use limiters::Nanos;
use serde::Deserialize;
use toml::Spanned;

const STATES: &[&str] = &[
    "local",
    "split",
    "central",
    "over_limit_cache",
    "synced",
    "leases",
];
const ON_ERROR: &[&str] = &["open", "closed", "local"];

fn duration_key(cx: &Cx, t: &LimiterTable, key: &str) -> R<Option<Nanos>> {
    t.get(key)
        .map(|v| {
            Dur::deserialize(v.get_ref().clone())
                .map(|d| d.0)
                .map_err(|e| {
                    cx.err(
                        v.span(),
                        format!("`{key}` is a duration such as \"10s\": {}", e.message()),
                    )
                })
        })
        .transpose()
}

/// `store_rtt`: a duration or a distribution table. The value sits in the untyped limiter
/// table, so it is read again from its own text (spans inside it are lost); an error points at
/// the value with the reason.
fn store_rtt(cx: &Cx, v: &Spanned<toml::Value>) -> R<crate::model::Distribution> {
    #[derive(Deserialize)]
    struct One {
        v: Spanned<DistSpec>,
    }
    let text = format!("v = {}", v.get_ref());
    let inner = Cx {
        file: cx.file,
        text: &text,
    };
    let reason = |e: crate::scenario::ScenarioError| {
        let msg = e.location().map_or(e.to_string(), |l| l.message.clone());
        cx.err(v.span(), format!("`store_rtt`: {msg}"))
    };
    let one: One = toml::from_str(&text).map_err(|e| {
        cx.err(
            v.span(),
            format!(
                "`store_rtt` is a duration or a distribution table: {}",
                e.message()
            ),
        )
    })?;
    super::dist::dist(&inner, &one.v).map_err(reason)
}

/// A level's `state` and its store keys.
pub(super) fn placement(cx: &Cx, t: &LimiterTable) -> R<Placement> {
    let state = match t.get("state") {
        None => "local".to_string(),
        Some(v) => v
            .get_ref()
            .as_str()
            .ok_or_else(|| {
                cx.err(
                    v.span(),
                    format!("`state` is one of: {}", STATES.join(", ")),
                )
            })?
            .to_string(),
    };
    let store_keys = [
        "store_rtt",
        "store_timeout",
        "on_store_error",
        "status_on_error",
        "sync_interval",
        "lease_period",
    ];
    if matches!(state.as_str(), "local" | "split") {
        if let Some((k, v)) = store_keys.iter().find_map(|k| t.get(*k).map(|v| (k, v))) {
            return Err(cx.err(
                v.span(),
                format!("`{k}` is for a level whose state is `central` or `synced`, not `{state}`"),
            ));
        }
    }
    if state == "leases" {
        return leases(cx, t);
    }
    if let Some(v) = t.get("lease_period") {
        return Err(cx.err(v.span(), "`lease_period` is for `state = \"leases\"`"));
    }
    let mut store = Store::default();
    if let Some(v) = t.get("store_rtt") {
        store.rtt = store_rtt(cx, v)?;
    }
    store.timeout = duration_key(cx, t, "store_timeout")?;
    if let (Some(0), Some(v)) = (store.timeout.map(|t| t.0), t.get("store_timeout")) {
        return Err(cx.err(v.span(), "`store_timeout` must be longer than zero"));
    }
    if let Some(v) = t.get("on_store_error") {
        store.on_error = match v.get_ref().as_str() {
            Some("open") => OnStoreError::Open,
            Some("closed") => OnStoreError::Closed,
            Some("local") => OnStoreError::Local,
            other => {
                let s = Spanned::new(v.span(), other.unwrap_or_default().to_string());
                return Err(cx.unknown(&s, "on_store_error", ON_ERROR));
            }
        };
    }
    if let Some(v) = t.get("status_on_error") {
        store.status_on_error = match v.get_ref().as_integer() {
            Some(i) => cx.error_status(&Spanned::new(v.span(), i), "status_on_error")?,
            None => {
                return Err(cx.err(
                    v.span(),
                    "`status_on_error` must be a whole number such as 500",
                ))
            }
        };
        if store.on_error != OnStoreError::Closed {
            return Err(cx.err(
                v.span(),
                "`status_on_error` is the status of `on_store_error = \"closed\"`; this level \
                 does not fail closed",
            ));
        }
    }
    // `sync_interval = "never"`: the replicas never sync, each keeps its own limiter (`local`);
    // lets one sweep run never / every request / every 10 s.
    if state == "synced"
        && t.get("sync_interval").and_then(|v| v.get_ref().as_str()) == Some("never")
    {
        return Ok(Placement::Local);
    }
    let interval = duration_key(cx, t, "sync_interval")?;
    Ok(match state.as_str() {
        "local" => Placement::Local,
        "split" => Placement::Split,
        "central" | "over_limit_cache" => {
            if let Some(v) = t.get("sync_interval") {
                return Err(cx.err(v.span(), "`sync_interval` is for `state = \"synced\"`"));
            }
            if state == "central" {
                Placement::Central(store)
            } else {
                Placement::OverLimitCache(store)
            }
        }
        "synced" => Placement::Synced {
            store,
            interval: interval.ok_or_else(|| {
                cx.err(
                    t.get("state").map_or(0..0, |v| v.span()),
                    "a `synced` level needs `sync_interval` (\"0s\": after every admission)",
                )
            })?,
        },
        other => {
            let v = t.get("state").map_or(0..0, |v| v.span());
            return Err(cx.unknown(&Spanned::new(v, other.to_string()), "state", STATES));
        }
    })
}

/// A `leases` level: a global limit, its `lease_period` and the store's round trip.
fn leases(cx: &Cx, t: &LimiterTable) -> R<Placement> {
    let at = t.get("state").map_or(0..0, |v| v.span());
    for k in [
        "store_timeout",
        "on_store_error",
        "status_on_error",
        "sync_interval",
    ] {
        if let Some(v) = t.get(k) {
            return Err(cx.err(
                v.span(),
                format!(
                    "`{k}` is not for `state = \"leases\"`: a replica that cannot renew keeps \
                     its lease until a renewal succeeds"
                ),
            ));
        }
    }
    if let Some(v) = t.get("scope") {
        if v.get_ref().as_str() != Some("global") {
            return Err(cx.err(
                v.span(),
                "a `leases` level shares one global limit among the replicas: its scope must \
                 be \"global\"",
            ));
        }
    }
    if !t.contains_key("limit") && !t.contains_key("rate") {
        return Err(cx.err(
            at,
            "a `leases` level leases shares of a limit: its algorithm needs `limit` or `rate` \
             (a concurrency cap cannot be leased)",
        ));
    }
    let period = duration_key(cx, t, "lease_period")?.ok_or_else(|| {
        cx.err(
            at.clone(),
            "a `leases` level needs `lease_period`, the time between two renewals (e.g. \"10s\")",
        )
    })?;
    if period.is_zero() {
        let v = t.get("lease_period").map_or(at, |v| v.span());
        return Err(cx.err(v, "`lease_period` must be longer than zero"));
    }
    let mut store = Store::default();
    if let Some(v) = t.get("store_rtt") {
        store.rtt = store_rtt(cx, v)?;
    }
    Ok(Placement::Leases { store, period })
}
