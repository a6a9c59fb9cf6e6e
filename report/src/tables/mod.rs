//! Tables of runs, sweeps and comparisons, written as CSV and (with the feature `parquet`,
//! on by default) as Parquet beside it, and the statistics they carry: mean, sample standard
//! deviation, 95% confidence intervals with Student's t, paired differences across common
//! seeds.
//!
//! Rows are built with [`Table`] (union of columns, typed), given a column order as a
//! [`Frame`], and written by [`write_both`] reproducibly: the same results give byte-identical
//! files. Callers never see polars; it is confined to the Parquet files (`io::parquet`) so
//! the binary builds without it (`cargo build --no-default-features`).
//!
//! ```
//! use report::tables::{csv_bytes, Cell, Table};
//! let mut t = Table::new();
//! t.push([("seed", Cell::U64(1)), ("goodput_rps", Cell::F64(9.5))]);
//! t.push([("seed", Cell::U64(2)), ("goodput_rps", Cell::F64(10.5))]);
//! let f = t.frame(|name| name.to_string());
//! assert_eq!((f.height(), f.width()), (2, 2));
//! assert_eq!(csv_bytes(&f), b"goodput_rps,seed\n9.5,1\n10.5,2\n");
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
#[cfg(feature = "parquet")]
pub use io::parquet::{
    read_parquet, read_parquet_metadata, read_parquet_table, write_frame_parquet, write_parquet,
};
pub use io::{
    csv_bytes, parse_csv_table, read_csv_table, read_table, row_groups, table_files,
    table_files_label, write_both, write_both_chunked, write_csv, Meta, CHUNK_ROWS, PARQUET,
    TABLE_EXTENSIONS,
};
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
pub use table::{Cell, Frame, Table};

/// polars itself, for readers of the Parquet files (tests, notebooks in Rust).
#[cfg(feature = "parquet")]
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
    /// A CSV file is not a table as this crate writes one.
    #[error("{path}:{line}:{column}: {message}")]
    Csv {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// 1-based column (in characters).
        column: usize,
        /// What was expected there.
        message: String,
    },
    /// Only the Parquet file of a table is there, and this build reads no Parquet.
    #[error(
        "{path}: this throttlelab was built without Parquet support (cargo feature `parquet`) \
         and the CSV file beside it is missing; rebuild with the default features"
    )]
    NoParquet {
        /// The Parquet file.
        path: PathBuf,
    },
    /// polars failed to build, encode or decode a table.
    #[cfg(feature = "parquet")]
    #[error("{path}: {source}")]
    Polars {
        /// The path.
        path: PathBuf,
        /// The cause.
        #[source]
        source: polars::prelude::PolarsError,
    },
}
