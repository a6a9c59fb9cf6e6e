//! `layers`' files: `layers.csv` / `layers.json` (one row per failure probability, with the
//! seed of its Monte Carlo run) and `charts/layers_calls`: bottom calls per top request
//! against the bottom's failure probability, the simulated mean over the seed's requests as
//! markers on a line and Wald's closed form dashed, so a reader sees both agree.

use super::write_rows;
use crate::charts::sweep::{sweep_chart, MeanLine, MeanPoint, ModelLine, SweepChart};
use crate::charts::Palette;
use crate::html::ReportError;
use serde::Serialize;
use std::path::{Path, PathBuf};

/// One failure probability's figures.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LayersRow {
    /// Failure probability of a bottom call.
    pub p: f64,
    /// Seed of the Monte Carlo stream.
    pub seed: u64,
    /// Top-level requests simulated.
    pub requests: u32,
    /// Bottom calls per top request, closed form.
    pub calls_expected: f64,
    /// Bottom calls per top request, simulated.
    pub calls_sim: f64,
    /// Share of top requests that fail, closed form.
    pub fail_expected: f64,
    /// Share of top requests that fail, simulated.
    pub fail_sim: f64,
}

/// What `write_layers` wrote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LayersFiles {
    /// The tables (`layers.csv`, `layers.json`).
    pub tables: Vec<PathBuf>,
    /// The chart's SVG file (a PNG beside it).
    pub chart: PathBuf,
}

/// The chart's data: simulated line, closed form dashed.
fn chart_data(rows: &[LayersRow], attempts: &str) -> SweepChart {
    let mut rows: Vec<&LayersRow> = rows.iter().collect();
    rows.sort_by(|a, b| a.p.total_cmp(&b.p));
    let sim = "simulated".to_owned();
    SweepChart {
        name: "layers_calls".into(),
        title: format!("Bottom calls per top request, attempts {attempts} (top first)"),
        caption: "Retries at every layer multiply: the simulated mean (markers) against the \
                  closed form (dashed), per failure probability of the bottom layer."
            .into(),
        x_desc: "failure probability of a bottom call".into(),
        y_desc: "bottom calls per top request".into(),
        categories: Vec::new(),
        lines: vec![MeanLine {
            name: sim.clone(),
            points: rows
                .iter()
                .map(|r| MeanPoint {
                    x: r.p,
                    mean: r.calls_sim,
                    ci95: None,
                })
                .collect(),
        }],
        models: vec![ModelLine {
            name: "closed form".into(),
            color_key: sim,
            points: rows.iter().map(|r| (r.p, r.calls_expected)).collect(),
        }],
    }
}

/// Write `layers.csv`, `layers.json` (with `parameters`) and the chart under `dir`;
/// `attempts` labels the chart (`3,3,3`).
pub fn write_layers<P: Serialize>(
    dir: &Path,
    parameters: &P,
    attempts: &str,
    rows: &[LayersRow],
) -> Result<LayersFiles, ReportError> {
    let tables = write_rows(dir, "layers", parameters, rows)?;
    let palette = Palette::new(["simulated"]);
    let chart = sweep_chart(&chart_data(rows, attempts), &palette)?;
    crate::html::files::write_charts(dir, std::slice::from_ref(&chart))?;
    Ok(LayersFiles {
        tables,
        chart: dir.join("charts").join(format!("{}.svg", chart.name)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_rows_and_a_chart_in_p_order() {
        let row = |p: f64| LayersRow {
            p,
            seed: 1,
            requests: 10,
            calls_expected: 1.0 + p,
            calls_sim: 1.0 + p,
            fail_expected: p,
            fail_sim: p,
        };
        let rows = [row(0.5), row(0.0), row(1.0)];
        let d = chart_data(&rows, "3,3");
        let xs: Vec<f64> = d.lines[0].points.iter().map(|p| p.x).collect();
        assert_eq!(xs, [0.0, 0.5, 1.0]);
        let dir = std::env::temp_dir().join(format!("layers-files-{}", std::process::id()));
        let f = write_layers(&dir, &serde_json::json!({"attempts": [3, 3]}), "3,3", &rows).unwrap();
        let csv = std::fs::read_to_string(&f.tables[0]).unwrap();
        assert!(csv.starts_with("p,seed,requests,calls_expected,"), "{csv}");
        assert_eq!(csv.lines().count(), 4);
        assert!(f.chart.exists() && f.chart.with_extension("png").exists());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
