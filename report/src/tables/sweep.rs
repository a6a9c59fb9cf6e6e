//! The files of a sweep: `runs` (one row per point and seed: the point, its parameters, the
//! seed, every figure), `points` (per point: every figure's mean, standard deviation and 95%
//! confidence interval over the seeds) and `timeseries` (every bucket of every run, in long
//! form), each as Parquet with a CSV beside it.

use super::aligned::{aligned, Align};
use super::figures::{rank, Rank, FIGURES, SERIES};
use super::io::write_both;
use super::points::{points_rank, points_table};
use super::table::{Cell, Table};
use super::TablesError;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The key columns of a sweep's tables.
#[derive(Clone, Debug)]
pub struct SweepKeys {
    /// Parameter paths, in order.
    pub params: Vec<String>,
}

impl SweepKeys {
    /// `point`, the parameters, `seed`: the key columns of `runs` and `timeseries`.
    pub fn run_keys(&self) -> Vec<&str> {
        let mut k = vec!["point"];
        k.extend(self.params.iter().map(String::as_str));
        k.push("seed");
        k
    }

    /// `point` and the parameters: what `points` groups by.
    pub fn point_keys(&self) -> Vec<&str> {
        let mut k = vec!["point"];
        k.extend(self.params.iter().map(String::as_str));
        k
    }
}

/// A parameter value as a cell: TOML integers, floats and booleans keep their type, the rest
/// is text.
pub fn param_cell(v: &toml::Value) -> Cell {
    match v {
        toml::Value::Integer(i) => Cell::I64(*i),
        toml::Value::Float(f) => Cell::F64(*f),
        toml::Value::Boolean(b) => Cell::Bool(*b),
        toml::Value::String(s) => Cell::Str(s.clone()),
        other => Cell::Str(other.to_string()),
    }
}

/// Sort rows by point, then by the seed's position in `seeds`, keeping the order of rows
/// with equal keys (a run's time-series rows).
pub fn sort_runs(t: &Table, seeds: &[u64]) -> Table {
    let pos: HashMap<u64, usize> = seeds.iter().enumerate().map(|(i, s)| (*s, i)).collect();
    let key = |col: &str, r: usize| -> u64 {
        match t.column(col).map(|c| &c[r]) {
            Some(Cell::U64(v)) => *v,
            Some(Cell::I64(v)) => *v as u64,
            _ => u64::MAX,
        }
    };
    let mut order: Vec<usize> = (0..t.len()).collect();
    order.sort_by_key(|&r| {
        let seed = key("seed", r);
        (
            key("point", r),
            pos.get(&seed).copied().unwrap_or(usize::MAX),
        )
    });
    t.reorder(&order)
}

/// Write `runs`, `timeseries` (when it has rows) and `points` (when given, as made by
/// [`points_table`] from `runs`) into `dir`; returns the paths written.
pub fn write_sweep(
    dir: &Path,
    keys: &SweepKeys,
    runs: &Table,
    series: &Table,
    points: Option<&Table>,
) -> Result<Vec<PathBuf>, TablesError> {
    let frame = |t: &Table, path: &str, r: &dyn Fn(&str) -> Rank| {
        t.to_frame(r).map_err(|source| TablesError::Polars {
            path: dir.join(path),
            source,
        })
    };
    let run_keys = keys.run_keys();
    let mut written = Vec::new();
    let mut df = frame(runs, "runs.parquet", &|n| rank(n, &run_keys, FIGURES))?;
    written.extend(write_both(dir, "runs", &mut df)?);
    if let Some(pts) = points {
        let point_keys = keys.point_keys();
        let mut df = pts
            .to_frame(|n| points_rank(n, &point_keys))
            .map_err(|source| TablesError::Polars {
                path: dir.join("points.parquet"),
                source,
            })?;
        written.extend(write_both(dir, "points", &mut df)?);
    }
    if !series.is_empty() {
        let mut series_keys = run_keys.clone();
        series_keys.extend(["fleet", "t_s"]);
        let mut df = frame(series, "timeseries.parquet", &|n| {
            rank(n, &series_keys, SERIES)
        })?;
        written.extend(write_both(dir, "timeseries", &mut df)?);
    }
    Ok(written)
}

/// The points table of `runs` (grouped by point and parameters, over the seeds).
pub fn sweep_points(keys: &SweepKeys, runs: &Table) -> Table {
    points_table(runs, &keys.point_keys(), &["seed"])
}

/// The figures the sweep summary prints, with their headings.
const SHOWN: [(&str, &str); 5] = [
    ("goodput_rps", "goodput/s"),
    ("success_ratio", "success"),
    ("retry_amplification", "amplif."),
    ("rejected_total", "rejected"),
    ("latency_p99_ms", "p99 ms"),
];

/// A few figures per point as aligned text: the mean, and for goodput the half-width of its
/// 95% interval (`12.3 ±0.4`).
pub fn render_points(keys: &SweepKeys, points: &Table) -> String {
    let mut head: Vec<String> = vec!["point".into()];
    head.extend(keys.params.iter().cloned());
    head.push("runs".into());
    head.extend(SHOWN.iter().map(|(_, h)| h.to_string()));
    let mut rows = vec![head];
    let get = |name: &str, r: usize| points.column(name).map_or(Cell::Null, |c| c[r].clone());
    for r in 0..points.len() {
        let mut row = vec![get("point", r).text()];
        row.extend(keys.params.iter().map(|p| get(p, r).text()));
        row.push(get("runs", r).text());
        for (fig, _) in SHOWN {
            let mean = get(&format!("{fig}_mean"), r).as_f64();
            let hi = get(&format!("{fig}_ci95_hi"), r).as_f64();
            row.push(match (mean, hi, fig) {
                (None, _, _) => "-".into(),
                (Some(m), Some(h), "goodput_rps") => format!("{m:.2} ±{:.2}", h - m),
                (Some(m), _, "success_ratio") => format!("{m:.3}"),
                (Some(m), _, "rejected_total") => format!("{m:.0}"),
                (Some(m), _, _) => format!("{m:.2}"),
            });
        }
        rows.push(row);
    }
    aligned(&rows, Align::AllRight)
}
