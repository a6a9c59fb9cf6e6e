//! What the scenario itself says about a run's charts, as marks drawn over the measured data:
//! the fault windows (shaded), the server's nominal capacity (a step line, lowered during
//! capacity drops) and the resets of fixed windows (where clients told to come back "at reset"
//! arrive together).
//!
//! Kept apart from the run adapters because these read the validated scenario, not the run
//! result: a run report rebuilt without its scenario simply has none of them.

use crate::charts::data::{Mark, Window};
use crate::charts::timeline::Capacity;
use sim::model::{FaultKind, Level, Scenario, Scope};

/// The scenario's fault windows, labelled by kind.
pub fn fault_windows(s: &Scenario) -> Vec<Window> {
    s.faults
        .iter()
        .map(|f| Window {
            start_s: f.start.as_secs_f64(),
            end_s: f.end().as_secs_f64(),
            label: match &f.kind {
                FaultKind::ErrorRate { status, rate } => {
                    format!("errors {status} ({:.0}%)", rate * 100.0)
                }
                FaultKind::Outage { status } => format!("outage {status}"),
                FaultKind::LatencySpike { .. } => "latency spike".to_owned(),
                FaultKind::CapacityDrop { workers } => format!("capacity drop to {workers}"),
            },
        })
        .collect()
}

/// Nominal rate (requests per second) a limiter level admits, from its `rate` parameter or its
/// `limit` per `window`; `None` for algorithms without a rate (concurrency, adaptive, quota).
fn level_rate(level: &Level) -> Option<f64> {
    let params = &level.params;
    if let Ok(rate) = params.rate("rate") {
        return Some(rate.per_sec());
    }
    // Windowed algorithms: `limit` per `window` (sliding) or per `period` (fixed window).
    let limit = params.u64("limit").ok()?;
    let window = params
        .positive_duration("window")
        .or_else(|_| params.positive_duration("period"))
        .ok()?;
    Some(limit as f64 / window.as_secs_f64())
}

/// The capacity line of the whole server: the lowest of the global limiter rates and the
/// backend's throughput (workers / mean service time), as a step line lowered during
/// capacity-drop faults. `None` when neither is known.
pub fn capacity(s: &Scenario, duration_s: f64) -> Option<Capacity> {
    let limit = s
        .server
        .levels
        .iter()
        .filter(|l| l.scope == Scope::Global)
        .filter_map(level_rate)
        .fold(None, |m: Option<f64>, v| Some(m.map_or(v, |m| m.min(v))));
    let mean_s = s.server.backend.service_time.mean().as_secs_f64();
    let backend = |workers: u32| (mean_s > 0.0).then(|| f64::from(workers) / mean_s);
    let base_backend = s.server.backend.workers.and_then(backend);
    let cap_at = |backend: Option<f64>| match (limit, backend) {
        (Some(l), Some(b)) => Some(l.min(b)),
        (l, b) => l.or(b),
    };
    let base = cap_at(base_backend)?;
    let mut points = vec![(0.0, base)];
    let mut drops: Vec<(f64, f64, f64)> =
        s.faults
            .iter()
            .filter_map(|f| match f.kind {
                FaultKind::CapacityDrop { workers } => cap_at(backend(workers))
                    .map(|c| (f.start.as_secs_f64(), f.end().as_secs_f64(), c)),
                _ => None,
            })
            .collect();
    drops.sort_by(|a, b| a.0.total_cmp(&b.0));
    for (a, b, c) in drops {
        points.extend([(a, base), (a, c), (b, c), (b, base)]);
    }
    points.push((duration_s, base));
    let what = match (limit, base_backend) {
        (Some(l), Some(b)) if l <= b => "global limit",
        (Some(_), Some(_)) | (None, Some(_)) => "backend capacity",
        _ => "global limit",
    };
    Some(Capacity {
        label: format!("{what} {base:.0} req/s"),
        points,
    })
}

/// Window resets of fixed-window levels (`fixed_window`: every `period`, offset by `align`), where
/// clients that were told to come back "at reset" arrive together.
pub fn window_resets(s: &Scenario, duration_s: f64) -> Vec<Mark> {
    let mut xs: Vec<f64> = Vec::new();
    for l in s
        .server
        .levels
        .iter()
        .filter(|l| l.algorithm == "fixed_window")
    {
        if let Ok(w) = l.params.positive_duration("period") {
            let w = w.as_secs_f64();
            // `align` defaults to 0 s; absent or unreadable, windows start at 0.
            let align = l
                .params
                .duration("align")
                .map_or(0.0, |a| a.as_secs_f64() % w);
            let n = ((duration_s - align) / w).floor().max(0.0) as u64;
            xs.extend((0..=n).map(|k| align + k as f64 * w));
        }
    }
    xs.sort_by(f64::total_cmp);
    xs.dedup();
    const MAX_MARKS: usize = 400;
    xs.into_iter()
        .take(MAX_MARKS)
        .map(|x| Mark {
            x,
            label: "window reset".into(),
        })
        .collect()
}
