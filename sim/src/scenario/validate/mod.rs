//! Step two of loading: the spec types into the runtime [`Scenario`], checking every value
//! and pointing at the offending one. Ends with the model's own [`Scenario::validate`] as a
//! backstop, its field path mapped back to the nearest table in the file.

mod cx;
mod deployment;
mod dist;
mod fault;
mod fleet;
mod gates;
mod hedge;
mod level_opts;
mod retry;
mod retry_variants;
mod server;
mod upstream;

pub use retry::DEFAULT_MAX_ATTEMPTS;
pub use server::DIALECTS;

/// The names a scenario file may use for each kind of thing, as the loader checks them: what
/// `throttlelab list` prints and `throttlelab schema` turns into enums.
pub mod kinds {
    pub use super::dist::{keys as distribution_keys, KNOWN as DISTRIBUTIONS};
    pub use super::fault::{keys as fault_keys, KNOWN as FAULTS};
    pub use super::fleet::{process_keys, PROCESSES};
    pub use super::gates::GATE_KINDS as GATES;
    pub use super::level_opts::{CHARGES, LEVEL_KEYS};
    pub use super::retry::{JITTERS, POLICIES};
    pub use super::server::{DIALECTS, RESERVED as LEVEL_RESERVED, SCOPES};
}

use crate::model::{Network, Scenario, DEFAULT_EPOCH};
use crate::scenario::spec::ScenarioSpec;
pub(crate) use cx::Cx;
use cx::R;
use limiters::{Nanos, Registry};
use std::collections::BTreeMap;
use std::ops::Range;

/// Time-series bucket width when a scenario does not say.
pub const DEFAULT_BUCKET: Nanos = Nanos::from_secs(1);
/// Seed when a scenario does not say.
pub const DEFAULT_SEED: u64 = 1;

/// Validate a parsed scenario into the runtime model.
pub(crate) fn scenario(cx: &Cx, s: &ScenarioSpec, registry: &Registry) -> R<Scenario> {
    let mut spans: BTreeMap<String, Range<usize>> = BTreeMap::new();
    let name = s.name.get_ref();
    if name.is_empty()
        || name.starts_with('.')
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        return Err(cx.err(
            s.name.span(),
            "`name` names the output folder: use letters, digits, `-`, `_` and `.` (not first)",
        ));
    }
    let mut out = Scenario::new(name);
    out.description = s.description.clone();
    out.question = s.question.trim().to_owned();
    out.seed = cx.int_or(&s.seed, "seed", 0, i64::MAX, DEFAULT_SEED)?;
    out.duration = cx.positive(&s.duration, "duration")?;
    spans.insert("duration".into(), s.duration.span());
    out.bucket = match &s.bucket {
        None => DEFAULT_BUCKET.min(out.duration),
        Some(b) => {
            spans.insert("bucket".into(), b.span());
            let v = cx.positive(b, "bucket")?;
            if v > out.duration {
                return Err(cx.err(
                    b.span(),
                    format!("`bucket` ({v}) is longer than the run ({})", out.duration),
                ));
            }
            v
        }
    };
    if let Some(r) = &s.arrival_resolution {
        spans.insert("arrival_resolution".into(), r.span());
        out.arrival_resolution = cx.positive(r, "arrival_resolution")?;
    }
    out.epoch = cx.int_or(&s.epoch, "epoch", 0, i64::MAX, DEFAULT_EPOCH)?;
    let fleet_names: Vec<&str> = s.fleet.keys().map(String::as_str).collect();
    out.server = server::server(cx, &s.server, registry, out.epoch as i64, &fleet_names)?;
    for (i, l) in s.server.limiters.iter().enumerate() {
        spans.insert(format!("server.limiters[{i}]"), l.span());
    }
    if let Some(b) = &s.server.backend {
        spans.insert("server.backend".into(), b.span());
    }
    out.network = Network {
        delay: match &s.network.delay {
            Some(d) => {
                spans.insert("network.delay".into(), d.span());
                dist::dist(cx, d)?
            }
            None => Default::default(),
        },
    };
    for (i, f) in s.faults.iter().enumerate() {
        spans.insert(format!("faults[{i}]"), f.span());
        out.faults.push(fault::fault(cx, f, out.duration)?);
    }
    for (i, u) in s.server.upstreams.iter().flatten().enumerate() {
        spans.insert(format!("server.upstreams[{i}]"), u.span());
    }
    out.server.upstreams = upstream::upstreams(
        cx,
        s.server.upstreams.as_deref().unwrap_or(&[]),
        out.duration,
    )?;
    if s.fleet.is_empty() {
        return Err(cx.err(
            0..0,
            "a scenario needs at least one fleet: add a `[fleet.<name>]` table",
        ));
    }
    for (name, f) in &s.fleet {
        spans.insert(format!("fleet.{name}"), f.span());
        let fl = fleet::fleet(cx, name, f)?;
        if crate::model::closed_stalls(&fl.arrival, &out.network.delay) {
            return Err(cx.err(f.get_ref().arrival.span(), crate::model::CLOSED_STALLS));
        }
        out.fleets.push(fl);
    }
    if let Some(d) = &s.deployment {
        spans.insert("deployment".into(), d.span());
    }
    out.deployment =
        deployment::deployment(cx, s.deployment.as_ref(), &s.server.limiters, out.duration)?;
    fault::replicas(cx, &s.faults, out.deployment.as_mut())?;
    out.validate(registry).map_err(|e| {
        let field = e.field();
        let span = spans
            .iter()
            .filter(|(path, _)| field.starts_with(path.as_str()))
            .max_by_key(|(path, _)| path.len())
            .map_or(0..0, |(_, span)| span.clone());
        cx.err(span, e.to_string())
    })?;
    Ok(out)
}
