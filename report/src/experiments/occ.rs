//! `occ`'s files: `occ.csv` / `occ.json` (one row per strategy, client count and seed) and two
//! charts against the client count, the figures of Brooker's post: total write calls
//! (`charts/occ_writes`) and the time until the last client has written
//! (`charts/occ_completion`), one line per strategy, the mean over seeds with its 95% interval.

use super::write_rows;
use crate::charts::sweep::{sweep_chart, MeanLine, MeanPoint, SweepChart};
use crate::charts::Palette;
use crate::html::ReportError;
use crate::tables::stats;
use serde::Serialize;
use sim::contention::OccResult;
use std::path::{Path, PathBuf};

/// One run of one strategy at one client count.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct OccRun {
    /// Strategy name (`full`).
    pub strategy: String,
    /// Clients.
    pub clients: u32,
    /// Seed of the run.
    pub seed: u64,
    /// Conditional writes sent.
    pub writes: u64,
    /// Reads sent.
    pub reads: u64,
    /// Writes per client.
    pub writes_per_client: f64,
    /// Clients that wrote.
    pub completed: u32,
    /// Clients that gave up.
    pub gave_up: u32,
    /// Time until the last client finished, seconds.
    pub completion_s: f64,
    /// Mean time to a client's successful write, seconds.
    pub mean_latency_s: f64,
}

impl OccRun {
    /// The row of `result`, run with `strategy` and `seed`.
    pub fn new(strategy: &str, seed: u64, r: &OccResult) -> OccRun {
        OccRun {
            strategy: strategy.to_owned(),
            clients: r.clients,
            seed,
            writes: r.writes,
            reads: r.reads,
            writes_per_client: r.writes_per_client,
            completed: r.completed,
            gave_up: r.gave_up,
            completion_s: r.completion_s,
            mean_latency_s: r.mean_latency_s,
        }
    }
}

/// What `write_occ` wrote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OccFiles {
    /// The tables (`occ.csv`, `occ.json`).
    pub tables: Vec<PathBuf>,
    /// The charts' SVG files (a PNG beside each).
    pub charts: Vec<PathBuf>,
}

/// Lines of `figure` per strategy (in first-seen order), x = clients.
fn lines(runs: &[OccRun], figure: fn(&OccRun) -> f64) -> Vec<MeanLine> {
    let mut names: Vec<&str> = Vec::new();
    for r in runs {
        if !names.contains(&r.strategy.as_str()) {
            names.push(&r.strategy);
        }
    }
    names
        .iter()
        .map(|&name| {
            let mut xs: Vec<u32> = runs
                .iter()
                .filter(|r| r.strategy == name)
                .map(|r| r.clients)
                .collect();
            xs.sort_unstable();
            xs.dedup();
            let points = xs
                .iter()
                .filter_map(|&c| {
                    let ys: Vec<f64> = runs
                        .iter()
                        .filter(|r| r.strategy == name && r.clients == c)
                        .map(figure)
                        .collect();
                    stats(&ys).map(|s| MeanPoint {
                        x: f64::from(c),
                        mean: s.mean,
                        ci95: s.ci95,
                    })
                })
                .collect();
            MeanLine {
                name: name.to_owned(),
                points,
            }
        })
        .collect()
}

/// Write `occ.csv`, `occ.json` (with `parameters`) and the charts under `dir`.
pub fn write_occ<P: Serialize>(
    dir: &Path,
    parameters: &P,
    runs: &[OccRun],
) -> Result<OccFiles, ReportError> {
    let tables = write_rows(dir, "occ", parameters, runs)?;
    let mk = |name: &str, title: &str, y_desc: &str, figure: fn(&OccRun) -> f64| SweepChart {
        name: name.to_owned(),
        title: title.to_owned(),
        caption: "One line per backoff strategy: the mean over the seeds at each client count, \
                  with its 95% interval (Brooker, \"Exponential Backoff and Jitter\", 2015)."
            .to_owned(),
        x_desc: "clients (each makes one conditional write)".to_owned(),
        y_desc: y_desc.to_owned(),
        categories: Vec::new(),
        lines: lines(runs, figure),
        models: Vec::new(),
    };
    let data = [
        mk(
            "occ_writes",
            "Total write calls against contention",
            "write calls (mean per run)",
            |r| r.writes as f64,
        ),
        mk(
            "occ_completion",
            "Time until the last client has written",
            "completion time (s)",
            |r| r.completion_s,
        ),
    ];
    let palette = Palette::new(data[0].lines.iter().map(|l| l.name.clone()));
    let charts = data
        .iter()
        .map(|d| sweep_chart(d, &palette))
        .collect::<Result<Vec<_>, _>>()?;
    crate::html::files::write_charts(dir, &charts)?;
    Ok(OccFiles {
        tables,
        charts: charts
            .iter()
            .map(|c| dir.join("charts").join(format!("{}.svg", c.name)))
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(strategy: &str, clients: u32, seed: u64, writes: u64) -> OccRun {
        OccRun {
            strategy: strategy.into(),
            clients,
            seed,
            writes,
            reads: writes,
            writes_per_client: writes as f64 / f64::from(clients),
            completed: clients,
            gave_up: 0,
            completion_s: 0.5,
            mean_latency_s: 0.2,
        }
    }

    #[test]
    fn lines_average_the_seeds_of_each_point() {
        let runs = [
            run("full", 10, 1, 20),
            run("full", 10, 2, 30),
            run("full", 20, 1, 50),
            run("none", 10, 1, 90),
        ];
        let l = lines(&runs, |r| r.writes as f64);
        assert_eq!(l.len(), 2);
        assert_eq!(l[0].name, "full");
        assert_eq!(l[0].points.len(), 2);
        assert_eq!(l[0].points[0].mean, 25.0);
        assert!(l[0].points[0].ci95.is_some() && l[0].points[1].ci95.is_none());
    }

    #[test]
    fn writes_tables_and_charts() {
        let dir = std::env::temp_dir().join(format!("occ-files-{}", std::process::id()));
        let runs = [run("full", 10, 1, 20), run("full", 20, 1, 50)];
        let f = write_occ(&dir, &serde_json::json!({"base_ms": 5}), &runs).unwrap();
        let csv = std::fs::read_to_string(&f.tables[0]).unwrap();
        assert!(csv.starts_with("strategy,clients,seed,writes,"), "{csv}");
        assert_eq!(csv.lines().count(), 3);
        let json: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&f.tables[1]).unwrap()).unwrap();
        assert_eq!(json["rows"][1]["writes"], 50);
        assert_eq!(json["parameters"]["base_ms"], 5);
        for svg in &f.charts {
            assert!(svg.exists() && svg.with_extension("png").exists());
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
