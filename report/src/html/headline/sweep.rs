//! The answer of a sweep: for the fleet the swept parameters touch (`fleet.jitter.retry.jitter`
//! touches fleet `jitter`; the whole run when they touch none or several), the point that is
//! best on the first figure whose best and worst points' 95% intervals do not overlap, with
//! that figure and up to two more, each as best against worst point with their intervals.
//! Figures are read from the `points` table (`jitter:rejected_total_mean`, `..._ci95_lo`, ...).

use super::{noun, with_ci, Headline};
use crate::charts::from_sweep::{short_name, show_cell};
use crate::html::compare_report::{direction, Better};
use crate::tables::{ParamManifest, Table};
use crate::value_label::{short_value, MAX_LABEL};

/// The figures that can decide, in the order they are tried.
const DECIDERS: [&str; 5] = [
    "rejected_total",
    "latency_p99_ms",
    "goodput_rps",
    "success_ratio",
    "retry_amplification",
];

/// A point's value of a figure: (row, mean, 95% interval).
type Value = (usize, f64, Option<(f64, f64)>);

/// One figure across the points: the best and the worst point.
struct Spread {
    figure: String,
    best: Value,
    worst: Value,
    /// The two intervals do not overlap.
    significant: bool,
}

/// The fleet prefix (`jitter:`) when every swept parameter is under one fleet whose figures
/// the points table has; else `""` (all fleets).
pub(crate) fn fleet_prefix(params: &[ParamManifest], points: &Table) -> String {
    let fleets: std::collections::BTreeSet<&str> = params
        .iter()
        .filter(|p| p.values.len() > 1)
        .map(|p| match p.path.strip_prefix("fleet.") {
            Some(rest) => rest.split('.').next().unwrap_or(""),
            None => "",
        })
        .collect();
    match fleets.into_iter().collect::<Vec<_>>()[..] {
        [f] if !f.is_empty() && points.column(&format!("{f}:goodput_rps_mean")).is_some() => {
            format!("{f}:")
        }
        _ => String::new(),
    }
}

fn spread(points: &Table, figure: &str) -> Option<Spread> {
    let better = direction(figure)?;
    let mean = points.column(&format!("{figure}_mean"))?;
    let lo = points.column(&format!("{figure}_ci95_lo"));
    let hi = points.column(&format!("{figure}_ci95_hi"));
    let vals: Vec<Value> = (0..points.len())
        .filter_map(|r| {
            let m = mean[r].as_f64()?;
            let ci = lo
                .and_then(|c| c[r].as_f64())
                .zip(hi.and_then(|c| c[r].as_f64()));
            Some((r, m, ci))
        })
        .collect();
    let key = |v: &Value| match better {
        Better::Higher => -v.1,
        Better::Lower => v.1,
    };
    let best = *vals.iter().min_by(|a, b| key(a).total_cmp(&key(b)))?;
    let worst = *vals.iter().max_by(|a, b| key(a).total_cmp(&key(b)))?;
    if best.1 == worst.1 {
        return None;
    }
    let significant = match (best.2, worst.2) {
        (Some(b), Some(w)) => b.1 < w.0 || w.1 < b.0,
        _ => false,
    };
    Some(Spread {
        figure: figure.to_owned(),
        best,
        worst,
        significant,
    })
}

/// The spreads of the deciding figures of one scope (`""` or a fleet's `quiet:`).
fn spreads_of(points: &Table, prefix: &str) -> Vec<Spread> {
    DECIDERS
        .iter()
        .filter_map(|f| spread(points, &format!("{prefix}{f}")))
        .collect()
}

/// When the swept parameters touch no single fleet (a server limit), every fleet may change:
/// the fleet whose first significant deciding figure moves most, relative to its larger
/// value, leads the answer (the quiet tenant that a per-tenant limit rescues, not the total
/// that hides it); `None` with one fleet or no significant change.
fn most_changed(points: &Table) -> Option<String> {
    let fleets: Vec<String> = points
        .names()
        .iter()
        .filter_map(|n| n.strip_suffix("goodput_rps_mean")?.strip_suffix(':'))
        .map(|f| format!("{f}:"))
        .collect();
    let relative = |s: &Spread| {
        let m = s.best.1.abs().max(s.worst.1.abs());
        if m > 0.0 {
            (s.best.1 - s.worst.1).abs() / m
        } else {
            0.0
        }
    };
    fleets
        .into_iter()
        .filter_map(|p| {
            let first = spreads_of(points, &p).into_iter().find(|s| s.significant)?;
            Some((relative(&first), p))
        })
        .max_by(|a, b| a.0.total_cmp(&b.0).then(b.1.cmp(&a.1)))
        .map(|(_, p)| p)
}

/// The label of a point: its swept values (`jitter=full`), or `point 2` when a value is too
/// long for a sentence (a whole limiter table; the points table lists it).
fn label(params: &[ParamManifest], points: &Table, r: usize) -> String {
    let values: Vec<(String, String)> = params
        .iter()
        .filter(|p| p.values.len() > 1)
        .map(|p| {
            let v = points
                .column(&p.path)
                .map_or_else(String::new, |c| short_value(&show_cell(&c[r])));
            (short_name(&p.path), v)
        })
        .collect();
    if values.len() == 1 && values[0].1.chars().count() <= MAX_LABEL {
        // One parameter: its value names the point (`tenant 25/s`, `jitter=full`).
        let (n, v) = &values[0];
        return if v.contains(' ') {
            v.clone()
        } else {
            format!("{n}={v}")
        };
    }
    if values.iter().any(|(_, v)| v.chars().count() > 20) {
        let k = points
            .column("point")
            .and_then(|c| c[r].as_f64())
            .unwrap_or(r as f64);
        return format!("point {k}");
    }
    values
        .iter()
        .map(|(n, v)| format!("{n}={v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The name of the chart of `figure` against the swept parameter, as the sweep charts name it
/// (`sweep_fleet_jitter_rejected_total`):
/// the report draws it when the sweep charts do not have it.
pub fn headline_chart_name(figure: &str) -> String {
    match figure.split_once(':') {
        Some((fleet, base)) => format!("sweep_fleet_{fleet}_{base}"),
        None => format!("sweep_{figure}"),
    }
}

/// The headline of a sweep report, and the figure column its chart shows (`jitter:rejected_total`).
pub fn sweep_headline(
    params: &[ParamManifest],
    points: &Table,
    question: String,
) -> (Headline, String) {
    let touched = fleet_prefix(params, points);
    let (prefix, scope) = if touched.is_empty() {
        match most_changed(points) {
            Some(p) => {
                let scope = format!("Fleet {} (changed most)", p.trim_end_matches(':'));
                (p, scope)
            }
            None => (String::new(), "All fleets".to_owned()),
        }
    } else {
        let scope = format!(
            "Fleet {} (the one the sweep changes)",
            touched.trim_end_matches(':')
        );
        (touched, scope)
    };
    let spreads = spreads_of(points, &prefix);
    let phrase = |s: &Spread| {
        format!(
            "{} {} at {} vs {} at {}",
            noun(&s.figure),
            with_ci(&s.figure, s.best.1, s.best.2),
            label(params, points, s.best.0),
            with_ci(&s.figure, s.worst.1, s.worst.2),
            label(params, points, s.worst.0)
        )
    };
    let decider = spreads.iter().position(|s| s.significant);
    let (answer, fig) = match decider {
        Some(d) => {
            let s = &spreads[d];
            let mut parts = vec![phrase(s)];
            parts.extend(
                spreads
                    .iter()
                    .enumerate()
                    .filter(|(i, o)| *i != d && o.significant)
                    .take(1)
                    .map(|(_, o)| phrase(o)),
            );
            (
                format!(
                    "{scope}: {} is best on {}: {}. Brackets: 95% confidence intervals over \
                     the seeds.",
                    label(params, points, s.best.0),
                    noun(&s.figure),
                    parts.join("; ")
                ),
                s.figure.clone(),
            )
        }
        None => match spreads.first() {
            Some(s) => (
                format!(
                    "{scope}: the seeds cannot tell the points apart at 95% confidence ({}).",
                    phrase(s)
                ),
                s.figure.clone(),
            ),
            None => (
                format!("{scope}: every point has the same headline figures."),
                format!("{prefix}goodput_rps"),
            ),
        },
    };
    // The sweep charts' own chart of that column when they drew one (the report draws it
    // otherwise).
    let name = headline_chart_name(&fig);
    (
        Headline {
            question,
            answer,
            chart: Some(name),
        },
        fig,
    )
}

#[cfg(test)]
mod tests;
