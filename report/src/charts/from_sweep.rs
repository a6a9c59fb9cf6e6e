//! The charts of a sweep, from its `points` table (mean and 95% interval of every figure per
//! point) and its parameters: each headline figure against the swept parameter, one line per
//! combination of the other parameters; heatmaps when two parameters are swept; and, when the
//! swept parameter is the failure probability of an `error_rate` fault, retry amplification
//! against it with the model curve of independent failures overlaid.
//!
//! The swept parameter (the x axis) is the numeric parameter with the most values (the first
//! such, on a tie); without one, the first parameter with more than one value, as categories.
//!
//! With several fleets, the same figures are drawn for the fleets the parameters touch
//! (`sweep_fleet_<name>_<figure>`): first, for a `fleet.<name>.…` parameter (an unchanged
//! fleet beside it can flatten the whole run's curve); after the whole run's, one set per
//! fleet, for a parameter of the server, limiters or faults.
//!
//! Where tenants split the clients differently from fleets, each figure of [`tenants`] is
//! also drawn with one line per tenant (`sweep_tenants_<figure>`), after the fleets'.
//!
//! The layout of the points (x axis, lines, mean lines) is in [`layout`], the heatmaps in
//! [`heatmaps`].

mod heatmaps;
mod layout;
mod tenants;

use super::palette::Palette;
use super::sweep::{sweep_chart, SweepChart};
use super::theory::{amplification_model, fault_index, ModelInputs};
use super::{Chart, ChartError};
use crate::tables::{scopes_of, touched_fleets, ParamManifest, Scope, Table};
use crate::value_label;
use heatmaps::heatmaps;
use layout::{axis_desc, layout, mean_lines};
use sim::model::Scenario;

pub use layout::{short_name, show_cell};
pub use tenants::{MAX_TENANT_LINES, TENANT_FIGURES};

/// The headline figures of a sweep: column, name in titles, y axis with unit, heatmap too.
pub const SWEEP_FIGURES: [(&str, &str, &str, bool); 7] = [
    (
        "goodput_rps",
        "Goodput",
        "goodput, successful requests/s",
        true,
    ),
    (
        "success_ratio",
        "Success ratio",
        "successes / logical requests",
        false,
    ),
    (
        "retry_amplification",
        "Retry amplification",
        "attempts per logical request",
        true,
    ),
    (
        "latency_p99_ms",
        "p99 latency",
        "p99 latency of successes, ms",
        true,
    ),
    (
        "rejection_rate",
        "Rejection rate",
        "share of attempts rejected by limiters",
        false,
    ),
    (
        "give_ups_total",
        "Give-ups",
        "logical requests given up per run",
        false,
    ),
    (
        "jain_max_min",
        "Tenant fairness",
        "Jain's index of max-min fair shares",
        false,
    ),
];

/// What the sweep charts are drawn from.
#[derive(Debug, Clone, Copy)]
pub struct SweepInput<'a> {
    /// The parameters and their values, in sweep order (from `sweep.json`).
    pub params: &'a [ParamManifest],
    /// The `points` table.
    pub points: &'a Table,
    /// The scenario of each point, by point index (for model curves); may be empty.
    pub scenarios: &'a [&'a Scenario],
}

/// The drawn charts, the remarks about charts left out, and the palette of the lines.
#[derive(Debug, Clone)]
pub struct SweepCharts {
    /// Charts in report order.
    pub charts: Vec<Chart>,
    /// Why a chart is not there.
    pub notes: Vec<String>,
    /// Colours of the lines (strategies).
    pub palette: Palette,
}

/// Whose figures are drawn, in order: the whole run's; with several fleets, the touched
/// fleets' before it (a `fleet.<name>.…` parameter) or every fleet's after it (any other).
fn chart_scopes(input: &SweepInput<'_>) -> Vec<Scope> {
    let fleets: Vec<Scope> = scopes_of(
        input.points.names().iter().map(String::as_str),
        "goodput_rps_mean",
    )
    .into_iter()
    .filter(|s| matches!(s, Scope::Fleet(_)))
    .collect();
    let paths: Vec<&str> = input.params.iter().map(|p| p.path.as_str()).collect();
    match touched_fleets(&paths).filter(|t| !t.is_empty()) {
        Some(t) => fleets
            .into_iter()
            .filter(|s| t.iter().any(|n| n == s.name()))
            .chain([Scope::All])
            .collect(),
        None => std::iter::once(Scope::All).chain(fleets).collect(),
    }
}

/// Draw every sweep chart the data supports.
pub fn sweep_charts(input: &SweepInput<'_>) -> Result<SweepCharts, ChartError> {
    let l = layout(input.params, input.points);
    let palette = Palette::new(&l.lines);
    let mut charts = Vec::new();
    let mut notes = Vec::new();
    let x_path =
        l.x.map(|i| input.params[i].path.clone())
            .unwrap_or_default();
    let x_short = if fault_index(&x_path).is_some() {
        "failure rate".to_owned()
    } else {
        short_name(&x_path)
    };
    let x_desc = axis_desc(&x_path);
    let model = l.x.and_then(|i| {
        amplification_model(&ModelInputs {
            x_path: &input.params[i].path,
            layout_rows: &l.rows,
            lines: &l.lines,
            scenarios: input.scenarios,
        })
    });
    let by = if l.lines.len() > 1 {
        let others: Vec<String> = input
            .params
            .iter()
            .enumerate()
            .filter(|(i, p)| Some(*i) != l.x && p.values.len() > 1)
            .map(|(_, p)| short_name(&p.path))
            .collect();
        format!(", by {}", others.join(" and "))
    } else {
        String::new()
    };
    let (categories, key) = axis_labels(&l.categories);
    let seeds_note = "Each point is the mean over the point's seeds; the band and whiskers are \
                      the 95% confidence interval of the mean (Student's t; none with one seed).";
    for (scope, (fig, noun, y_desc, _)) in chart_scopes(input)
        .into_iter()
        .flat_map(|s| SWEEP_FIGURES.map(|f| (s.clone(), f)))
    {
        let column = format!("{}{fig}", scope.prefix());
        let (noun, of) = match &scope {
            Scope::All => (noun.to_owned(), String::new()),
            s => (
                format!("{noun} of fleet {}", s.name()),
                format!(", fleet {} only", s.name()),
            ),
        };
        let lines = mean_lines(&l, input.points, &column);
        if lines.is_empty() {
            if input.points.column(&format!("{column}_mean")).is_some() {
                notes.push(format!("{noun}: no point has a value, no chart."));
            }
            continue;
        }
        let all_zero = lines
            .iter()
            .flat_map(|l| l.points.iter())
            .all(|p| p.mean == 0.0 && p.ci95.is_none_or(|c| c == (0.0, 0.0)));
        if all_zero && fig != "goodput_rps" {
            notes.push(format!("{noun} is 0 at every point: no chart."));
            continue;
        }
        let all_one = lines
            .iter()
            .flat_map(|l| l.points.iter())
            .all(|p| (p.mean - 1.0).abs() < 1e-12);
        if all_one && fig == "jain_max_min" {
            notes.push(format!(
                "{noun} is 1 at every point (shares max-min fair, or one tenant): no chart."
            ));
            continue;
        }
        let mut data = SweepChart {
            name: match &scope {
                Scope::All => format!("sweep_{fig}"),
                s => format!("sweep_fleet_{}_{fig}", s.name()),
            },
            title: format!("{noun} against {x_short}{by}"),
            caption: format!(
                "{noun} ({y_desc}{of}) at each value of {x_path}{}. {seeds_note}",
                if by.is_empty() {
                    String::new()
                } else {
                    format!(", one line per combination of the other parameters{by}")
                }
            ),
            x_desc: x_desc.clone(),
            y_desc: y_desc.to_owned(),
            categories: categories.clone(),
            lines,
            models: Vec::new(),
        };
        if let Some(k) = &key {
            data.caption.push_str(&format!(" {k}"));
        }
        if let Some(m) = model.as_ref().filter(|_| scope == Scope::All) {
            let curves = match fig {
                "retry_amplification" => Some(&m.amplification),
                "success_ratio" => Some(&m.success),
                _ => None,
            };
            if let Some(curves) = curves {
                data.models = curves.clone();
                data.caption
                    .push_str(&format!(" Dashed: {}", m.explanation));
                if fig == "retry_amplification" {
                    data.name = "amplification_vs_failure".into();
                    data.title = format!("Retry amplification against failure rate{by}");
                }
            }
        }
        charts.push(sweep_chart(&data, &palette)?);
    }
    let axis = tenants::Axis {
        x_path: &x_path,
        x_short: &x_short,
        x_desc: &x_desc,
        seeds_note,
    };
    tenants::tenant_charts(&l, input.points, &axis, &mut charts, &mut notes)?;
    if let Some(m) = &model {
        notes.extend(m.skipped.iter().cloned());
    }
    heatmaps(input, &l, &mut charts, &mut notes)?;
    Ok(SweepCharts {
        charts,
        notes,
        palette,
    })
}

/// Longest category drawn as itself on the x axis with few categories; with many, the
/// budget shrinks so that labels never overlap (about 100 characters across the axis).
const MAX_CATEGORY: usize = 16;

/// The x labels of categories: the values themselves, or their short names
/// ([`crate::value_label`]: a limiter layout as `tenant 70/s + global 100/s`), or, when even
/// those do not fit, `#1`, `#2`, ... with a key for the caption.
pub(crate) fn axis_labels(cats: &[String]) -> (Vec<String>, Option<String>) {
    let budget = MAX_CATEGORY
        .max(100 / cats.len().max(1))
        .min(value_label::MAX_LABEL);
    let fit = |labels: &[String]| labels.iter().all(|c| c.chars().count() <= budget);
    if fit(cats) {
        return (cats.to_vec(), None);
    }
    if let Some(short) = value_label::short_values(cats).filter(|s| fit(s)) {
        return (short, None);
    }
    let key = cats
        .iter()
        .enumerate()
        .map(|(i, c)| format!("#{} = {c}", i + 1))
        .collect::<Vec<_>>()
        .join("; ");
    (
        (1..=cats.len()).map(|i| format!("#{i}")).collect(),
        Some(format!("x values: {key}.")),
    )
}

/// One figure column of the points table (any figure, a fleet's `jitter:rejected_total`
/// included) against the swept parameter, as chart `name`; `None` when no point has it.
pub fn figure_chart(
    input: &SweepInput<'_>,
    figure: &str,
    noun: &str,
    name: &str,
) -> Result<Option<Chart>, ChartError> {
    let l = layout(input.params, input.points);
    let lines = mean_lines(&l, input.points, figure);
    if lines.is_empty() {
        return Ok(None);
    }
    let palette = Palette::new(&l.lines);
    let x_path =
        l.x.map(|i| input.params[i].path.clone())
            .unwrap_or_default();
    let (categories, key) = axis_labels(&l.categories);
    let data = SweepChart {
        name: name.to_owned(),
        title: format!("{noun} against {}", short_name(&x_path)),
        caption: format!(
            "{noun} ({figure}) at each value of {x_path}: the mean over the point's seeds with \
             the 95% confidence interval of the mean (Student's t; none with one seed).{}",
            key.map_or_else(String::new, |k| format!(" {k}"))
        ),
        x_desc: axis_desc(&x_path),
        y_desc: noun.to_owned(),
        categories,
        lines,
        models: Vec::new(),
    };
    sweep_chart(&data, &palette).map(Some)
}

#[cfg(test)]
mod tests;
