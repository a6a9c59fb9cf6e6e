//! `[deployment]` and the limiter levels' `state` keys, into [`crate::model::Deployment`].
//!
//! ```toml
//! [deployment]
//! replicas = 3
//! balancer = "round_robin"        # random, least_outstanding, power_of_two, hash_key,
//!                                 # or { weighted = [2, 1, 1] }
//! health_check_delay = "2s"
//! [[deployment.events]]
//! kind = "fail"                   # drain, store_outage, store_latency, store_partition
//! replica = 1
//! start = "20s"
//! duration = "10s"
//!
//! [[server.limiters]]             # where this level's state lives:
//! state = "synced"                # local (default), split, central, over_limit_cache, synced,
//!                                 # leases
//! sync_interval = "10s"           # synced: "0s" after every admission, "never" = local
//! lease_period = "10s"            # leases: time between two renewals (a global limit only)
//! store_rtt = "1ms"               # central, synced: a duration or a distribution table
//! store_timeout = "20ms"          # a call not answered by then has failed
//! on_store_error = "open"         # closed, local
//! ```

use super::cx::{Cx, R};
use crate::model::{
    Balancer, Deployment, EventKind, OnStoreError, Placement, ReplicaEvent, Store, MAX_REPLICAS,
};
use crate::scenario::spec::{DeploymentSpec, DistSpec, LimiterTable};
use crate::scenario::Dur;
use limiters::Nanos;
use serde::Deserialize;
use toml::Spanned;

const BALANCERS: &[&str] = &[
    "round_robin",
    "random",
    "least_outstanding",
    "power_of_two",
    "hash_key",
    "{ weighted = [..] }",
];
const STATES: &[&str] = &[
    "local",
    "split",
    "central",
    "over_limit_cache",
    "synced",
    "leases",
];
const ON_ERROR: &[&str] = &["open", "closed", "local"];
const KINDS: &[&str] = &[
    "fail",
    "drain",
    "store_outage",
    "store_latency",
    "store_partition",
];

/// The deployment of a scenario lasting `duration`, with its `levels` tables.
pub(crate) fn deployment(
    cx: &Cx,
    d: Option<&Spanned<DeploymentSpec>>,
    levels: &[Spanned<LimiterTable>],
    duration: Nanos,
) -> R<Option<Deployment>> {
    let Some(d) = d else {
        for l in levels {
            if let Some(v) = l.get_ref().get("state") {
                if v.get_ref().as_str() != Some("local") {
                    return Err(cx.err(
                        v.span(),
                        "`state` says where a level's state lives among replicas: it needs a \
                         `[deployment]` section",
                    ));
                }
            }
        }
        return Ok(None);
    };
    let spec = d.get_ref();
    let replicas: u32 = cx.int(&spec.replicas, "replicas", 1, i64::from(MAX_REPLICAS))?;
    let mut out = Deployment::new(replicas, levels.len());
    if let Some(b) = &spec.balancer {
        out.balancer = balancer(cx, b, replicas)?;
    }
    if let Some(h) = &spec.health_check_delay {
        out.health_check_delay = h.get_ref().0;
    }
    for (i, l) in levels.iter().enumerate() {
        out.placement[i] = placement(cx, l.get_ref())?;
    }
    for e in &spec.events {
        let e = e.get_ref();
        let kind = match e.kind.get_ref().as_str() {
            "fail" => EventKind::Fail,
            "drain" => EventKind::Drain,
            "store_outage" => EventKind::StoreOutage,
            "store_partition" => EventKind::StorePartition,
            "store_latency" => {
                let x = e.extra.as_ref().ok_or_else(|| {
                    cx.err(
                        e.kind.span(),
                        "a `store_latency` event needs `extra`, the added round trip",
                    )
                })?;
                EventKind::StoreLatency(x.get_ref().0)
            }
            _ => return Err(cx.unknown(&e.kind, "deployment event", KINDS)),
        };
        let needs_replica = matches!(
            kind,
            EventKind::Fail | EventKind::Drain | EventKind::StorePartition
        );
        let replica = match (&e.replica, needs_replica) {
            (Some(r), true) => Some(cx.int::<u32>(r, "replica", 0, i64::from(replicas) - 1)?),
            (None, true) => {
                return Err(cx.err(
                    e.kind.span(),
                    format!(
                        "a `{}` event needs `replica`, an index from 0 to {}",
                        e.kind.get_ref(),
                        replicas - 1
                    ),
                ))
            }
            (Some(r), false) => {
                return Err(cx.err(
                    r.span(),
                    format!(
                        "a `{}` event hits every replica: drop `replica`",
                        e.kind.get_ref()
                    ),
                ))
            }
            (None, false) => None,
        };
        let at = e.start.get_ref().0;
        if at >= duration {
            return Err(cx.err(
                e.start.span(),
                format!("`start` ({at}) is not before the end of the run ({duration})"),
            ));
        }
        let len = cx.positive(&e.duration, "duration")?;
        out.events.push(ReplicaEvent {
            kind,
            replica,
            at,
            until: at + len,
        });
    }
    Ok(Some(out))
}

fn balancer(cx: &Cx, b: &Spanned<toml::Value>, replicas: u32) -> R<Balancer> {
    let bad = || {
        cx.err(
            b.span(),
            format!("`balancer` is one of: {}", BALANCERS.join(", ")),
        )
    };
    if let Some(name) = b.get_ref().as_str() {
        return Ok(match name {
            "round_robin" => Balancer::RoundRobin,
            "random" => Balancer::Random,
            "least_outstanding" => Balancer::LeastOutstanding,
            "power_of_two" => Balancer::PowerOfTwo,
            "hash_key" => Balancer::HashKey,
            other => {
                let s = Spanned::new(b.span(), other.to_string());
                return Err(cx.unknown(&s, "balancer", &BALANCERS[..5]));
            }
        });
    }
    let t = b.get_ref().as_table().ok_or_else(bad)?;
    let w = match (t.len(), t.get("weighted")) {
        (1, Some(w)) => w.as_array().ok_or_else(bad)?,
        _ => return Err(bad()),
    };
    if w.len() != replicas as usize {
        return Err(cx.err(
            b.span(),
            format!(
                "`weighted` has {} weights for {replicas} replicas: give one per replica",
                w.len()
            ),
        ));
    }
    let mut out = Vec::with_capacity(w.len());
    for x in w {
        match x.as_integer() {
            Some(v) if (0..=i64::from(u32::MAX)).contains(&v) => out.push(v as u32),
            _ => {
                return Err(cx.err(
                    b.span(),
                    "a weight is a whole number, 0 or more (0: never picked)",
                ))
            }
        }
    }
    if out.iter().all(|&v| v == 0) {
        return Err(cx.err(b.span(), "every weight is 0: no replica would be picked"));
    }
    Ok(Balancer::Weighted(out))
}

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
fn placement(cx: &Cx, t: &LimiterTable) -> R<Placement> {
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
    for k in ["store_timeout", "on_store_error", "sync_interval"] {
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
