//! Parquet files (feature `parquet`), written reproducibly: the same table gives the same bytes.
//!
//! polars' Parquet writer puts no timestamp in a file (its only free-form field is
//! `created_by`, the polars version) and its column statistics (min, max, null count) are a
//! function of the data, so the bytes depend on the table alone. We fix the compression
//! (zstd, default level), the row-group size and the page size instead of relying on defaults
//! that may change, and serialise columns on the calling thread.
//!
//! The CSV beside a Parquet file is written from the same [`Frame`] (issue #12: a second,
//! hand-written CSV writer had fallen four columns behind). Facts about a table that are not
//! columns (the run's bucket width) go into the Parquet file's key-value metadata ([`Meta`]).

use super::Meta;
use crate::tables::{Cell, Frame, Table, TablesError};
use polars::prelude::{
    DataFrame, KeyValueMetadata, ParquetCompression, ParquetReader, ParquetWriter, SerReader,
    StatisticsOptions,
};
use std::fs::File;
use std::io::BufWriter;
use std::path::Path;

/// Rows per Parquet row group.
pub(crate) const ROW_GROUP: usize = 256 * 1024;

/// The writer of every Parquet file, its options fixed (see the module's doc).
fn writer(path: &Path, meta: &Meta) -> Result<ParquetWriter<BufWriter<File>>, TablesError> {
    let file = File::create(path).map_err(|source| TablesError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    Ok(ParquetWriter::new(BufWriter::new(file))
        .with_compression(ParquetCompression::Zstd(None))
        .with_statistics(StatisticsOptions::default())
        .with_row_group_size(Some(ROW_GROUP))
        .with_data_page_size(Some(1024 * 1024))
        .set_parallel(false)
        .with_key_value_metadata(
            (!meta.is_empty()).then(|| KeyValueMetadata::from_static(meta.to_vec())),
        ))
}

/// Write `df` as Parquet to `path`, with `meta` as the file's key-value metadata.
pub fn write_parquet(path: &Path, df: &mut DataFrame, meta: &Meta) -> Result<(), TablesError> {
    writer(path, meta)?
        .finish(df)
        .map_err(|source| TablesError::Polars {
            path: path.to_path_buf(),
            source,
        })?;
    Ok(())
}

/// A Parquet file written one frame at a time, each frame one row group: given the slices
/// `chunked::row_groups` cuts, the same bytes as [`write_frame_parquet`] of all the rows at
/// once, without holding them all (`chunked::write_both_chunked`).
pub(crate) struct ParquetChunks {
    path: std::path::PathBuf,
    meta: Vec<(String, String)>,
    batched: Option<polars::io::parquet::write::BatchedWriter<BufWriter<File>>>,
}

impl ParquetChunks {
    /// A file at `path` with `meta`, created at the first frame.
    pub(crate) fn new(path: &Path, meta: &Meta) -> ParquetChunks {
        ParquetChunks {
            path: path.to_path_buf(),
            meta: meta.to_vec(),
            batched: None,
        }
    }

    fn polars_err(&self) -> impl Fn(polars::error::PolarsError) -> TablesError {
        let path = self.path.clone();
        move |source| TablesError::Polars {
            path: path.clone(),
            source,
        }
    }

    /// Append `frame`'s rows as the next row group.
    pub(crate) fn write(&mut self, frame: &Frame) -> Result<(), TablesError> {
        let err = self.polars_err();
        let df = frame.to_polars().map_err(&err)?;
        let batched = match self.batched.take() {
            Some(b) => b,
            None => writer(&self.path, &self.meta)?
                .batched(df.schema())
                .map_err(&err)?,
        };
        let batched = self.batched.insert(batched);
        batched.write_batch(&df).map_err(&err)
    }

    /// Write the footer.
    pub(crate) fn finish(mut self) -> Result<(), TablesError> {
        let err = self.polars_err();
        match &mut self.batched {
            Some(b) => b.finish().map(|_| ()).map_err(err),
            None => Ok(()),
        }
    }
}
/// Write `frame` as Parquet to `path`, with `meta` as the file's key-value metadata.
pub fn write_frame_parquet(path: &Path, frame: &Frame, meta: &Meta) -> Result<(), TablesError> {
    let mut df = frame.to_polars().map_err(|source| TablesError::Polars {
        path: path.to_path_buf(),
        source,
    })?;
    write_parquet(path, &mut df, meta)
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

/// The key-value metadata of a Parquet file (polars' own `ARROW:schema` entry left out).
pub fn read_parquet_metadata(path: &Path) -> Result<Vec<(String, String)>, TablesError> {
    let file = File::open(path).map_err(|source| TablesError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let polars_err = |source| TablesError::Polars {
        path: path.to_path_buf(),
        source,
    };
    let mut reader = ParquetReader::new(file);
    let meta = reader.get_metadata().map_err(polars_err)?;
    Ok(meta
        .key_value_metadata()
        .iter()
        .flatten()
        .filter(|kv| kv.key != "ARROW:schema")
        .map(|kv| (kv.key.clone(), kv.value.clone().unwrap_or_default()))
        .collect())
}

/// The table in a Parquet file written by [`write_frame_parquet`]; cells missing from rows
/// pushed later are `fill(column name)`.
pub fn read_parquet_table(
    path: &Path,
    fill: Option<fn(&str) -> Cell>,
) -> Result<Table, TablesError> {
    let df = read_parquet(path)?;
    Table::from_frame(&df, fill).map_err(|source| TablesError::Polars {
        path: path.to_path_buf(),
        source,
    })
}
