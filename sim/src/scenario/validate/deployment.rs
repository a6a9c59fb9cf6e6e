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
use super::placement::placement;
use crate::model::{Balancer, Deployment, EventKind, ReplicaEvent, MAX_REPLICAS};
use crate::scenario::spec::{DeploymentSpec, LimiterTable};
use limiters::Nanos;
use toml::Spanned;

const BALANCERS: &[&str] = &[
    "round_robin",
    "random",
    "least_outstanding",
    "power_of_two",
    "hash_key",
    "{ weighted = [..] }",
];
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
