//! The charts of a sweep, from its `points` table (mean and 95% interval of every figure per
//! point) and its parameters: each headline figure against the swept parameter, one line per
//! combination of the other parameters; heatmaps when two parameters are swept; and, when the
//! swept parameter is the failure probability of an `error_rate` fault, retry amplification
//! against it with the model curve of independent failures overlaid.
//!
//! The swept parameter (the x axis) is the numeric parameter with the most values (the first
//! such, on a tie); without one, the first parameter with more than one value, as categories.

use super::heatmap::{heatmap, Heatmap};
use super::palette::Palette;
use super::sweep::{sweep_chart, MeanLine, MeanPoint, SweepChart};
use super::theory::{amplification_model, ModelInputs};
use super::{Chart, ChartError};
use crate::tables::{Cell, ParamManifest, Table};
use sim::model::Scenario;

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

/// A short name for a parameter path: its last segment, with the one before when the last is
/// an index (`faults.0.rate` -> `rate`, `server.limiters.0` -> `limiters.0`).
pub fn short_name(path: &str) -> String {
    let segs: Vec<&str> = path.split('.').collect();
    let mut take = 1;
    while take < segs.len() && segs[segs.len() - take].parse::<u64>().is_ok() {
        take += 1;
    }
    segs[segs.len() - take..].join(".")
}

/// The x axis description of a parameter: its path, with the unit when the path tells it.
fn x_desc_of(path: &str) -> String {
    let last = path.rsplit('.').next().unwrap_or(path);
    let unit = match last {
        "count" => "clients",
        "workers" => "workers",
        "max_attempts" => "attempts, the first included",
        "tenants" => "tenants",
        "seeds" => "seeds",
        _ => "",
    };
    if unit.is_empty() {
        path.to_owned()
    } else {
        format!("{path}, {unit}")
    }
}

/// How the points are laid out: the x parameter, the line of each point, the x of each point.
pub(crate) struct Layout {
    /// Index of the x parameter in `params`.
    pub x: Option<usize>,
    /// Category labels when x is not numeric.
    pub categories: Vec<String>,
    /// Line names in order of first appearance.
    pub lines: Vec<String>,
    /// Per row of the points table: (line index, x, point index).
    pub rows: Vec<(usize, f64, usize)>,
}

fn cell<'t>(t: &'t Table, col: &str, r: usize) -> &'t Cell {
    t.column(col).map_or(&Cell::Null, |c| &c[r])
}

pub(crate) fn layout(params: &[ParamManifest], points: &Table) -> Layout {
    let numeric = |p: &ParamManifest| p.values.iter().all(|v| v.trim().parse::<f64>().is_ok());
    let multi: Vec<usize> = (0..params.len())
        .filter(|&i| params[i].values.len() > 1)
        .collect();
    let x = multi
        .iter()
        .copied()
        .filter(|&i| numeric(&params[i]))
        .max_by_key(|&i| (params[i].values.len(), std::cmp::Reverse(i)))
        .or_else(|| multi.first().copied())
        .or(if params.is_empty() { None } else { Some(0) });
    let categorical = x.is_some_and(|i| !numeric(&params[i]));
    let categories = match (x, categorical) {
        (Some(i), true) => params[i].values.clone(),
        _ => Vec::new(),
    };
    let names: Vec<String> = params.iter().map(|p| short_name(&p.path)).collect();
    let unique = |i: usize| names.iter().filter(|n| **n == names[i]).count() == 1;
    let mut lines: Vec<String> = Vec::new();
    let mut rows = Vec::new();
    for r in 0..points.len() {
        let parts: Vec<String> = multi
            .iter()
            .filter(|&&i| Some(i) != x)
            .map(|&i| {
                let n = if unique(i) {
                    names[i].clone()
                } else {
                    params[i].path.clone()
                };
                format!("{n}={}", show_cell(cell(points, &params[i].path, r)))
            })
            .collect();
        let name = if parts.is_empty() {
            "mean over seeds".to_owned()
        } else {
            parts.join(", ")
        };
        let line = match lines.iter().position(|l| *l == name) {
            Some(l) => l,
            None => {
                lines.push(name);
                lines.len() - 1
            }
        };
        let xv = match x {
            None => 0.0,
            Some(i) => {
                let c = cell(points, &params[i].path, r);
                if categorical {
                    let t = show_cell(c);
                    categories.iter().position(|v| *v == t).unwrap_or(0) as f64
                } else {
                    c.as_f64().unwrap_or(f64::NAN)
                }
            }
        };
        let point = cell(points, "point", r).as_f64().unwrap_or(r as f64) as usize;
        rows.push((line, xv, point));
    }
    Layout {
        x,
        categories,
        lines,
        rows,
    }
}

/// A parameter cell as shown: floats without binary noise (`0.15`, not `0.15000000000000002`).
pub fn show_cell(c: &Cell) -> String {
    match c {
        Cell::F64(v) => {
            let s = format!("{v:.10}");
            let s = s.trim_end_matches('0').trim_end_matches('.');
            s.to_owned()
        }
        other => other.text(),
    }
}

/// Mean lines of figure `fig`.
fn mean_lines(l: &Layout, points: &Table, fig: &str) -> Vec<MeanLine> {
    let mean = points.column(&format!("{fig}_mean"));
    let lo = points.column(&format!("{fig}_ci95_lo"));
    let hi = points.column(&format!("{fig}_ci95_hi"));
    let mut out: Vec<MeanLine> = l
        .lines
        .iter()
        .map(|n| MeanLine {
            name: n.clone(),
            points: Vec::new(),
        })
        .collect();
    for (r, &(line, x, _)) in l.rows.iter().enumerate() {
        let Some(m) = mean.and_then(|c| c[r].as_f64()) else {
            continue;
        };
        if !x.is_finite() {
            continue;
        }
        let ci = match (
            lo.and_then(|c| c[r].as_f64()),
            hi.and_then(|c| c[r].as_f64()),
        ) {
            (Some(a), Some(b)) => Some((a, b)),
            _ => None,
        };
        out[line].points.push(MeanPoint {
            x,
            mean: m,
            ci95: ci,
        });
    }
    for line in &mut out {
        line.points.sort_by(|a, b| a.x.total_cmp(&b.x));
    }
    out.retain(|l| !l.points.is_empty());
    out
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
    let fault_rate = super::theory::fault_index(&x_path).is_some();
    let (x_short, x_desc) = if fault_rate {
        (
            "failure rate".to_owned(),
            format!("probability that an attempt fails ({x_path})"),
        )
    } else {
        (short_name(&x_path), x_desc_of(&x_path))
    };
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
    let seeds_note = "Each point is the mean over the point's seeds; the band and whiskers are \
                      the 95% confidence interval of the mean (Student's t; none with one seed).";
    for (fig, noun, y_desc, _) in SWEEP_FIGURES {
        let lines = mean_lines(&l, input.points, fig);
        if lines.is_empty() {
            if input.points.column(&format!("{fig}_mean")).is_some() {
                notes.push(format!("{noun}: no point has a value, no chart."));
            }
            continue;
        }
        let all_zero = lines
            .iter()
            .flat_map(|l| l.points.iter())
            .all(|p| p.mean == 0.0 && p.ci95.map_or(true, |c| c == (0.0, 0.0)));
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
            name: format!("sweep_{fig}"),
            title: format!("{noun} against {x_short}{by}"),
            caption: format!(
                "{noun} ({y_desc}) at each value of {x_path}{}. {seeds_note}",
                if by.is_empty() {
                    String::new()
                } else {
                    format!(", one line per combination of the other parameters{by}")
                }
            ),
            x_desc: x_desc.clone(),
            y_desc: y_desc.to_owned(),
            categories: l.categories.clone(),
            lines,
            models: Vec::new(),
        };
        if let Some(m) = &model {
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

/// Heatmaps when exactly two parameters have more than one value.
fn heatmaps(
    input: &SweepInput<'_>,
    l: &Layout,
    charts: &mut Vec<Chart>,
    notes: &mut Vec<String>,
) -> Result<(), ChartError> {
    let multi: Vec<usize> = (0..input.params.len())
        .filter(|&i| input.params[i].values.len() > 1)
        .collect();
    if multi.len() != 2 {
        if multi.len() > 2 {
            notes.push(format!(
                "{} parameters are swept: heatmaps are drawn for two-parameter sweeps only.",
                multi.len()
            ));
        }
        return Ok(());
    }
    let Some(xi) = l.x else { return Ok(()) };
    let yi = if multi[0] == xi { multi[1] } else { multi[0] };
    let (xp, yp) = (&input.params[xi], &input.params[yi]);
    let pts = input.points;
    let find = |values: &[String], c: &Cell| {
        let t = show_cell(c);
        values.iter().position(|v| {
            *v == t
                || v.parse::<f64>()
                    .ok()
                    .zip(c.as_f64())
                    .is_some_and(|(a, b)| a == b)
        })
    };
    for (fig, noun, y_desc, wanted) in SWEEP_FIGURES {
        let Some(mean) = pts.column(&format!("{fig}_mean")) else {
            continue;
        };
        if !wanted {
            continue;
        }
        let mut cells = vec![vec![None; xp.values.len()]; yp.values.len()];
        for (r, m) in mean.iter().enumerate() {
            let (Some(cx), Some(cy)) = (
                find(&xp.values, cell(pts, &xp.path, r)),
                find(&yp.values, cell(pts, &yp.path, r)),
            ) else {
                continue;
            };
            cells[cy][cx] = m.as_f64();
        }
        let values: Vec<f64> = cells.iter().flatten().flatten().copied().collect();
        if values.is_empty() || values.iter().all(|v| *v == 0.0) {
            continue;
        }
        let h = Heatmap {
            name: format!("heatmap_{fig}"),
            title: format!(
                "{noun} over {} and {}",
                short_name(&xp.path),
                short_name(&yp.path)
            ),
            caption: format!(
                "{noun} ({y_desc}), mean over the seeds of each point, for every combination \
                 of {} (x) and {} (y); the value is printed in each cell, the colour bar gives \
                 the scale. Grey: no value (for latency, no success at that point).",
                xp.path, yp.path
            ),
            x_desc: if super::theory::fault_index(&xp.path).is_some() {
                format!("probability that an attempt fails ({})", xp.path)
            } else {
                x_desc_of(&xp.path)
            },
            y_desc: x_desc_of(&yp.path),
            x_labels: xp.values.clone(),
            y_labels: yp.values.clone(),
            cells,
            unit: y_desc.to_owned(),
        };
        charts.push(heatmap(&h)?);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest(path: &str, values: &[&str]) -> ParamManifest {
        ParamManifest {
            path: path.into(),
            values: values.iter().map(|s| s.to_string()).collect(),
        }
    }

    fn points() -> Table {
        let mut t = Table::new();
        let mut i = 0u64;
        for m in [1i64, 4] {
            for p in [0.0, 0.25, 0.5] {
                let amp = if m == 1 {
                    1.0
                } else {
                    1.0 + p + p * p + p * p * p
                };
                t.push([
                    ("point", Cell::U64(i)),
                    ("fleet.web.retry.max_attempts", Cell::I64(m)),
                    ("faults.0.rate", Cell::F64(p)),
                    ("retry_amplification_mean", Cell::F64(amp)),
                    ("retry_amplification_ci95_lo", Cell::F64(amp - 0.05)),
                    ("retry_amplification_ci95_hi", Cell::F64(amp + 0.05)),
                    ("goodput_rps_mean", Cell::F64(10.0 * (1.0 - p))),
                    ("rejection_rate_mean", Cell::F64(0.0)),
                ]);
                i += 1;
            }
        }
        t
    }

    #[test]
    fn short_names_skip_indices() {
        assert_eq!(short_name("faults.0.rate"), "rate");
        assert_eq!(short_name("server.limiters.0"), "limiters.0");
        assert_eq!(short_name("seed"), "seed");
    }

    #[test]
    fn x_is_the_numeric_parameter_with_most_values() {
        let params = [
            manifest("fleet.web.retry.max_attempts", &["1", "4"]),
            manifest("faults.0.rate", &["0", "0.25", "0.5"]),
        ];
        let l = layout(&params, &points());
        assert_eq!(l.x, Some(1));
        assert_eq!(l.lines, ["max_attempts=1", "max_attempts=4"]);
        assert_eq!(l.rows[4], (1, 0.25, 4));
        assert!(l.categories.is_empty());
    }

    #[test]
    fn charts_heatmaps_and_notes() {
        let params = [
            manifest("fleet.web.retry.max_attempts", &["1", "4"]),
            manifest("faults.0.rate", &["0", "0.25", "0.5"]),
        ];
        let drawn = sweep_charts(&SweepInput {
            params: &params,
            points: &points(),
            scenarios: &[],
        })
        .unwrap();
        let names: Vec<&str> = drawn.charts.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "sweep_goodput_rps",
                "amplification_vs_failure",
                "heatmap_goodput_rps",
                "heatmap_retry_amplification"
            ]
        );
        // A fault rate on x: the amplification chart, without model curves when the points'
        // scenarios are not given, and a note saying so.
        assert!(drawn
            .notes
            .iter()
            .any(|n| n.contains("scenarios were not available")));
        assert!(drawn
            .notes
            .iter()
            .any(|n| n.starts_with("Rejection rate is 0")));
        assert_ne!(
            drawn.palette.color("max_attempts=1"),
            drawn.palette.color("max_attempts=4")
        );
    }

    #[test]
    fn categorical_x_uses_the_values_in_order() {
        let params = [manifest("fleet.web.retry.jitter", &["none", "full"])];
        let mut t = Table::new();
        for (i, j) in ["none", "full"].iter().enumerate() {
            t.push([
                ("point", Cell::U64(i as u64)),
                ("fleet.web.retry.jitter", Cell::Str(j.to_string())),
                ("goodput_rps_mean", Cell::F64(1.0 + i as f64)),
            ]);
        }
        let l = layout(&params, &t);
        assert_eq!(l.categories, ["none", "full"]);
        assert_eq!(l.rows[1], (0, 1.0, 1));
        assert_eq!(show_cell(&Cell::F64(0.15000000000000002)), "0.15");
    }
}
