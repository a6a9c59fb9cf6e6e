//! Files of the stand-alone experiments (`throttlelab occ`, `layers`, `atlas`): like every
//! other subcommand they leave their numbers on disk, not only on the terminal, so a notebook
//! or a review can reuse them. Each writes, under its directory, one CSV row per run (per seed,
//! so the spread stays visible), the same rows and the parameters as JSON, and a chart drawn
//! with the report's own sweep chart (means with their 95% interval, models dashed).

mod atlas;
mod layers;
mod occ;

pub use atlas::{
    answer, point_stats, points_table, runs_table, variants, write_atlas, AtlasFiles, AtlasPoint,
    AtlasRun, PointStats, VariantRow, FIGURES as ATLAS_FIGURES, THRESHOLD,
};
pub use layers::{write_layers, LayersFiles, LayersRow};
pub use occ::{write_occ, OccFiles, OccRun};

use crate::html::ReportError;
use serde::Serialize;
use std::path::{Path, PathBuf};

/// Write `rows` as `<dir>/<stem>.csv` (header from the field names) and `<dir>/<stem>.json`
/// (`{"parameters": ..., "rows": [...]}`); returns both paths.
fn write_rows<P: Serialize, R: Serialize>(
    dir: &Path,
    stem: &str,
    parameters: &P,
    rows: &[R],
) -> Result<Vec<PathBuf>, ReportError> {
    let io = |path: &Path| {
        let path = path.to_owned();
        move |e: std::io::Error| ReportError::Io { path, source: e }
    };
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let csv_path = dir.join(format!("{stem}.csv"));
    let mut w = csv::Writer::from_path(&csv_path).map_err(|e| ReportError::Io {
        path: csv_path.clone(),
        source: e.into(),
    })?;
    for r in rows {
        w.serialize(r).map_err(|e| ReportError::Io {
            path: csv_path.clone(),
            source: e.into(),
        })?;
    }
    w.flush().map_err(io(&csv_path))?;
    let json_path = dir.join(format!("{stem}.json"));
    let json = serde_json::json!({ "parameters": parameters, "rows": rows });
    let text = serde_json::to_string_pretty(&json).map_err(|e| ReportError::Io {
        path: json_path.clone(),
        source: e.into(),
    })?;
    std::fs::write(&json_path, text + "\n").map_err(io(&json_path))?;
    Ok(vec![csv_path, json_path])
}
