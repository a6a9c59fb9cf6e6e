//! Writing a report's files: the charts (SVG and PNG under `charts/`) and the pages, with the
//! path in every error. Every report kind writes through here (run, sweep, compare, the
//! agreement of a live check, the experiments), so none of them imports another to do it.

use crate::charts::{Chart, ChartError};
use std::path::{Path, PathBuf};

/// A failure to build or write the report.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// A chart could not be drawn.
    #[error(transparent)]
    Chart(#[from] ChartError),
    /// A file could not be written.
    #[error("cannot write {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
}

/// Write `charts/<name>.svg` and `charts/<name>.png` of every chart into `dir`.
pub(crate) fn write_charts(dir: &Path, charts: &[Chart]) -> Result<(), ReportError> {
    let charts_dir = dir.join("charts");
    std::fs::create_dir_all(&charts_dir).map_err(|source| ReportError::Io {
        path: charts_dir.clone(),
        source,
    })?;
    for c in charts {
        write(
            &charts_dir.join(format!("{}.svg", c.name)),
            c.svg.as_bytes(),
        )?;
        write(&charts_dir.join(format!("{}.png", c.name)), &c.png)?;
    }
    Ok(())
}

pub(crate) fn write(path: &Path, bytes: &[u8]) -> Result<(), ReportError> {
    std::fs::write(path, bytes).map_err(|source| ReportError::Io {
        path: path.to_owned(),
        source,
    })
}
