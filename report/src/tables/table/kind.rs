//! A column's storage type: what every cell of a column is written as, in the Parquet file and
//! in the CSV. One rule for both files, so a CSV written without polars has the same text as
//! the one polars writes from the typed frame.
//!
//! Counts ([`Cell::U64`]) are stored as signed 64-bit integers: a notebook that subtracts two
//! count columns must get a negative number, not an unsigned wrap-around (issue #12).

use super::Cell;

/// A column's storage type, widest wins.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Kind {
    /// Every cell is null.
    Null,
    /// Flags.
    Bool,
    /// Counts (stored as signed integers, like [`Kind::I64`]).
    U64,
    /// Signed whole numbers.
    I64,
    /// Measurements; a non-finite float is stored as null.
    F64,
    /// Text.
    Str,
}

/// The kind of one cell.
pub(crate) fn kind(c: &Cell) -> Kind {
    match c {
        Cell::Null => Kind::Null,
        Cell::Bool(_) => Kind::Bool,
        Cell::U64(_) => Kind::U64,
        Cell::I64(_) => Kind::I64,
        Cell::F64(_) => Kind::F64,
        Cell::Str(_) => Kind::Str,
    }
}

/// The kind two kinds widen to: integers and floats to floats, anything and text (or a flag
/// and a number) to text.
pub(crate) fn widen(a: Kind, b: Kind) -> Kind {
    match (a, b) {
        (Kind::Null, x) | (x, Kind::Null) => x,
        (x, y) if x == y => x,
        (Kind::Str, _) | (_, Kind::Str) | (Kind::Bool, _) | (_, Kind::Bool) => Kind::Str,
        (Kind::F64, _) | (_, Kind::F64) => Kind::F64,
        _ => Kind::I64,
    }
}

/// The kind of a column of `cells`.
pub(crate) fn column_kind(cells: &[Cell]) -> Kind {
    cells.iter().map(kind).fold(Kind::Null, widen)
}

/// What a cell of a column of kind `k` is stored as: `None` for null.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Stored<'a> {
    /// A flag.
    Bool(bool),
    /// A whole number (counts beyond 9.2e18 clamp to `i64::MAX`; a run would take centuries).
    Int(i64),
    /// A finite float.
    Float(f64),
    /// Text ([`Cell::text`] of a non-text cell in a text column).
    Text(std::borrow::Cow<'a, str>),
}

/// The stored value of `c` in a column of kind `k`.
pub(crate) fn stored(k: Kind, c: &Cell) -> Option<Stored<'_>> {
    match (k, c) {
        (_, Cell::Null) => None,
        (Kind::Bool, Cell::Bool(b)) => Some(Stored::Bool(*b)),
        (Kind::U64 | Kind::I64, Cell::U64(v)) => {
            Some(Stored::Int(i64::try_from(*v).unwrap_or(i64::MAX)))
        }
        (Kind::U64 | Kind::I64, Cell::I64(v)) => Some(Stored::Int(*v)),
        (Kind::F64, other) => other.as_f64().map(Stored::Float),
        (Kind::Str | Kind::Null, Cell::Str(s)) => Some(Stored::Text(s.as_str().into())),
        (Kind::Str | Kind::Null, other) => Some(Stored::Text(other.text().into())),
        // a cell narrower than its column's kind cannot occur (the kind is their widest)
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widening_rules() {
        assert_eq!(column_kind(&[Cell::U64(1), Cell::I64(-1)]), Kind::I64);
        assert_eq!(column_kind(&[Cell::U64(1), Cell::F64(0.5)]), Kind::F64);
        assert_eq!(column_kind(&[Cell::Bool(true), Cell::F64(0.5)]), Kind::Str);
        assert_eq!(column_kind(&[Cell::Null, Cell::Null]), Kind::Null);
        assert_eq!(column_kind(&[Cell::Null, Cell::Bool(false)]), Kind::Bool);
    }

    #[test]
    fn stored_values() {
        assert_eq!(
            stored(Kind::I64, &Cell::U64(u64::MAX)),
            Some(Stored::Int(i64::MAX))
        );
        assert_eq!(stored(Kind::F64, &Cell::U64(3)), Some(Stored::Float(3.0)));
        assert_eq!(stored(Kind::F64, &Cell::F64(f64::NAN)), None);
        assert_eq!(
            stored(Kind::Str, &Cell::F64(0.5)),
            Some(Stored::Text("0.5".into()))
        );
        assert_eq!(stored(Kind::Str, &Cell::Null), None);
    }
}
