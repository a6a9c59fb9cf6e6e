//! The CSV writer of every table, with or without polars: the same bytes polars' `CsvWriter`
//! writes with its defaults (header row, `,` separator, `\n` line ends, nulls as empty
//! fields, quotes only where necessary), so a build without the `parquet` feature writes the
//! same CSV files as one with it, and there is one writer to keep right, not two.
//!
//! The rules follow polars-io 0.55 `src/csv/write/write_impl/serializer.rs`
//! (<https://github.com/pola-rs/polars/blob/main/crates/polars-io/src/csv/write/write_impl/serializer.rs>):
//! integers in plain decimal (`itoa`), floats in the shortest form that reads back to the same
//! bits (`zmij::Buffer::format`, which polars calls; `1.0`, `0.1`, `1e-7`), flags as
//! `true`/`false`, and text (`string_serializer`, `QuoteStyle::Necessary`) quoted when it
//! holds the separator, `\n` or `\r`, or a quote (doubled inside); an empty text is written
//! `""` so that it differs from a null. The header is written like text. A table without
//! rows is its header alone; without columns, an empty line (`write_impl.rs`, `csv_header`).
//! A unit test (`matches_polars`) checks this writer against polars' on tricky values.

use super::super::table::kind::Stored;
use crate::tables::{Frame, TablesError};
use std::path::Path;

/// The CSV text of `frame`.
///
/// ```
/// use report::tables::{csv_bytes, Cell, Table};
/// let mut t = Table::new();
/// t.push([("name", Cell::Str("a,b".into())), ("x", Cell::F64(1.0)), ("n", Cell::U64(2))]);
/// t.push([("name", Cell::Str("".into()))]);
/// let text = String::from_utf8(csv_bytes(&t.frame(|_| 0))).unwrap();
/// assert_eq!(text, "name,x,n\n\"a,b\",1.0,2\n\"\",,\n");
/// ```
pub fn csv_bytes(frame: &Frame) -> Vec<u8> {
    let mut out = Vec::new();
    for (j, name) in frame.names().enumerate() {
        if j > 0 {
            out.push(b',');
        }
        text(&mut out, name);
    }
    out.push(b'\n');
    if frame.width() == 0 {
        return out;
    }
    let mut floats = zmij::Buffer::new();
    for r in 0..frame.height() {
        for j in 0..frame.width() {
            if j > 0 {
                out.push(b',');
            }
            match frame.stored(j, r) {
                None => {}
                Some(Stored::Bool(b)) => out.extend_from_slice(if b { b"true" } else { b"false" }),
                Some(Stored::Int(v)) => out.extend_from_slice(v.to_string().as_bytes()),
                Some(Stored::Float(v)) => out.extend_from_slice(floats.format(v).as_bytes()),
                Some(Stored::Text(s)) => text(&mut out, &s),
            }
        }
        out.push(b'\n');
    }
    out
}

/// Write `frame` as CSV to `path`.
pub fn write_csv(path: &Path, frame: &Frame) -> Result<(), TablesError> {
    std::fs::write(path, csv_bytes(frame)).map_err(|source| TablesError::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// One text field, quoted where necessary.
fn text(out: &mut Vec<u8>, s: &str) {
    if s.is_empty() {
        out.extend_from_slice(b"\"\"");
        return;
    }
    let quote = s.contains([',', '\n', '\r', '"']);
    if !quote {
        out.extend_from_slice(s.as_bytes());
        return;
    }
    out.push(b'"');
    out.extend_from_slice(s.replace('"', "\"\"").as_bytes());
    out.push(b'"');
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::tables::{Cell, Table};

    /// Cells that test every rule: text needing quotes or not, empty text, nulls in each
    /// type, floats of every form, non-finite floats (stored as null), clamped counts, a
    /// column widened to text from numbers and flags, an all-null column.
    pub(crate) fn tricky() -> Table {
        let mut t = Table::new();
        let texts = [
            "plain",
            "a,b",
            "say \"hi\"",
            "two\nlines",
            "cr\rhere",
            "",
            "\"",
            " padded ",
            "é ü",
            "x\"y,z",
        ];
        let floats = [
            1.0,
            0.1,
            1e-7,
            -0.0,
            123456789.125,
            1e16,
            1e21,
            1.5e-300,
            f64::MAX,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            2.0 / 3.0,
            100.0,
            5e-324,
        ];
        let n = texts.len().max(floats.len());
        for i in 0..n {
            let mut row: Vec<(String, Cell)> = Vec::new();
            row.push((
                "text".into(),
                texts
                    .get(i)
                    .map_or(Cell::Null, |s| Cell::Str(s.to_string())),
            ));
            row.push((
                "float".into(),
                floats.get(i).map_or(Cell::Null, |f| Cell::F64(*f)),
            ));
            let count = match i % 4 {
                0 => Cell::U64(u64::MAX),
                1 => Cell::Null,
                2 => Cell::I64(-7),
                _ => Cell::U64(i as u64),
            };
            row.push(("count".into(), count));
            row.push((
                "flag".into(),
                if i % 3 == 0 {
                    Cell::Null
                } else {
                    Cell::Bool(i % 2 == 0)
                },
            ));
            let mixed = match i % 5 {
                0 => Cell::Bool(true),
                1 => Cell::F64(0.1 + 0.2),
                2 => Cell::U64(3),
                3 => Cell::F64(1e-7),
                _ => Cell::Null,
            };
            row.push(("mixed, \"widened\"".into(), mixed));
            row.push((
                "int_to_float".into(),
                if i % 2 == 0 {
                    Cell::U64(i as u64)
                } else {
                    Cell::F64(0.5)
                },
            ));
            row.push(("nothing".into(), Cell::Null));
            t.push(row);
        }
        t
    }

    #[test]
    fn header_only_and_empty() {
        let mut t = Table::new();
        assert_eq!(csv_bytes(&t.frame(|_| 0)), b"\n");
        t.push([("a", Cell::U64(1))]);
        let empty = t.reorder(&[]);
        assert_eq!(csv_bytes(&empty.frame(|_| 0)), b"a\n");
    }

    #[test]
    fn quoting_and_nulls() {
        let mut t = Table::new();
        t.push([
            ("s", Cell::Str("say \"hi\"".into())),
            ("f", Cell::F64(f64::NAN)),
        ]);
        t.push([("s", Cell::Null), ("f", Cell::F64(1e-7))]);
        let text = String::from_utf8(csv_bytes(&t.frame(|_| 0))).unwrap();
        assert_eq!(text, "s,f\n\"say \"\"hi\"\"\",\n,1e-7\n");
    }

    /// Our bytes are polars' bytes, for every rule above.
    #[cfg(feature = "parquet")]
    #[test]
    fn matches_polars() {
        use polars::prelude::{CsvWriter, SerWriter};
        let t = tricky();
        for rank in [0usize, 1] {
            let frame = t.frame(|n| if rank == 0 { n.len() } else { 0 });
            let mut df = frame.to_polars().unwrap();
            let mut theirs = Vec::new();
            CsvWriter::new(&mut theirs)
                .include_header(true)
                .finish(&mut df)
                .unwrap();
            let ours = csv_bytes(&frame);
            assert_eq!(
                String::from_utf8_lossy(&ours),
                String::from_utf8_lossy(&theirs)
            );
            assert_eq!(ours, theirs);
        }
        // no rows: the header alone
        let empty = t.reorder(&[]);
        let frame = empty.frame(|_| 0);
        let mut theirs = Vec::new();
        CsvWriter::new(&mut theirs)
            .include_header(true)
            .finish(&mut frame.to_polars().unwrap())
            .unwrap();
        assert_eq!(csv_bytes(&frame), theirs);
    }
}
