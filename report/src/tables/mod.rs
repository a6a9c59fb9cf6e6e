//! Tables of runs, sweeps and comparisons as polars `DataFrame`s, written as Parquet (with a
//! CSV beside each file for people without a Parquet reader), and the statistics they carry:
//! mean, sample standard deviation, 95% confidence intervals with Student's t, paired
//! differences across common seeds.
//!
//! Rows are built with [`Table`] (union of columns, typed, fixed column order) and written
//! by [`write_parquet`] reproducibly: the same results give byte-identical files.
//!
//! ```
//! use report::tables::{Cell, Table};
//! let mut t = Table::new();
//! t.push([("seed", Cell::U64(1)), ("goodput_rps", Cell::F64(9.5))]);
//! t.push([("seed", Cell::U64(2)), ("goodput_rps", Cell::F64(10.5))]);
//! let df = t.to_frame(|name| name.to_string()).unwrap();
//! assert_eq!(df.shape(), (2, 2));
//! ```

pub(crate) mod aligned;
mod compare;
mod figures;
mod io;
mod long;
mod manifest;
mod points;
mod records;
mod run;
mod scopes;
mod stats;
mod sweep;
mod table;

pub(crate) use compare::diff_cells;
pub use compare::{
    compare, compare_table, diffs_from_table, render as render_compare, FigureDiff, COMPARE_COLUMNS,
};
pub use figures::{
    fill, jain_max_min_of, rank, rejection_rate, run_cells, series_cells, summary_cells,
    summary_rows, Rank, FIGURES, SERIES,
};
pub use io::{read_parquet, read_parquet_metadata, write_both, write_csv, write_parquet, Meta};
pub use long::{long_rank, long_table};
pub use manifest::{CompareManifest, ParamManifest, SweepManifest};
pub use points::{points_rank, points_table, SUFFIXES};
pub use records::{push_series, runs_table, series_table, RunRecord, BUCKET_START};
pub use run::{
    bucket_meta, clients_frame, common_bucket, run_meta, summary_frame, tenants_frame,
    timeseries_frame, write_run_tables, RUN_TABLES,
};
pub use scopes::{
    lead_with, scopes_of, split_scope, tenant_cells, tenants_cells, tenants_differ, touched_fleets,
    Scope, TENANT_PREFIX,
};
pub use stats::{paired, stats, t_critical_95, Stats};
pub use sweep::{param_cell, render_points, sort_runs, sweep_points, write_sweep, SweepKeys};
pub use table::{Cell, Table};

/// polars itself, for readers of the frames (tests, notebooks in Rust).
pub use polars;

use std::path::PathBuf;
use thiserror::Error;

/// Why a table could not be built, written or read.
#[derive(Debug, Error)]
pub enum TablesError {
    /// A file or folder could not be created, written or read.
    #[error("{path}: {source}")]
    Io {
        /// The path.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// polars failed to build, encode or decode a table.
    #[error("{path}: {source}")]
    Polars {
        /// The path.
        path: PathBuf,
        /// The cause.
        #[source]
        source: polars::prelude::PolarsError,
    },
}
