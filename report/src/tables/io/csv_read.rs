//! Reading a table back from the CSV that [`super::csv_write`] wrote: what a build without
//! polars reads a sweep's shards (`merge`) and a sweep's or comparison's table (`report`)
//! from.
//!
//! The parser is RFC 4180 (<https://www.rfc-editor.org/rfc/rfc4180>): fields separated by
//! `,`, records by `\n` (a `\r\n` is accepted), a quoted field may hold `,`, quotes (doubled)
//! and line breaks. Unlike a general CSV reader it keeps whether a field was quoted, since
//! our writer (like polars') writes a null as an empty field and an empty text as `""`.
//!
//! CSV has no types, so each column's type is inferred from its text, and inferred only when
//! writing the cell back gives the same text: a column whose every value is `true`/`false`
//! holds flags, every value a canonical integer (`-12`, not `012` or `+1`) whole numbers,
//! every value a float in the writer's shortest form (`0.5`, `1.0`, `1e-7`) floats;
//! anything else is text. Reading and writing again therefore gives the same bytes. What it
//! cannot know is that a text column held only numbers (a parameter `"10"`); the Parquet file,
//! where there is one, keeps that type.

use crate::tables::{Cell, Table, TablesError};
use std::path::Path;

/// One parsed field: its text, and whether it was quoted.
type Field = (String, bool);

/// Parse CSV text into records; errors name the line and column (1-based) and what was
/// expected.
fn records(text: &str) -> Result<Vec<Vec<Field>>, (usize, usize, String)> {
    let mut out = Vec::new();
    let mut record: Vec<Field> = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let (mut line, mut col) = (1usize, 0usize);
    let mut chars = text.chars().peekable();
    let mut at_start = true; // at the start of a field
    while let Some(c) = chars.next() {
        col += 1;
        match c {
            '"' if at_start => {
                quoted = true;
                at_start = false;
                let (open_line, open_col) = (line, col);
                loop {
                    match chars.next() {
                        None => {
                            return Err((
                                open_line,
                                open_col,
                                "expected a closing quote for the field that starts here".into(),
                            ))
                        }
                        Some('"') if chars.peek() == Some(&'"') => {
                            chars.next();
                            col += 2;
                            field.push('"');
                        }
                        Some('"') => {
                            col += 1;
                            break;
                        }
                        Some('\n') => {
                            line += 1;
                            col = 0;
                            field.push('\n');
                        }
                        Some(other) => {
                            col += 1;
                            field.push(other);
                        }
                    }
                }
                match chars.peek() {
                    None | Some(',' | '\n' | '\r') => {}
                    Some(_) => {
                        return Err((
                            line,
                            col + 1,
                            "expected `,` or a line end after a closing quote".into(),
                        ))
                    }
                }
            }
            '"' => {
                return Err((
                    line,
                    col,
                    "a quote inside an unquoted field (quote the whole field, doubling the quote)"
                        .into(),
                ))
            }
            ',' => {
                record.push((std::mem::take(&mut field), quoted));
                quoted = false;
                at_start = true;
            }
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' => {
                record.push((std::mem::take(&mut field), quoted));
                out.push(std::mem::take(&mut record));
                quoted = false;
                at_start = true;
                line += 1;
                col = 0;
            }
            other => {
                field.push(other);
                at_start = false;
            }
        }
    }
    if !at_start || !record.is_empty() || !field.is_empty() {
        record.push((field, quoted));
        out.push(record);
    }
    Ok(out)
}

/// Whether `s` is an integer as the writer writes one.
fn canonical_int(s: &str) -> Option<i64> {
    s.parse::<i64>().ok().filter(|v| v.to_string() == s)
}

/// Whether `s` is a float as the writer writes one (shortest round-trip form).
fn canonical_float(s: &str, buf: &mut zmij::Buffer) -> Option<f64> {
    s.parse::<f64>()
        .ok()
        .filter(|v| v.is_finite() && buf.format(*v) == s)
}

/// The cells of one column of `values` (`None` for a null), typed as the module says.
fn typed(values: Vec<Option<String>>) -> Vec<Cell> {
    let present = || values.iter().flatten();
    let mut buf = zmij::Buffer::new();
    let all = |f: &mut dyn FnMut(&str) -> bool| present().all(|s| f(s));
    let conv: fn(String, &mut zmij::Buffer) -> Cell = if all(&mut |s| s == "true" || s == "false") {
        |s, _| Cell::Bool(s == "true")
    } else if all(&mut |s| canonical_int(s).is_some()) {
        |s, _| canonical_int(&s).map_or(Cell::Null, Cell::I64)
    } else if all(&mut |s| canonical_float(s, &mut buf).is_some()) {
        |s, b| canonical_float(&s, b).map_or(Cell::Null, Cell::F64)
    } else {
        |s, _| Cell::Str(s)
    };
    values
        .into_iter()
        .map(|v| v.map_or(Cell::Null, |s| conv(s, &mut buf)))
        .collect()
}

/// The table in CSV text `text` (read from `path`, for errors); cells missing from rows pushed
/// later are `fill(column name)`.
pub fn parse_csv_table(
    path: &Path,
    text: &str,
    fill: Option<fn(&str) -> Cell>,
) -> Result<Table, TablesError> {
    let bad = |line, column, message: String| TablesError::Csv {
        path: path.to_path_buf(),
        line,
        column,
        message,
    };
    let mut recs = records(text).map_err(|(l, c, e)| bad(l, c, e))?.into_iter();
    let header: Vec<String> = match recs.next() {
        None => return Err(bad(1, 1, "expected a header row naming the columns".into())),
        Some(h) if h.len() == 1 && h[0] == (String::new(), false) => Vec::new(),
        Some(h) => h.into_iter().map(|(s, _)| s).collect(),
    };
    let mut cols: Vec<Vec<Option<String>>> = vec![Vec::new(); header.len()];
    for (i, rec) in recs.enumerate() {
        if rec.len() != header.len() {
            return Err(bad(
                i + 2,
                1,
                format!(
                    "expected {} fields as in the header, found {}",
                    header.len(),
                    rec.len()
                ),
            ));
        }
        for (col, (s, quoted)) in cols.iter_mut().zip(rec) {
            col.push((quoted || !s.is_empty()).then_some(s));
        }
    }
    let cols: Vec<Vec<Cell>> = cols.into_iter().map(typed).collect();
    Ok(Table::from_columns(header, cols, fill))
}

/// The table in the CSV file `path` (as [`parse_csv_table`]).
pub fn read_csv_table(path: &Path, fill: Option<fn(&str) -> Cell>) -> Result<Table, TablesError> {
    let text = std::fs::read_to_string(path).map_err(|source| TablesError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    parse_csv_table(path, &text, fill)
}

#[cfg(test)]
mod tests {
    use super::super::csv_write::csv_bytes;
    use super::*;

    fn parse(text: &str) -> Result<Table, TablesError> {
        parse_csv_table(Path::new("t.csv"), text, None)
    }

    #[test]
    fn types_are_inferred_only_when_they_round_trip() {
        let t = parse("a,b,c,d,e\n1,0.5,true,007,1\n-2,1e-7,false,x,1.0\n").unwrap();
        assert_eq!(t.column("a").unwrap(), [Cell::I64(1), Cell::I64(-2)]);
        assert_eq!(t.column("b").unwrap(), [Cell::F64(0.5), Cell::F64(1e-7)]);
        assert_eq!(
            t.column("c").unwrap(),
            [Cell::Bool(true), Cell::Bool(false)]
        );
        assert_eq!(
            t.column("d").unwrap(),
            [Cell::Str("007".into()), Cell::Str("x".into())]
        );
        // "1" is no float as the writer writes floats: a column mixing it with "1.0" is text
        assert_eq!(
            t.column("e").unwrap(),
            [Cell::Str("1".into()), Cell::Str("1.0".into())]
        );
    }

    #[test]
    fn null_and_empty_text_differ() {
        let t = parse("s,n\n\"\",\n").unwrap();
        assert_eq!(t.column("s").unwrap(), [Cell::Str(String::new())]);
        assert_eq!(t.column("n").unwrap(), [Cell::Null]);
    }

    /// CSV -> table -> CSV gives the same bytes, on the writer's tricky table.
    #[test]
    fn round_trip_is_byte_identical() {
        let t = super::super::csv_write::tests::tricky();
        let first = csv_bytes(&t.frame(|_| 0));
        let back = parse(std::str::from_utf8(&first).unwrap()).unwrap();
        assert_eq!(back.len(), t.len());
        assert_eq!(csv_bytes(&back.frame(|_| 0)), first);
        assert_eq!(
            back.column("text").unwrap()[3],
            Cell::Str("two\nlines".into())
        );
    }

    #[test]
    fn errors_say_where_and_what() {
        let e = parse("a,b\n1,\"open\n").unwrap_err().to_string();
        assert_eq!(
            e,
            "t.csv:2:3: expected a closing quote for the field that starts here"
        );
        let e = parse("a,b\n1,2\n3\n").unwrap_err().to_string();
        assert_eq!(e, "t.csv:3:1: expected 2 fields as in the header, found 1");
        let e = parse("a\nx\"y\n").unwrap_err().to_string();
        assert_eq!(e, "t.csv:2:2: a quote inside an unquoted field (quote the whole field, doubling the quote)");
        let e = parse("").unwrap_err().to_string();
        assert_eq!(e, "t.csv:1:1: expected a header row naming the columns");
    }
}
