//! Step two of loading: the spec types into the runtime [`Scenario`], checking every value
//! and pointing at the offending one. Ends with the model's own [`Scenario::validate`] as a
//! backstop, its field path mapped back to the nearest table in the file.

mod cx;
mod deployment;
mod dist;
mod fault;
mod fleet;
mod gates;
mod headers;
mod hedge;
mod level_opts;
mod placement;
mod problems;
mod retry;
mod retry_variants;
mod server;
mod upstream;

pub use level_opts::DIALECTS;
pub use retry::DEFAULT_MAX_ATTEMPTS;

/// The names a scenario file may use for each kind of thing, as the loader checks them: what
/// `throttlelab list` prints and `throttlelab schema` turns into enums.
pub mod kinds {
    pub use super::dist::{keys as distribution_keys, KNOWN as DISTRIBUTIONS};
    pub use super::fault::{keys as fault_keys, KNOWN as FAULTS};
    pub use super::fleet::{process_keys, PROCESSES};
    pub use super::gates::GATE_KINDS as GATES;
    pub use super::level_opts::DIALECTS;
    pub use super::level_opts::{CHARGES, LEVEL_KEYS};
    pub use super::retry::{JITTERS, POLICIES};
    pub use super::server::{RESERVED as LEVEL_RESERVED, SCOPES};
}

use crate::model::{Network, Scenario, DEFAULT_EPOCH};
use crate::scenario::spec::ScenarioSpec;
pub(crate) use cx::Cx;
use cx::R;
use limiters::{Nanos, Registry};
use problems::Problems;
use std::collections::BTreeMap;
use std::ops::Range;

/// Time-series bucket width when a scenario does not say.
pub const DEFAULT_BUCKET: Nanos = Nanos::from_secs(1);
/// Seed when a scenario does not say.
pub const DEFAULT_SEED: u64 = 1;

/// Validate a parsed scenario into the runtime model, reporting every problem found in one
/// pass ([`Problems`]): each top-level value, the server, each fault, each fleet and the
/// deployment are checked even when an earlier one failed.
pub(crate) fn scenario(cx: &Cx, s: &ScenarioSpec, registry: &Registry) -> R<Scenario> {
    let mut spans: BTreeMap<String, Range<usize>> = BTreeMap::new();
    let mut p = Problems::default();
    let name = s.name.get_ref();
    if name.is_empty()
        || name.starts_with('.')
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        p.note(cx.err(
            s.name.span(),
            "`name` names the output folder: use letters, digits, `-`, `_` and `.` (not first)",
        ));
    }
    let mut out = Scenario::new(name);
    out.description = s.description.clone();
    out.question = s.question.trim().to_owned();
    out.seed = p
        .take(cx.int_or(&s.seed, "seed", 0, i64::MAX, DEFAULT_SEED))
        .unwrap_or(DEFAULT_SEED);
    spans.insert("duration".into(), s.duration.span());
    // Checks that need the run's length are skipped when it is itself wrong.
    let duration = p.take(cx.positive(&s.duration, "duration"));
    if let Some(d) = duration {
        out.duration = d;
        out.bucket = DEFAULT_BUCKET.min(d);
    }
    if let Some(b) = &s.bucket {
        spans.insert("bucket".into(), b.span());
        if let Some(v) = p.take(cx.positive(b, "bucket")) {
            match duration {
                Some(d) if v > d => p.note(cx.err(
                    b.span(),
                    format!("`bucket` ({v}) is longer than the run ({d})"),
                )),
                _ => out.bucket = v,
            }
        }
    }
    if let Some(r) = &s.arrival_resolution {
        spans.insert("arrival_resolution".into(), r.span());
        if let Some(v) = p.take(cx.positive(r, "arrival_resolution")) {
            out.arrival_resolution = v;
        }
    }
    out.epoch = p
        .take(cx.int_or(&s.epoch, "epoch", 0, i64::MAX, DEFAULT_EPOCH))
        .unwrap_or(DEFAULT_EPOCH);
    let fleet_names: Vec<&str> = s.fleet.keys().map(String::as_str).collect();
    if let Some(server) = p.take(server::server(
        cx,
        &s.server,
        registry,
        out.epoch as i64,
        &fleet_names,
    )) {
        out.server = server;
    }
    for (i, l) in s.server.limiters.iter().enumerate() {
        spans.insert(format!("server.limiters[{i}]"), l.span());
    }
    if let Some(b) = &s.server.backend {
        spans.insert("server.backend".into(), b.span());
    }
    let mut network_ok = true;
    if let Some(d) = &s.network.delay {
        spans.insert("network.delay".into(), d.span());
        match p.take(dist::dist(cx, d)) {
            Some(delay) => out.network = Network { delay },
            None => network_ok = false,
        }
    }
    for (i, f) in s.faults.iter().enumerate() {
        spans.insert(format!("faults[{i}]"), f.span());
        if let Some(d) = duration {
            if let Some(fault) = p.take(fault::fault(cx, f, d)) {
                out.faults.push(fault);
            }
        }
    }
    for (i, u) in s.server.upstreams.iter().flatten().enumerate() {
        spans.insert(format!("server.upstreams[{i}]"), u.span());
    }
    if let Some(d) = duration {
        let ups = s.server.upstreams.as_deref().unwrap_or(&[]);
        if let Some(u) = p.take(upstream::upstreams(cx, ups, d)) {
            out.server.upstreams = u;
        }
    }
    if s.fleet.is_empty() {
        p.note(cx.err(
            0..0,
            "a scenario needs at least one fleet: add a `[fleet.<name>]` table",
        ));
    }
    for (name, f) in &s.fleet {
        spans.insert(format!("fleet.{name}"), f.span());
        let Some(fl) = p.take(fleet::fleet(cx, name, f)) else {
            continue;
        };
        if network_ok && crate::model::closed_stalls(&fl.arrival, &out.network.delay) {
            p.note(cx.err(f.get_ref().arrival.span(), crate::model::CLOSED_STALLS));
        }
        out.fleets.push(fl);
    }
    if let Some(d) = &s.deployment {
        spans.insert("deployment".into(), d.span());
    }
    if let Some(d) = duration {
        let limiters = &s.server.limiters;
        if let Some(dep) = p.take(deployment::deployment(
            cx,
            s.deployment.as_ref(),
            limiters,
            d,
        )) {
            out.deployment = dep;
            p.take(fault::replicas(cx, &s.faults, out.deployment.as_mut()));
        }
    }
    // The model's own checks assume every section was read: only when all were.
    p.finish()?;
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
