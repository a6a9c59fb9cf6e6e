//! The files of a sweep: `runs` (one row per point and seed: the point, its parameters, the
//! seed, every figure), `points` (per point: every figure's mean, standard deviation and 95%
//! confidence interval over the seeds), `points_long` (the runs in tidy form: one row per
//! point, seed, fleet or tenant, and figure; see [`super::long`]) and `timeseries` (every
//! bucket of every run, in long form), each as CSV with a Parquet file beside it (feature
//! `parquet`).

use super::aligned::{aligned, Align};
use super::figures::{rank, Rank, FIGURES, SERIES};
use super::io::write_both;
use super::long::{long_rank, long_table};
use super::points::{points_rank, points_table};
use super::scopes::{lead_with, scopes_of, touched_fleets, Scope};
use super::table::{Cell, Table};
use super::TablesError;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The key columns of a sweep's tables.
#[derive(Clone, Debug)]
pub struct SweepKeys {
    /// Parameter paths, in order.
    pub params: Vec<String>,
    /// The runs' common bucket width (seconds), for the tables' Parquet metadata.
    pub bucket_s: Option<f64>,
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

/// Write `runs`, `timeseries` (when it has rows), and `points` (when given, as made by
/// [`points_table`] from `runs`) with `points_long` (the runs in long form) into `dir`;
/// returns the paths written.
pub fn write_sweep(
    dir: &Path,
    keys: &SweepKeys,
    runs: &Table,
    series: &Table,
    points: Option<&Table>,
) -> Result<Vec<PathBuf>, TablesError> {
    let run_keys = keys.run_keys();
    let meta = super::run::bucket_meta(keys.bucket_s);
    let mut written = Vec::new();
    let f = runs.frame(|n| rank(n, &run_keys, FIGURES));
    written.extend(write_both(dir, "runs", &f, &meta)?);
    if let Some(pts) = points {
        let point_keys = keys.point_keys();
        let f = pts.frame(|n| points_rank(n, &point_keys));
        written.extend(write_both(dir, "points", &f, &meta)?);
        let long = long_table(runs, &run_keys);
        let f = long
            .frame(|n| -> Rank { (long_rank(n, &run_keys), String::new(), 0, 0, String::new()) });
        written.extend(write_both(dir, "points_long", &f, &meta)?);
    }
    if !series.is_empty() {
        let mut series_keys = run_keys.clone();
        series_keys.extend(["fleet", super::records::BUCKET_START]);
        let f = series.frame(|n| rank(n, &series_keys, SERIES));
        written.extend(write_both(dir, "timeseries", &f, &meta)?);
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
/// 95% interval (`12.3 ±0.4`). With several fleets, one block of rows per fleet (and per
/// tenant where tenants differ from fleets) before the whole run's: the fleets the swept
/// parameters touch first (`fleet.<name>.…` touches fleet `<name>`; any other parameter every
/// fleet), since a total over an unchanged fleet can hide the effect entirely.
pub fn render_points(keys: &SweepKeys, points: &Table) -> String {
    let found = scopes_of(
        points.names().iter().map(String::as_str),
        "goodput_rps_mean",
    );
    let touched = touched_fleets(&keys.params).filter(|t| !t.is_empty());
    let scopes = lead_with(&found, touched.as_deref());
    let many = scopes.len() > 1;
    let mut head: Vec<String> = vec!["point".into()];
    head.extend(keys.params.iter().cloned());
    if many {
        head.push("fleet".into());
    }
    head.push("runs".into());
    head.extend(SHOWN.iter().map(|(_, h)| h.to_string()));
    let mut rows = vec![head];
    let get = |name: &str, r: usize| points.column(name).map_or(Cell::Null, |c| c[r].clone());
    for (i, scope) in scopes.iter().enumerate() {
        if i > 0 {
            rows.push(Vec::new());
        }
        let prefix = scope.prefix();
        for r in 0..points.len() {
            let mut row = vec![get("point", r).text()];
            row.extend(
                keys.params
                    .iter()
                    .map(|p| crate::value_label::short_value(&get(p, r).text())),
            );
            if many {
                row.push(scope.label());
            }
            row.push(get("runs", r).text());
            for (fig, _) in SHOWN {
                let mean = get(&format!("{prefix}{fig}_mean"), r).as_f64();
                let hi = get(&format!("{prefix}{fig}_ci95_hi"), r).as_f64();
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
    }
    let mut text = if many {
        lead_note(keys, &scopes, touched.as_deref())
    } else {
        String::new()
    };
    text += &aligned(&rows, Align::AllRight);
    text
}

/// The line above a table of several scopes: which fleets come first and why.
fn lead_note(keys: &SweepKeys, scopes: &[Scope], touched: Option<&[String]>) -> String {
    let fleets: Vec<&str> = scopes
        .iter()
        .filter(|s| matches!(s, Scope::Fleet(_)))
        .map(Scope::name)
        .collect();
    let lead = match touched {
        Some(t) => format!(
            "{} set{} fleet {} (first)",
            keys.params.join(", "),
            if keys.params.len() == 1 { "s" } else { "" },
            t.join(", ")
        ),
        None if keys.params.is_empty() => "every fleet".to_owned(),
        None => format!("{} touch every fleet", keys.params.join(", ")),
    };
    let tenants = if scopes.iter().any(|s| matches!(s, Scope::Tenant(_))) {
        ", each tenant"
    } else {
        ""
    };
    format!(
        "per fleet ({}){tenants}, then all (the whole run); {lead}\n",
        fleets.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printed_table_leads_with_the_touched_fleet() {
        let keys = SweepKeys {
            params: vec!["fleet.jitter.retry.jitter".into()],
            bucket_s: None,
        };
        let mut pts = Table::new();
        for (i, (j, fleet)) in [("none", 162.0), ("full", 0.0)].into_iter().enumerate() {
            pts.push([
                ("point", Cell::U64(i as u64)),
                ("fleet.jitter.retry.jitter", Cell::Str(j.into())),
                ("runs", Cell::U64(3)),
                ("goodput_rps_mean", Cell::F64(40.0)),
                ("rejected_total_mean", Cell::F64(162.0 + fleet)),
                ("jitter:goodput_rps_mean", Cell::F64(20.0)),
                ("jitter:rejected_total_mean", Cell::F64(fleet)),
                ("nojitter:goodput_rps_mean", Cell::F64(20.0)),
                ("nojitter:rejected_total_mean", Cell::F64(162.0)),
            ]);
        }
        let text = render_points(&keys, &pts);
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[0].contains("sets fleet jitter (first)"), "{text}");
        assert!(lines[1].contains(" fleet "), "a fleet column: {text}");
        let cells = |l: &str| l.split_whitespace().map(str::to_owned).collect::<Vec<_>>();
        let row = cells(lines[3]);
        assert_eq!(
            (row[1].as_str(), row[2].as_str()),
            ("none", "jitter"),
            "{text}"
        );
        assert_eq!(row[row.len() - 2], "162", "{text}");
        assert_eq!(cells(lines[4])[row.len() - 2], "0", "{text}");
        assert!(lines[5].is_empty(), "a blank line between fleets");
        assert!(cells(lines[6])[2] == "nojitter" && cells(lines[9])[2] == "all");
    }

    #[test]
    fn one_fleet_prints_as_before() {
        let keys = SweepKeys {
            params: vec!["fleet.web.count".into()],
            bucket_s: None,
        };
        let mut pts = Table::new();
        pts.push([
            ("point", Cell::U64(0)),
            ("goodput_rps_mean", Cell::F64(1.0)),
        ]);
        let text = render_points(&keys, &pts);
        assert!(text.starts_with("point"), "{text}");
        assert!(!text.contains("fleet "), "{text}");
    }
}
