//! The comparison of two variants run with the same seeds (common random numbers): for every
//! figure, each variant's mean, the mean paired difference `B - A` across seeds with its 95%
//! confidence interval (Student's t), and the relative change. A difference whose interval
//! excludes zero is marked as significant in the printed table, with its verdict.
//!
//! Each fleet's and tenant's figures (`quiet:goodput_rps`, `tenant/quiet-0:goodput_rps`) are
//! compared like the whole run's and listed right after the whole run's row of the same
//! figure: a total can hide a change (the quiet tenants' +125% goodput under a -1.5% total).

use super::aligned::{aligned, Align};
use super::figures::{rank, FIGURES};
use super::records::RunRecord;
use super::scopes::split_scope;
use super::stats::{paired, stats};
use super::table::{Cell, Table};
use std::collections::BTreeSet;

/// One figure compared.
#[derive(Clone, Debug, PartialEq)]
pub struct FigureDiff {
    /// The figure's column name.
    pub figure: String,
    /// Mean of A over the seeds where it exists.
    pub a_mean: Option<f64>,
    /// Mean of B.
    pub b_mean: Option<f64>,
    /// Paired differences used.
    pub n: usize,
    /// Mean of `B - A`.
    pub diff_mean: Option<f64>,
    /// 95% confidence interval of the mean difference.
    pub diff_ci95: Option<(f64, f64)>,
}

impl FigureDiff {
    /// `(B - A) / A` as a percentage, when A's mean is not zero.
    pub fn change_pct(&self) -> Option<f64> {
        match (self.a_mean, self.diff_mean) {
            (Some(a), Some(d)) if a != 0.0 => Some(100.0 * d / a),
            _ => None,
        }
    }

    /// Whether the interval excludes zero.
    pub fn significant(&self) -> bool {
        self.diff_ci95.is_some_and(|(lo, hi)| lo > 0.0 || hi < 0.0)
    }

    /// Whether both means and the difference are zero (or absent): a figure that did not
    /// occur in any run of either variant, left out of the printed and HTML tables.
    pub(crate) fn is_zero(&self) -> bool {
        let zero = |v: Option<f64>| v.is_none_or(|x| x == 0.0);
        zero(self.a_mean) && zero(self.b_mean) && zero(self.diff_mean)
    }
}

/// Compare runs `a` and `b`, paired by position (the same seed at the same index). Figures
/// in canonical order, each followed by the same figure of every fleet, then every tenant.
pub fn compare(a: &[RunRecord], b: &[RunRecord]) -> Vec<FigureDiff> {
    let names: BTreeSet<(_, _, String)> = a
        .iter()
        .chain(b)
        .flat_map(|r| r.figures.iter())
        .filter(|(_, c)| !matches!(c, Cell::Str(_)))
        .map(|(n, _)| {
            let (scope, base) = split_scope(n);
            (rank(base, &[], FIGURES), scope, n.clone())
        })
        .collect();
    let values = |runs: &[RunRecord], name: &str| -> Vec<Option<f64>> {
        runs.iter()
            .map(|r| r.figure(name).and_then(Cell::as_f64))
            .collect()
    };
    names
        .into_iter()
        .map(|(_, _, figure)| {
            let va = values(a, &figure);
            let vb = values(b, &figure);
            let mean = |v: &[Option<f64>]| {
                stats(&v.iter().flatten().copied().collect::<Vec<_>>()).map(|s| s.mean)
            };
            let d = paired(&va, &vb);
            FigureDiff {
                a_mean: mean(&va),
                b_mean: mean(&vb),
                n: d.map_or(0, |d| d.n),
                diff_mean: d.map(|d| d.mean),
                diff_ci95: d.and_then(|d| d.ci95),
                figure,
            }
        })
        .collect()
}

/// The comparison as a table (one row per figure), with the figure's `scope` (`all`,
/// `fleet`, `tenant`) and the fleet's or tenant's `name` (`all` for the whole run).
pub fn compare_table(diffs: &[FigureDiff]) -> Table {
    let mut t = Table::new();
    for d in diffs {
        let scope = split_scope(&d.figure).0;
        t.push([
            ("figure", Cell::Str(d.figure.clone())),
            ("a_mean", d.a_mean.into()),
            ("b_mean", d.b_mean.into()),
            ("diff_mean", d.diff_mean.into()),
            ("diff_ci95_lo", d.diff_ci95.map(|c| c.0).into()),
            ("diff_ci95_hi", d.diff_ci95.map(|c| c.1).into()),
            ("change_pct", d.change_pct().into()),
            ("pairs", Cell::U64(d.n as u64)),
            ("significant", Cell::Bool(d.significant())),
            ("scope", Cell::Str(scope.kind().into())),
            ("name", Cell::Str(scope.name().into())),
        ]);
    }
    t
}

/// The comparisons back from a table made by [`compare_table`] (read from
/// `compare.parquet`); rows without a figure name are skipped.
pub fn diffs_from_table(t: &Table) -> Vec<FigureDiff> {
    let num = |col: &str, r: usize| t.column(col).and_then(|c| c[r].as_f64());
    (0..t.len())
        .filter_map(|r| {
            let figure = match t.column("figure").map(|c| &c[r]) {
                Some(Cell::Str(s)) => s.clone(),
                _ => return None,
            };
            let ci = num("diff_ci95_lo", r).zip(num("diff_ci95_hi", r));
            Some(FigureDiff {
                figure,
                a_mean: num("a_mean", r),
                b_mean: num("b_mean", r),
                n: num("pairs", r).map_or(0, |n| n as usize),
                diff_mean: num("diff_mean", r),
                diff_ci95: ci,
            })
        })
        .collect()
}

/// Column order of the comparison table.
pub const COMPARE_COLUMNS: [&str; 11] = [
    "figure",
    "a_mean",
    "b_mean",
    "diff_mean",
    "diff_ci95_lo",
    "diff_ci95_hi",
    "change_pct",
    "pairs",
    "significant",
    "scope",
    "name",
];

/// A figure as shown in the printed and HTML tables: three significant digits, never in
/// scientific notation, latency with its unit (s from 10 s on), counts whole
/// ([`crate::human::figure`]); `-` when absent. The exact values are in `compare.csv`.
/// A latency row reads in one unit, chosen by the larger of A's and B's means.
fn num(d: &FigureDiff, v: Option<f64>) -> String {
    let base = d.figure.rsplit(':').next().unwrap_or(&d.figure);
    let scale = d
        .a_mean
        .unwrap_or(0.0)
        .abs()
        .max(d.b_mean.unwrap_or(0.0).abs());
    match v {
        None => "-".into(),
        Some(x) if base.starts_with("latency_") && base.ends_with("_ms") => {
            crate::human::latency_ms_in(x, scale)
        }
        Some(x) => crate::human::figure(&d.figure, x),
    }
}

/// The cells every table of a comparison shows for a figure: its name, A's and B's means,
/// `B - A`, the 95% interval of `B - A`, and the change relative to A.
pub(crate) fn diff_cells(d: &FigureDiff) -> Vec<String> {
    vec![
        d.figure.clone(),
        num(d, d.a_mean),
        num(d, d.b_mean),
        num(d, d.diff_mean),
        d.diff_ci95.map_or("-".into(), |(lo, hi)| {
            format!("[{}, {}]", num(d, Some(lo)), num(d, Some(hi)))
        }),
        d.change_pct().map_or("-".into(), |p| {
            format!(
                "{}{}%",
                if p > 0.0 { "+" } else { "" },
                crate::human::sig(p)
            )
        }),
    ]
}

/// The comparison as aligned text: one line per figure, `*` and the verdict (`B better`, `B
/// worse`, `B higher`) where the 95% interval of the difference excludes zero. Figures that
/// are zero in every run of both variants are left out unless `all`.
pub fn render(diffs: &[FigureDiff], a: &str, b: &str, all: bool) -> String {
    let mut rows = vec![vec![
        "figure".to_string(),
        format!("A: {a}"),
        format!("B: {b}"),
        "B - A".into(),
        "95% CI of B - A".into(),
        "change".into(),
        "verdict".into(),
    ]];
    for d in diffs {
        if !all && d.is_zero() {
            continue;
        }
        let mut row = diff_cells(d);
        row.push(if d.significant() {
            format!("* {}", crate::html::compare_report::verdict(d).0)
        } else {
            String::new()
        });
        rows.push(row);
    }
    aligned(&rows, Align::FirstLeft)
}

#[cfg(test)]
mod tests;
