//! `[[faults]]`: fault windows, which must lie inside the run.

use super::cx::{sp, Cx, Variant, R};
use super::dist::dist;
use crate::model::{Deployment, Fault, FaultKind};
use crate::scenario::spec::FaultSpec;
use limiters::Nanos;
use toml::Spanned;

/// The fault kinds (`kind = "..."` in `[[faults]]`).
pub const KNOWN: &[&str] = &["error_rate", "outage", "latency_spike", "capacity_drop"];

/// The keys fault kind `name` takes besides `kind`, `start` and `duration` (None: no such
/// kind).
pub fn keys(name: &str) -> Option<&'static [&'static str]> {
    Some(match name {
        "error_rate" => &["status", "rate"],
        "outage" => &["status"],
        "latency_spike" => &["extra"],
        "capacity_drop" => &["workers"],
        _ => return None,
    })
}

/// The `replica` of each fault, into the deployment (a fault without one hits every
/// replica); a `replica` without a `[deployment]`, or past its last replica, is an error at it.
pub(crate) fn replicas(
    cx: &Cx,
    faults: &[Spanned<FaultSpec>],
    mut d: Option<&mut Deployment>,
) -> R<()> {
    for (i, f) in faults.iter().enumerate() {
        let Some(r) = &f.get_ref().replica else {
            continue;
        };
        let Some(d) = d.as_deref_mut() else {
            return Err(cx.err(
                r.span(),
                "`replica` picks one replica of a `[deployment]`: add the section, or drop \
                 `replica` (one server)",
            ));
        };
        let hi = i64::from(d.replicas) - 1;
        let v: u32 = cx.int(r, "replica", 0, hi)?;
        d.fault_replicas.resize(faults.len(), None);
        d.fault_replicas[i] = Some(v);
    }
    Ok(())
}

/// Validate one fault against the run's horizon.
pub(crate) fn fault(cx: &Cx, f: &Spanned<FaultSpec>, horizon: Nanos) -> R<Fault> {
    let span = f.span();
    let f = f.get_ref();
    let name = f.kind.get_ref().as_str();
    let Some(takes) = keys(name) else {
        return Err(cx.unknown(&f.kind, "fault kind", KNOWN));
    };
    let v = Variant {
        tag: "kind",
        name,
        takes,
    };
    cx.only(
        &v,
        &[
            ("status", sp(&f.status)),
            ("rate", sp(&f.rate)),
            ("extra", sp(&f.extra)),
            ("workers", sp(&f.workers)),
        ],
    )?;
    let start = f.start.get_ref().0;
    let duration = cx.positive(&f.duration, "duration")?;
    if start >= horizon {
        return Err(cx.err(
            f.start.span(),
            format!("fault starts at {start}, outside the run (which lasts {horizon})"),
        ));
    }
    if start + duration > horizon {
        return Err(cx.err(
            f.duration.span(),
            format!(
                "fault ends at {}, after the run ends ({horizon}); shorten it to at most {}",
                start + duration,
                horizon - start
            ),
        ));
    }
    let status = |default: u16| -> R<u16> {
        f.status
            .as_ref()
            .map_or(Ok(default), |s| cx.error_status(s, "status"))
    };
    let kind = match name {
        "error_rate" => FaultKind::ErrorRate {
            status: status(500)?,
            rate: cx.probability(cx.required(&f.rate, "rate", span, &v)?, "rate")?,
        },
        "outage" => FaultKind::Outage {
            status: status(503)?,
        },
        "latency_spike" => FaultKind::LatencySpike {
            extra: dist(cx, cx.required(&f.extra, "extra", span, &v)?)?,
        },
        _ => FaultKind::CapacityDrop {
            workers: cx.int(
                cx.required(&f.workers, "workers", span, &v)?,
                "workers",
                0,
                u32::MAX as i64,
            )?,
        },
    };
    Ok(Fault {
        start,
        duration,
        kind,
    })
}
