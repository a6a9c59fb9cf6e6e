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
        let (categories, key) = super::axis_labels(&l.categories);
        let data = SweepChart {
            name: format!("sweep_tenants_{fig}"),
            title: format!("{noun} per tenant against {}", axis.x_short),
            caption: format!(
                "{noun} of each tenant ({y_desc}) at each value of {}, one line per tenant. {}{}",
                axis.x_path,
                axis.seeds_note,
                key.map(|k| format!(" {k}")).unwrap_or_default()
            ),
            x_desc: axis.x_desc.to_owned(),
            y_desc: y_desc.to_owned(),
            categories,
            lines,
            models: Vec::new(),
        };
        charts.push(sweep_chart(&data, &palette)?);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::layout::tests::manifest;
    use super::super::{sweep_charts, SweepInput};
    use crate::tables::{Cell, Table};

    /// The fairness sweep in miniature: a global limit, then per-tenant limits; the quiet
    /// tenant's goodput doubles while the total barely moves.
    fn fairness_points(tenants: &[&str]) -> Table {
        let mut t = Table::new();
        for (i, (limit, total, quiet, noisy)) in
            [("global", 100.0, 4.4, 88.0), ("tenant", 55.0, 10.0, 25.0)]
                .into_iter()
                .enumerate()
        {
            let mut cells = vec![
                ("point".to_owned(), Cell::U64(i as u64)),
                ("server.limiters".to_owned(), Cell::Str(limit.into())),
                ("goodput_rps_mean".to_owned(), Cell::F64(total)),
            ];
            for name in tenants {
                let g = if name.starts_with("noisy") {
                    noisy
                } else {
                    quiet
                };
                cells.push((format!("tenant/{name}:goodput_rps_mean"), Cell::F64(g)));
                cells.push((format!("tenant/{name}:rejection_rate_mean"), Cell::F64(0.0)));
            }
            t.push(cells);
        }
        t
    }

    #[test]
    fn one_chart_per_figure_with_a_line_per_tenant() {
        let params = [manifest("server.limiters", &["global", "tenant"])];
        let points = fairness_points(&["noisy-0", "quiet-0", "quiet-1"]);
        let drawn = sweep_charts(&SweepInput {
            params: &params,
            points: &points,
            scenarios: &[],
        })
        .unwrap();
        let names: Vec<&str> = drawn.charts.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["sweep_goodput_rps", "sweep_tenants_goodput_rps"]);
        let chart = &drawn.charts[1];
        assert!(chart.title.contains("per tenant"), "{}", chart.title);
        assert!(
            drawn
                .notes
                .iter()
                .any(|n| n.starts_with("Rejection rate per tenant is 0")),
            "{:?}",
            drawn.notes
        );
        // each tenant is a series of the SVG, named in its legend
        for t in ["tenant noisy-0", "tenant quiet-0", "tenant quiet-1"] {
            assert!(chart.svg.contains(t), "no series {t}");
        }
    }

    #[test]
    fn too_many_tenants_give_a_note_not_an_unreadable_chart() {
        let names: Vec<String> = (0..=super::MAX_TENANT_LINES)
            .map(|i| format!("t-{i}"))
            .collect();
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        let params = [manifest("server.limiters", &["global", "tenant"])];
        let drawn = sweep_charts(&SweepInput {
            params: &params,
            points: &fairness_points(&refs),
            scenarios: &[],
        })
        .unwrap();
        assert!(drawn
            .charts
            .iter()
            .all(|c| !c.name.starts_with("sweep_tenants_")));
        assert!(
            drawn.notes.iter().any(|n| n.contains("11 tenants")),
            "{:?}",
            drawn.notes
        );
    }
}
