//! `[[server.upstreams]]` (named upstreams with their own fault windows) and
//! `[fleet.<name>.failover]` (when a client moves on to the next upstream).

use super::cx::{Cx, R};
use super::fault::fault;
use crate::model::{Failover, Upstream};
use crate::retry::StatusSet;
use crate::scenario::spec::{FailoverSpec, UpstreamSpec};
use limiters::Nanos;
use toml::Spanned;

/// The upstreams, their faults checked against the run's `horizon`.
pub(crate) fn upstreams(
    cx: &Cx,
    specs: &[Spanned<UpstreamSpec>],
    horizon: Nanos,
) -> R<Vec<Upstream>> {
    let mut out = Vec::with_capacity(specs.len());
    for u in specs {
        let spec = u.get_ref();
        let name = spec.name.get_ref().trim();
        if name.is_empty() {
            return Err(cx.err(spec.name.span(), "an upstream needs a name"));
        }
        if out.iter().any(|o: &Upstream| o.name == name) {
            return Err(cx.err(spec.name.span(), format!("duplicate upstream `{name}`")));
        }
        let mut faults = Vec::with_capacity(spec.faults.len());
        for f in &spec.faults {
            let k = f.get_ref().kind.get_ref().as_str();
            if !matches!(k, "error_rate" | "outage") {
                return Err(cx.err(
                    f.get_ref().kind.span(),
                    "an upstream's faults are `error_rate` or `outage` (latency and capacity \
                     belong to the shared backend: use `[[faults]]`)",
                ));
            }
            if let Some(r) = &f.get_ref().replica {
                return Err(cx.err(
                    r.span(),
                    "`replica` is for a `[[faults]]` window of a `[deployment]`, not an \
                     upstream's",
                ));
            }
            faults.push(fault(cx, f, horizon)?);
        }
        out.push(Upstream {
            name: name.to_string(),
            faults,
        });
    }
    Ok(out)
}

/// A fleet's fail-over rule.
pub(crate) fn failover(cx: &Cx, f: &Spanned<FailoverSpec>) -> R<Failover> {
    let spec = f.get_ref();
    let mut on = StatusSet::of(&[]);
    for s in spec.on.get_ref() {
        on.insert(cx.error_status(s, "on")?);
    }
    if spec.on.get_ref().is_empty() {
        return Err(cx.err(
            spec.on.span(),
            "`on` needs at least one status (e.g. [502])",
        ));
    }
    let after = cx.int_or(&spec.after, "after", 1, i64::from(u8::MAX), 1)?;
    Ok(Failover { on, after })
}
