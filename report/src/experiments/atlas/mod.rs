//! The over-admission atlas's files (`throttlelab atlas`, issue #15): for every deployment of
//! the grid (design x replicas x sync interval x store round trip x balancer), what it admits
//! over the limit and what its decisions wait for the store, with 95% confidence intervals
//! across seeds.
//!
//! Written under one folder: `runs.{parquet,csv}` (one row per point and seed, so the spread
//! stays visible), `atlas.{parquet,csv}` (one row per point: each figure's mean and 95%
//! interval, Student's t over the seeds, [`crate::tables::stats`]), the charts
//! ([`charts`]) and `report.html` ([`page`]), whose first line answers "which designs keep
//! over-admission under 5%, at what latency cost".
//!
//! The figures are the simulator's deployment figures
//! (`sim::server::deployment::DeploymentFigures`), measured against the one exact limiter the
//! deployment stands for; nothing is computed here but ratios, means and intervals.

mod answer;
mod charts;
mod page;
mod tables;

pub use answer::{answer, variants, VariantRow, THRESHOLD};
pub use tables::{point_stats, points_table, runs_table, PointStats};

use crate::html::ReportError;
use crate::tables::write_both;
use sim::server::deployment::DeploymentFigures;
use std::path::{Path, PathBuf};

/// One deployment of the grid.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AtlasPoint {
    /// Where the limit's state lives (`local`, `split`, `central`, ...).
    pub design: String,
    /// Replicas.
    pub replicas: u32,
    /// Sync interval (`synced`) or lease period (`leases`), as given.
    pub interval: Option<String>,
    /// The store's round trip, where a decision or grant waits for it.
    pub rtt: Option<String>,
    /// The balancer.
    pub balancer: String,
}

impl AtlasPoint {
    /// The design with its interval and round trip: what the charts and the headline compare
    /// (`synced every 1s`, `central, rtt 1ms`).
    ///
    /// ```
    /// use report::experiments::AtlasPoint;
    /// let p = |d: &str, i: Option<&str>, r: Option<&str>| AtlasPoint {
    ///     design: d.into(), replicas: 2, interval: i.map(Into::into),
    ///     rtt: r.map(Into::into), balancer: "round_robin".into(),
    /// };
    /// assert_eq!(p("synced", Some("0s"), Some("1ms")).variant(), "synced every request, rtt 1ms");
    /// assert_eq!(p("synced", Some("1s"), None).variant(), "synced every 1s");
    /// assert_eq!(p("leases", Some("1s"), Some("50us")).variant(), "leases of 1s, rtt 50us");
    /// assert_eq!(p("local", None, None).variant(), "local");
    /// ```
    pub fn variant(&self) -> String {
        let mut s = self.design.clone();
        match (self.design.as_str(), self.interval.as_deref()) {
            ("synced", Some("0s")) => s += " every request",
            ("leases", Some(i)) => s += &format!(" of {i}"),
            (_, Some(i)) => s += &format!(" every {i}"),
            _ => {}
        }
        if let Some(r) = &self.rtt {
            s += &format!(", rtt {r}");
        }
        s
    }
}

/// One run of one point.
#[derive(Clone, Debug, PartialEq)]
pub struct AtlasRun {
    /// The point.
    pub point: AtlasPoint,
    /// The seed.
    pub seed: u64,
    /// Attempts the deployment's limiters admitted.
    pub admitted: u64,
    /// Of those, admissions the exact one-server limiter would have refused.
    pub admitted_over_limit: u64,
    /// Refusals while the exact limiter had room (each counted alone: with demand far over
    /// the limit most refusals are, so the atlas reads [`AtlasRun::limit_used_pct`]).
    pub refused_with_room: u64,
    /// What the limit allows in the run: the limit x the run's length / the window.
    pub capacity: f64,
    /// The most admitted in any window of the limit's length, divided by the limit.
    pub max_window_over_limit: f64,
    /// Decision latency the store added (ms).
    pub latency_p50_ms: f64,
    /// See [`AtlasRun::latency_p50_ms`].
    pub latency_p99_ms: f64,
    /// Store calls per second.
    pub store_calls_per_s: f64,
}

impl AtlasRun {
    /// The row of a run's deployment figures (its first limiter level's window figure) over
    /// `duration_s` seconds.
    pub fn new(point: AtlasPoint, seed: u64, f: &DeploymentFigures, duration_s: f64) -> AtlasRun {
        let level = f.levels.first();
        let capacity = match level.and_then(|l| Some((l.limit?, l.window_s?))) {
            Some((limit, w)) if w > 0.0 => limit as f64 * duration_s / w,
            _ => f64::NAN,
        };
        AtlasRun {
            point,
            seed,
            admitted: f.admitted,
            admitted_over_limit: f.admitted_over_limit,
            refused_with_room: f.refused_with_room,
            capacity,
            max_window_over_limit: level.and_then(|l| l.max_window_over_limit).unwrap_or(0.0),
            latency_p50_ms: f.decision_latency_p50_ms.unwrap_or(0.0),
            latency_p99_ms: f.decision_latency_p99_ms.unwrap_or(0.0),
            store_calls_per_s: f.store_calls_per_s,
        }
    }

    /// What the exact limiter also admitted.
    fn exact(&self) -> f64 {
        self.admitted
            .saturating_sub(self.admitted_over_limit)
            .max(1) as f64
    }

    /// Admitted over the limit, in % of what the exact limiter admitted (0: exact).
    ///
    /// ```
    /// # use report::experiments::{AtlasPoint, AtlasRun};
    /// # let point = AtlasPoint { design: "local".into(), replicas: 2, interval: None,
    /// #     rtt: None, balancer: "round_robin".into() };
    /// let r = AtlasRun { point, seed: 1, admitted: 1_100, admitted_over_limit: 100,
    ///     refused_with_room: 50, capacity: 2_000.0, max_window_over_limit: 1.2,
    ///     latency_p50_ms: 0.0, latency_p99_ms: 0.0, store_calls_per_s: 0.0 };
    /// assert_eq!(r.over_limit_pct(), 10.0);
    /// assert_eq!(r.limit_used_pct(), 55.0);
    /// ```
    pub fn over_limit_pct(&self) -> f64 {
        100.0 * self.admitted_over_limit as f64 / self.exact()
    }

    /// Admitted, in % of what the limit allows in the run (under 100 with demand over the
    /// limit: under-admission, e.g. `split` rounding the limit down, or a sticky balancer
    /// leaving some replicas' shares unused).
    pub fn limit_used_pct(&self) -> f64 {
        100.0 * self.admitted as f64 / self.capacity
    }
}

/// A figure of a run: its column name and how to read it.
type Figure = (&'static str, fn(&AtlasRun) -> f64);

/// The figures of `atlas.{parquet,csv}`, each as `<name>_mean`, `_ci95_lo`, `_ci95_hi`.
pub const FIGURES: [Figure; 6] = [
    ("max_window_over_limit", |r| r.max_window_over_limit),
    ("over_limit_pct", AtlasRun::over_limit_pct),
    ("limit_used_pct", AtlasRun::limit_used_pct),
    ("decision_latency_p50_ms", |r| r.latency_p50_ms),
    ("decision_latency_p99_ms", |r| r.latency_p99_ms),
    ("store_calls_per_s", |r| r.store_calls_per_s),
];

/// What `write_atlas` wrote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AtlasFiles {
    /// The tables (`atlas.parquet`, `atlas.csv`, `runs.parquet`, `runs.csv`).
    pub tables: Vec<PathBuf>,
    /// The charts' SVG files (a PNG beside each).
    pub charts: Vec<PathBuf>,
    /// `report.html`.
    pub html: PathBuf,
}

/// Write the tables, charts and `report.html` of `runs` into `dir`; `workload` describes the
/// fleet and the limit in a sentence (the page's and the tables' metadata).
pub fn write_atlas(
    dir: &Path,
    workload: &str,
    runs: &[AtlasRun],
) -> Result<AtlasFiles, ReportError> {
    let points = point_stats(runs);
    let meta = vec![("workload".to_string(), workload.to_string())];
    let mut tables = Vec::new();
    for (stem, t) in [("atlas", points_table(&points)), ("runs", runs_table(runs))] {
        // keep the columns in the order they were pushed (a stable sort on one key)
        tables.extend(write_both(dir, stem, &t.frame(|_| 0), &meta).map_err(|e| {
            ReportError::Io {
                path: dir.join(stem),
                source: std::io::Error::other(e),
            }
        })?);
    }
    let charts = charts::charts(&points)?;
    crate::html::files::write_charts(dir, &charts)?;
    let html = dir.join("report.html");
    let seeds = runs
        .iter()
        .map(|r| r.seed)
        .collect::<std::collections::BTreeSet<_>>();
    let page = page::page(&points, workload, seeds.len(), charts.clone());
    crate::html::files::write(&html, crate::html::render_page(&page).as_bytes())?;
    Ok(AtlasFiles {
        tables,
        charts: charts
            .iter()
            .map(|c| dir.join("charts").join(format!("{}.svg", c.name)))
            .collect(),
        html,
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn run(design: &str, replicas: u32, balancer: &str, seed: u64, w: f64) -> AtlasRun {
        let store = design == "central";
        AtlasRun {
            point: AtlasPoint {
                design: design.into(),
                replicas,
                interval: None,
                rtt: store.then(|| "1ms".into()),
                balancer: balancer.into(),
            },
            seed,
            admitted: (1000.0 * w) as u64,
            admitted_over_limit: (1000.0 * (w - 1.0)) as u64,
            refused_with_room: 0,
            capacity: 1000.0,
            max_window_over_limit: w,
            latency_p50_ms: if store { 1.0 } else { 0.0 },
            latency_p99_ms: if store { 1.0 } else { 0.0 },
            store_calls_per_s: if store { 20.0 } else { 0.0 },
        }
    }

    #[test]
    fn points_average_their_seeds_in_first_seen_order() {
        let runs = [
            run("local", 2, "round_robin", 1, 2.0),
            run("local", 2, "round_robin", 2, 1.8),
            run("central", 2, "round_robin", 1, 1.0),
        ];
        let p = point_stats(&runs);
        assert_eq!(p.len(), 2);
        assert_eq!(p[0].runs, 2);
        assert!((p[0].mean("max_window_over_limit") - 1.9).abs() < 1e-12);
        assert!(p[0].figures[0].ci95.is_some() && p[1].figures[0].ci95.is_none());
        assert_eq!(p[1].mean("decision_latency_p99_ms"), 1.0);
    }

    #[test]
    fn writes_tables_charts_and_a_page() {
        let dir = std::env::temp_dir().join(format!("atlas-files-{}", std::process::id()));
        let mut runs = Vec::new();
        for (d, w) in [("local", 1.5), ("central", 1.0)] {
            for r in [1, 2, 4] {
                for s in [1, 2] {
                    runs.push(run(d, r, "round_robin", s, w * f64::from(r).sqrt()));
                }
            }
        }
        let f = write_atlas(&dir, "a test fleet", &runs).unwrap();
        let csv = std::fs::read_to_string(dir.join("atlas.csv")).unwrap();
        assert!(csv.starts_with("design,sync_interval,store_rtt,balancer,replicas,runs,"));
        assert_eq!(csv.lines().count(), 1 + 6);
        assert_eq!(f.tables.len(), 2 * crate::tables::TABLE_EXTENSIONS.len());
        for svg in &f.charts {
            assert!(
                svg.exists() && svg.with_extension("png").exists(),
                "{svg:?}"
            );
        }
        let html = std::fs::read_to_string(&f.html).unwrap();
        assert!(html.contains("central"), "{html}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
