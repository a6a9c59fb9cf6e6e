//! The files of one run: `manifest.json`, `summary.json`, and the tables `summary`,
//! `timeseries`, `clients` and `tenants` as CSV and Parquet (written by
//! [`crate::tables::write_run_tables`], both from the same frame; Parquet with the feature
//! `parquet` only), from a
//! [`sim::metrics::RunResult`].
//!
//! Reproducible by construction: no timestamps, no absolute paths, maps in sorted order, floats
//! in Rust's shortest round-trip form. The same scenario file and seed give byte-identical
//! files, so outputs can be diffed and committed.

pub mod complete;
mod deployment;
mod manifest;
mod summary;
mod table;

pub use deployment::deployment_lines;
pub use manifest::Manifest;
pub(crate) use table::recovery_verdict;
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
    /// A table could not be built or written.
    #[error(transparent)]
    Tables(#[from] crate::tables::TablesError),
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
    put(
        "manifest.json",
        json(dir, "manifest.json", &manifest.with_buckets(result))?,
    )?;
    put(
        "summary.json",
        json(dir, "summary.json", &summary::SummaryJson::of(result))?,
    )?;
    written.extend(crate::tables::write_run_tables(dir, result)?);
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
