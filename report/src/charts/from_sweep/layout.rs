//! How a sweep's `points` table is laid out for drawing: which parameter is the x axis, which
//! line each point belongs to (one per combination of the other swept parameters), and the
//! mean lines of a figure with their 95% intervals.
//!
//! Kept apart from the chart list in [`super`] because the layout is decided once per sweep,
//! from the parameters alone, and every chart (line charts, heatmaps, model curves) reads it;
//! its rules are tested here on small synthetic tables.

use super::super::sweep::{MeanLine, MeanPoint};
use super::super::theory::fault_index;
use crate::tables::{Cell, ParamManifest, Table};

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

/// The axis description of a parameter: its path, with the unit when the path tells it.
pub(super) fn x_desc_of(path: &str) -> String {
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

/// The axis description of a parameter: a fault's rate as the probability that an attempt
/// fails, anything else as [`x_desc_of`] says.
pub(super) fn axis_desc(path: &str) -> String {
    if fault_index(path).is_some() {
        format!("probability that an attempt fails ({path})")
    } else {
        x_desc_of(path)
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

/// The cell of column `col` in row `r`; null when the table has no such column.
pub(super) fn cell<'t>(t: &'t Table, col: &str, r: usize) -> &'t Cell {
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
pub(super) fn mean_lines(l: &Layout, points: &Table, fig: &str) -> Vec<MeanLine> {
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

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    pub(in super::super) fn manifest(path: &str, values: &[&str]) -> ParamManifest {
        ParamManifest {
            path: path.into(),
            values: values.iter().map(|s| s.to_string()).collect(),
        }
    }

    pub(in super::super) fn points() -> Table {
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
