//! The files of one run: `manifest.json`, `summary.json`, `summary.csv`, `timeseries.csv`,
//! `clients.csv` and `tenants.csv`, written from a [`sim::metrics::RunResult`].
//!
//! Reproducible by construction: no timestamps, no absolute paths, maps in sorted order, floats
//! in Rust's shortest round-trip form. The same scenario file and seed give byte-identical
//! files, so outputs can be diffed and committed.

mod clients;
pub mod complete;
mod manifest;
mod series;
mod summary;
mod table;

pub use manifest::Manifest;
pub use table::summary_table;

use sim::metrics::RunResult;
use std::path::{Path, PathBuf};
use thiserror::Error;

/// Why the output files could not be written.
#[derive(Debug, Error)]
pub enum FilesError {
    /// A file or folder could not be created or written.
    #[error("{path}: {source}")]
    Io {
        /// The path.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// CSV encoding failed.
    #[error("{path}: {source}")]
    Csv {
        /// The path.
        path: PathBuf,
        /// The cause.
        #[source]
        source: csv::Error,
    },
    /// JSON encoding failed.
    #[error("{path}: {source}")]
    Json {
        /// The path.
        path: PathBuf,
        /// The cause.
        #[source]
        source: serde_json::Error,
    },
}

/// The output folder of a run: `<out>/<scenario>/<seed>/`.
///
/// ```
/// use std::path::Path;
/// assert_eq!(report::files::run_dir(Path::new("notebooks-out"), "calm", 42),
///            Path::new("notebooks-out/calm/42"));
/// ```
pub fn run_dir(out: &Path, scenario: &str, seed: u64) -> PathBuf {
    out.join(scenario).join(seed.to_string())
}

/// Write every file of a run into `dir` (created if needed); returns the paths written, in a
/// fixed order.
pub fn write_run(
    dir: &Path,
    result: &RunResult,
    manifest: &Manifest,
) -> Result<Vec<PathBuf>, FilesError> {
    std::fs::create_dir_all(dir).map_err(|source| FilesError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    let mut written = Vec::new();
    let mut put = |name: &str, bytes: Vec<u8>| -> Result<(), FilesError> {
        let path = dir.join(name);
        std::fs::write(&path, bytes).map_err(|source| FilesError::Io {
            path: path.clone(),
            source,
        })?;
        written.push(path);
        Ok(())
    };
    put("manifest.json", json(dir, "manifest.json", manifest)?)?;
    put(
        "summary.json",
        json(dir, "summary.json", &summary::SummaryJson::of(result))?,
    )?;
    put(
        "summary.csv",
        csv_bytes(dir, "summary.csv", summary::rows(result))?,
    )?;
    put(
        "timeseries.csv",
        csv_bytes(dir, "timeseries.csv", series::rows(result))?,
    )?;
    put(
        "clients.csv",
        csv_bytes(dir, "clients.csv", clients::client_rows(result))?,
    )?;
    put(
        "tenants.csv",
        csv_bytes(dir, "tenants.csv", clients::tenant_rows(result))?,
    )?;
    Ok(written)
}

fn json<T: serde::Serialize>(dir: &Path, name: &str, value: &T) -> Result<Vec<u8>, FilesError> {
    let mut v = serde_json::to_vec_pretty(value).map_err(|source| FilesError::Json {
        path: dir.join(name),
        source,
    })?;
    v.push(b'\n');
    Ok(v)
}

/// Header first, then records, all as strings.
fn csv_bytes(dir: &Path, name: &str, rows: Vec<Vec<String>>) -> Result<Vec<u8>, FilesError> {
    let err = |source| FilesError::Csv {
        path: dir.join(name),
        source,
    };
    let mut w = csv::Writer::from_writer(Vec::new());
    for r in rows {
        w.write_record(&r).map_err(err)?;
    }
    w.into_inner().map_err(|e| err(e.into_error().into()))
}

/// A float as CSV text: shortest round-trip form; empty when absent or not finite.
pub(crate) fn num(v: Option<f64>) -> String {
    match v {
        Some(x) if x.is_finite() => format!("{x}"),
        _ => String::new(),
    }
}
