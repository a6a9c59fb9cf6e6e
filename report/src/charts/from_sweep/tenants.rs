//! Per-tenant sweep charts: where tenants split the clients differently from fleets (the
//! fairness sweep: three quiet tenants in one fleet beside a noisy one), the whole run's and
//! each fleet's curves hide who gets the capacity. One chart per figure
//! (`sweep_tenants_<figure>`), one line per tenant, so the number of files does not grow with
//! the tenants; past [`MAX_TENANT_LINES`] tenants a note points to `points_long` instead.

use super::super::palette::Palette;
use super::super::sweep::{sweep_chart, MeanLine, SweepChart};
use super::super::{Chart, ChartError};
use super::layout::{mean_lines, Layout};
use crate::tables::{scopes_of, Scope, Table};

/// The figures drawn per tenant: column, name in titles, y axis with unit.
pub const TENANT_FIGURES: [(&str, &str, &str); 4] = [
    ("goodput_rps", "Goodput", "goodput, successful requests/s"),
    (
        "success_ratio",
        "Success ratio",
        "successes / logical requests",
    ),
    (
        "rejection_rate",
        "Rejection rate",
        "share of attempts rejected by limiters",
    ),
    (
        "latency_p99_ms",
        "p99 latency",
        "p99 latency of successes, ms",
    ),
];

/// Most tenants drawn as lines of one chart (beyond, the lines cannot be told apart).
pub const MAX_TENANT_LINES: usize = 10;

/// What the per-tenant charts share with the others of the sweep.
pub(super) struct Axis<'a> {
    pub x_path: &'a str,
    pub x_short: &'a str,
    pub x_desc: &'a str,
    pub seeds_note: &'a str,
}

/// The tenants of the points table (those with per-tenant columns), in column order.
fn tenants_of(points: &Table) -> Vec<String> {
    scopes_of(
        points.names().iter().map(String::as_str),
        "goodput_rps_mean",
    )
    .into_iter()
    .filter_map(|s| match s {
        Scope::Tenant(n) => Some(n),
        _ => None,
    })
    .collect()
}

/// The per-tenant charts of a sweep laid out as `l`, appended to `charts`; remarks to `notes`.
pub(super) fn tenant_charts(
    l: &Layout,
    points: &Table,
    axis: &Axis<'_>,
    charts: &mut Vec<Chart>,
    notes: &mut Vec<String>,
) -> Result<(), ChartError> {
    let tenants = tenants_of(points);
    if tenants.is_empty() {
        return Ok(());
    }
    if tenants.len() > MAX_TENANT_LINES {
        notes.push(format!(
            "{} tenants: too many lines for one chart, no per-tenant chart (each tenant's \
             figures are in the points tables, `tenant/<name>:<figure>`, and points_long).",
            tenants.len()
        ));
        return Ok(());
    }
    // One line per tenant and combination of the other parameters.
    let name = |t: &str, line: &str| {
        if l.lines.len() > 1 {
            format!("tenant {t}, {line}")
        } else {
            format!("tenant {t}")
        }
    };
    let names: Vec<String> = tenants
        .iter()
        .flat_map(|t| l.lines.iter().map(move |line| name(t, line)))
        .collect();
    let palette = Palette::new(&names);
    for (fig, noun, y_desc) in TENANT_FIGURES {
        let lines: Vec<MeanLine> = tenants
            .iter()
            .flat_map(|t| {
                let column = format!("{}{fig}", Scope::Tenant(t.clone()).prefix());
                mean_lines(l, points, &column)
                    .into_iter()
                    .map(move |m| MeanLine {
                        name: name(t, &m.name),
                        points: m.points,
                    })
            })
            .collect();
        if lines.is_empty() {
            continue;
        }
        let all_zero = lines
            .iter()
            .flat_map(|l| l.points.iter())
            .all(|p| p.mean == 0.0);
        if all_zero && fig != "goodput_rps" {
            notes.push(format!("{noun} per tenant is 0 at every point: no chart."));
            continue;
        }
        let data = SweepChart {
            name: format!("sweep_tenants_{fig}"),
            title: format!("{noun} per tenant against {}", axis.x_short),
            caption: format!(
                "{noun} of each tenant ({y_desc}) at each value of {}, one line per tenant. {}",
                axis.x_path, axis.seeds_note
            ),
            x_desc: axis.x_desc.to_owned(),
            y_desc: y_desc.to_owned(),
            categories: l.categories.clone(),
            lines,
            models: Vec::new(),
        };
        charts.push(sweep_chart(&data, &palette)?);
    }
    Ok(())
}
