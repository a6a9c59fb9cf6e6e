//! Parquet and CSV files, written reproducibly: the same table gives the same bytes.
//!
//! polars' Parquet writer puts no timestamp in a file (its only free-form field is
//! `created_by`, the polars version) and its column statistics (min, max, null count) are a
//! function of the data, so the bytes depend on the table alone. We fix the compression
//! (zstd, default level), the row-group size and the page size instead of relying on defaults
//! that may change, and serialise columns on the calling thread.

use super::TablesError;
use polars::prelude::{
    CsvWriter, DataFrame, ParquetCompression, ParquetReader, ParquetWriter, SerReader, SerWriter,
    StatisticsOptions,
};
use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

/// Rows per Parquet row group.
const ROW_GROUP: usize = 256 * 1024;

/// Write `df` as Parquet to `path`.
pub fn write_parquet(path: &Path, df: &mut DataFrame) -> Result<(), TablesError> {
    let file = File::create(path).map_err(|source| TablesError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    ParquetWriter::new(BufWriter::new(file))
        .with_compression(ParquetCompression::Zstd(None))
        .with_statistics(StatisticsOptions::default())
        .with_row_group_size(Some(ROW_GROUP))
        .with_data_page_size(Some(1024 * 1024))
        .set_parallel(false)
        .finish(df)
        .map_err(|source| TablesError::Polars {
            path: path.to_path_buf(),
            source,
        })?;
    Ok(())
}

/// Write `df` as CSV (header row, nulls as empty fields) to `path`.
pub fn write_csv(path: &Path, df: &mut DataFrame) -> Result<(), TablesError> {
    let file = File::create(path).map_err(|source| TablesError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    CsvWriter::new(BufWriter::new(file))
        .include_header(true)
        .finish(df)
        .map_err(|source| TablesError::Polars {
            path: path.to_path_buf(),
            source,
        })
}

/// Write `<dir>/<stem>.parquet` and `<dir>/<stem>.csv`; returns both paths.
pub fn write_both(dir: &Path, stem: &str, df: &mut DataFrame) -> Result<Vec<PathBuf>, TablesError> {
    std::fs::create_dir_all(dir).map_err(|source| TablesError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    let pq = dir.join(format!("{stem}.parquet"));
    let csv = dir.join(format!("{stem}.csv"));
    write_parquet(&pq, df)?;
    write_csv(&csv, df)?;
    Ok(vec![pq, csv])
}

/// Read a Parquet file.
pub fn read_parquet(path: &Path) -> Result<DataFrame, TablesError> {
    let file = File::open(path).map_err(|source| TablesError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    ParquetReader::new(file)
        .finish()
        .map_err(|source| TablesError::Polars {
            path: path.to_path_buf(),
            source,
        })
}
