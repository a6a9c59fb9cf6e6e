//! A table written a slice of rows at a time, for tables with a row per client: a run of
//! 10,000,000 clients held its clients table three times at once (the run's rows, the table's
//! cells, polars' frame), about 390 B a client beyond the simulation itself, and `run` needed
//! 5.6 GB where the simulation alone needs 1.7 GB (issue #19). Built and written one row
//! group at a time ([`row_groups`]), the same files come out byte for byte: the CSV is the
//! slices' rows under the first slice's header, and each slice is the row group polars'
//! writer would have cut from the whole table.

use super::csv_write::csv_bytes;
use super::Meta;
use crate::tables::{Frame, TablesError};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Rows per Parquet row group asked of polars (`ParquetWriter::with_row_group_size`).
pub const CHUNK_ROWS: usize = 256 * 1024;
#[cfg(feature = "parquet")]
const _: () = assert!(CHUNK_ROWS == super::parquet::ROW_GROUP);

/// The row groups polars 0.55's Parquet writer cuts a one-chunk table of `height` rows into
/// (`polars-core` `frame/chunks.rs` `chunk_df_for_writing`, `utils/mod.rs` `split_impl`):
/// below [`CHUNK_ROWS`] rows one group; else `n = height / CHUNK_ROWS` groups of
/// `height / n` rows, the last taking the remainder (so groups hold up to twice
/// [`CHUNK_ROWS`]).
///
/// ```
/// use report::tables::{row_groups, CHUNK_ROWS};
/// assert_eq!(row_groups(10), vec![0..10]);
/// let n = 2 * CHUNK_ROWS + 7;
/// assert_eq!(row_groups(n), vec![0..CHUNK_ROWS + 3, CHUNK_ROWS + 3..n]);
/// assert!(row_groups(0).is_empty());
/// ```
pub fn row_groups(height: usize) -> Vec<std::ops::Range<usize>> {
    if height == 0 {
        return Vec::new();
    }
    let n = (height / CHUNK_ROWS).max(1);
    let size = height / n;
    (0..n)
        .map(|i| i * size..if i + 1 == n { height } else { (i + 1) * size })
        .collect()
}

/// Write `<dir>/<stem>.parquet` (feature `parquet`) and `<dir>/<stem>.csv` from `frames`, the
/// slices [`row_groups`] gives of one table, in order: the same bytes as [`super::write_both`]
/// of the whole table. No frames write nothing.
pub fn write_both_chunked<'a>(
    dir: &Path,
    stem: &str,
    frames: impl IntoIterator<Item = Frame<'a>>,
    meta: &Meta,
) -> Result<Vec<PathBuf>, TablesError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| TablesError::Io { path, source }
    };
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let csv_path = dir.join(format!("{stem}.csv"));
    #[cfg(feature = "parquet")]
    let pq_path = dir.join(format!("{stem}.parquet"));
    #[cfg(feature = "parquet")]
    let mut pq = super::parquet::ParquetChunks::new(&pq_path, meta);
    #[cfg(not(feature = "parquet"))]
    let _ = meta;
    let mut csv: Option<std::io::BufWriter<std::fs::File>> = None;
    for frame in frames {
        #[cfg(feature = "parquet")]
        pq.write(&frame)?;
        let bytes = csv_bytes(&frame);
        let rows = match &mut csv {
            None => {
                let file = std::fs::File::create(&csv_path).map_err(io(&csv_path))?;
                csv = Some(std::io::BufWriter::new(file));
                &bytes[..]
            }
            // the header again: only the first frame's is written
            Some(_) => &bytes[header_len(&bytes)..],
        };
        if let Some(out) = &mut csv {
            out.write_all(rows).map_err(io(&csv_path))?;
        }
    }
    let Some(mut out) = csv else {
        return Ok(Vec::new());
    };
    out.flush().map_err(io(&csv_path))?;
    #[cfg(feature = "parquet")]
    {
        pq.finish()?;
        Ok(vec![pq_path, csv_path])
    }
    #[cfg(not(feature = "parquet"))]
    Ok(vec![csv_path])
}

/// The length of the header line of CSV text `bytes`, its `\n` included: up to the first
/// line break outside quotes (a quoted column name may hold one).
fn header_len(bytes: &[u8]) -> usize {
    let mut quoted = false;
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'"' => quoted = !quoted,
            b'\n' if !quoted => return i + 1,
            _ => {}
        }
    }
    bytes.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tables::{Cell, Table};

    fn rows(range: std::ops::Range<u64>) -> Table {
        let mut t = Table::new();
        for i in range {
            t.push([
                ("client", Cell::U64(i)),
                (
                    "fleet",
                    Cell::Str(if i % 3 == 0 { "a,b" } else { "web" }.into()),
                ),
                ("attempts", Cell::U64(i * 7 % 11)),
            ]);
        }
        t
    }

    #[test]
    fn the_header_ends_at_the_first_line_break_outside_quotes() {
        assert_eq!(header_len(b"a,b\n1,2\n"), 4);
        assert_eq!(header_len(b"\"a\nb\",c\n1,2\n"), 8);
        assert_eq!(header_len(b"\"say \"\"hi\"\"\"\n1\n"), 13);
        assert_eq!(header_len(b"a"), 1);
    }

    #[test]
    fn slices_write_the_bytes_of_the_whole_table() {
        let n = 2 * CHUNK_ROWS as u64 + 1_000;
        let dir = std::env::temp_dir().join(format!("report-chunked-{}", std::process::id()));
        let meta = [("bucket_s".to_owned(), "1".to_owned())];
        let whole =
            super::super::write_both(&dir.join("whole"), "t", &rows(0..n).frame(|_| 0), &meta)
                .unwrap();
        let slices: Vec<Table> = row_groups(n as usize)
            .into_iter()
            .map(|r| rows(r.start as u64..r.end as u64))
            .collect();
        assert_eq!(slices.len(), 2);
        let chunked = write_both_chunked(
            &dir.join("chunked"),
            "t",
            slices.iter().map(|t| t.frame(|_| 0)),
            &meta,
        )
        .unwrap();
        assert_eq!(whole.len(), chunked.len());
        for (a, b) in whole.iter().zip(&chunked) {
            assert_eq!(a.file_name(), b.file_name());
            assert!(
                std::fs::read(a).unwrap() == std::fs::read(b).unwrap(),
                "{} differs from {}",
                b.display(),
                a.display()
            );
        }
        assert!(write_both_chunked(&dir.join("none"), "t", [], &meta)
            .unwrap()
            .is_empty());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
