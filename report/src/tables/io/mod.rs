//! Writing and reading the tables' files: `<stem>.csv` always, by our own writer
//! ([`csv_write`]), and `<stem>.parquet` beside it when the crate is built with the feature
//! `parquet` (polars, [`parquet`]). Reading a table back prefers the Parquet file (it keeps
//! each column's type) and falls back to the CSV ([`csv_read`]), so a folder written by either
//! build can be merged and reported by either.

mod chunked;
mod csv_read;
pub(crate) mod csv_write;
#[cfg(feature = "parquet")]
pub(crate) mod parquet;

pub use chunked::{row_groups, write_both_chunked, CHUNK_ROWS};
pub use csv_read::{parse_csv_table, read_csv_table};
pub use csv_write::{csv_bytes, write_csv};

use super::{Cell, Frame, Table, TablesError};
use std::path::{Path, PathBuf};

/// Key-value metadata of a table: `("bucket_s", "1")`, in order. Kept in the Parquet file
/// (read it with `pl.read_parquet_metadata(path)` in polars, `pq.read_schema(path).metadata`
/// in pyarrow); a CSV has no place for it.
pub type Meta = [(String, String)];

/// Whether this build writes Parquet files (the crate feature `parquet`).
pub const PARQUET: bool = cfg!(feature = "parquet");

/// The file extensions every table is written with, in the order written.
pub const TABLE_EXTENSIONS: &[&str] = if PARQUET {
    &["parquet", "csv"]
} else {
    &["csv"]
};

/// The files of table `stem`, in the order written: `["runs.parquet", "runs.csv"]`, or
/// `["runs.csv"]` without the feature `parquet`.
pub fn table_files(stem: &str) -> Vec<String> {
    TABLE_EXTENSIONS
        .iter()
        .map(|ext| format!("{stem}.{ext}"))
        .collect()
}

/// The files of table `stem` for a printed list: `runs.{parquet,csv}` or `runs.csv`.
pub fn table_files_label(stem: &str) -> String {
    match TABLE_EXTENSIONS {
        [one] => format!("{stem}.{one}"),
        many => format!("{stem}.{{{}}}", many.join(",")),
    }
}

/// Write `<dir>/<stem>.parquet` (with `meta`; feature `parquet` only) and `<dir>/<stem>.csv`
/// from `frame`; returns the paths written.
pub fn write_both(
    dir: &Path,
    stem: &str,
    frame: &Frame,
    meta: &Meta,
) -> Result<Vec<PathBuf>, TablesError> {
    std::fs::create_dir_all(dir).map_err(|source| TablesError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    let mut written = Vec::new();
    #[cfg(feature = "parquet")]
    {
        let pq = dir.join(format!("{stem}.parquet"));
        parquet::write_frame_parquet(&pq, frame, meta)?;
        written.push(pq);
    }
    #[cfg(not(feature = "parquet"))]
    let _ = meta;
    let csv = dir.join(format!("{stem}.csv"));
    write_csv(&csv, frame)?;
    written.push(csv);
    Ok(written)
}

/// Table `stem` of folder `dir`, as written by [`write_both`]: from `<stem>.parquet` when this
/// build reads Parquet and the file is there, else from `<stem>.csv`. Cells missing from rows
/// pushed later are `fill(column name)`.
pub fn read_table(
    dir: &Path,
    stem: &str,
    fill: Option<fn(&str) -> Cell>,
) -> Result<Table, TablesError> {
    let pq = dir.join(format!("{stem}.parquet"));
    #[cfg(feature = "parquet")]
    if pq.exists() {
        return parquet::read_parquet_table(&pq, fill);
    }
    let csv = dir.join(format!("{stem}.csv"));
    if !PARQUET && !csv.exists() && pq.exists() {
        return Err(TablesError::NoParquet { path: pq });
    }
    read_csv_table(&csv, fill)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_follow_the_feature() {
        let files = table_files("runs");
        assert_eq!(files.last().map(String::as_str), Some("runs.csv"));
        assert_eq!(files.len(), if PARQUET { 2 } else { 1 });
        let label = table_files_label("runs");
        assert_eq!(
            label,
            if PARQUET {
                "runs.{parquet,csv}"
            } else {
                "runs.csv"
            }
        );
    }

    #[test]
    fn written_tables_read_back() {
        let dir = std::env::temp_dir().join(format!("report-io-{}", std::process::id()));
        let mut t = Table::new();
        t.push([("seed", Cell::U64(1)), ("x", Cell::F64(0.25))]);
        t.push([("seed", Cell::U64(2)), ("s", Cell::Str("a,b".into()))]);
        let written = write_both(&dir, "t", &t.frame(|_| 0), &[]).unwrap();
        let names: Vec<String> = written
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, table_files("t"));
        let back = read_table(&dir, "t", None).unwrap();
        assert_eq!(back.column("seed").unwrap(), [Cell::I64(1), Cell::I64(2)]);
        assert_eq!(back.column("x").unwrap(), [Cell::F64(0.25), Cell::Null]);
        assert_eq!(
            back.column("s").unwrap(),
            [Cell::Null, Cell::Str("a,b".into())]
        );
        // the CSV alone reads back the same (a folder written without Parquet)
        let csv = read_csv_table(&dir.join("t.csv"), None).unwrap();
        for name in ["seed", "x", "s"] {
            assert_eq!(csv.column(name), back.column(name), "{name}");
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// A build without Parquet, given a folder with only the Parquet file of a table, says
    /// why it cannot read it and what to do (no panic, no bare "file not found").
    #[cfg(not(feature = "parquet"))]
    #[test]
    fn parquet_alone_is_explained_without_the_feature() {
        let dir = std::env::temp_dir().join(format!("report-io-pq-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("points.parquet"), "PAR1").unwrap();
        let e = read_table(&dir, "points", None).unwrap_err().to_string();
        assert!(e.contains("points.parquet"), "{e}");
        assert!(e.contains("built without Parquet support"), "{e}");
        assert!(e.contains("rebuild with the default features"), "{e}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
