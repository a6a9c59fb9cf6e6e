//! [`Table`]: a column-oriented row builder, written as CSV (and Parquet) through [`Frame`].
//!
//! Runs produce rows whose columns differ a little (a status code that one run saw and
//! another did not, a fleet only one variant has): the table takes the union of columns,
//! fills a column a row lacks (0 for counts by code or reason, null otherwise), and widens a
//! column whose cells disagree on the type (integers and floats to floats, anything and text
//! to text). Column order is decided at the end by a ranking function, not by which row came
//! first, so shards of a sweep and the whole sweep order columns alike.
//!
//! The column order and storage types are in [`frame`] and [`kind`]; the conversion to and
//! from polars frames (feature `parquet`) in `polars`.

mod frame;
pub(crate) mod kind;
#[cfg(feature = "parquet")]
mod polars;

pub use frame::Frame;

use std::collections::HashMap;

/// One value.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    /// Missing.
    Null,
    /// A flag.
    Bool(bool),
    /// A count.
    U64(u64),
    /// A signed whole number.
    I64(i64),
    /// A measurement.
    F64(f64),
    /// Text.
    Str(String),
}

impl Cell {
    /// The cell as a number, for statistics (flags count as 0 and 1).
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Cell::Bool(b) => Some(f64::from(u8::from(*b))),
            Cell::U64(v) => Some(*v as f64),
            Cell::I64(v) => Some(*v as f64),
            Cell::F64(v) if v.is_finite() => Some(*v),
            _ => None,
        }
    }

    /// The cell as text (empty for null).
    pub fn text(&self) -> String {
        match self {
            Cell::Null => String::new(),
            Cell::Bool(b) => b.to_string(),
            Cell::U64(v) => v.to_string(),
            Cell::I64(v) => v.to_string(),
            Cell::F64(v) => v.to_string(),
            Cell::Str(s) => s.clone(),
        }
    }
}

impl From<Option<f64>> for Cell {
    fn from(v: Option<f64>) -> Cell {
        v.map_or(Cell::Null, Cell::F64)
    }
}

impl From<Option<u64>> for Cell {
    fn from(v: Option<u64>) -> Cell {
        v.map_or(Cell::Null, Cell::U64)
    }
}

/// Rows in, a [`Frame`] (and from it CSV and Parquet files) out.
#[derive(Debug, Clone, Default)]
pub struct Table {
    names: Vec<String>,
    index: HashMap<String, usize>,
    cols: Vec<Vec<Cell>>,
    rows: usize,
    fill: Option<fn(&str) -> Cell>,
}

impl Table {
    /// An empty table whose missing cells are null.
    pub fn new() -> Table {
        Table::default()
    }

    /// An empty table whose missing cells are `fill(column name)`.
    pub fn with_fill(fill: fn(&str) -> Cell) -> Table {
        Table {
            fill: Some(fill),
            ..Table::default()
        }
    }

    fn fill_for(&self, name: &str) -> Cell {
        self.fill.map_or(Cell::Null, |f| f(name))
    }

    /// A table of the named columns (all of one length); missing cells of rows pushed later
    /// are `fill(column name)`.
    pub(crate) fn from_columns(
        names: Vec<String>,
        cols: Vec<Vec<Cell>>,
        fill: Option<fn(&str) -> Cell>,
    ) -> Table {
        let rows = cols.first().map_or(0, Vec::len);
        let index = names
            .iter()
            .enumerate()
            .map(|(i, n)| (n.clone(), i))
            .collect();
        Table {
            names,
            index,
            cols,
            rows,
            fill,
        }
    }

    /// Rows so far.
    pub fn len(&self) -> usize {
        self.rows
    }

    /// Whether there is no row.
    pub fn is_empty(&self) -> bool {
        self.rows == 0
    }

    /// Column names, in order of first appearance.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// The cells of column `name`.
    pub fn column(&self, name: &str) -> Option<&[Cell]> {
        self.index.get(name).map(|&i| self.cols[i].as_slice())
    }

    /// Append a row; a name given twice keeps its last cell.
    pub fn push<S: AsRef<str>>(&mut self, cells: impl IntoIterator<Item = (S, Cell)>) {
        for (name, cell) in cells {
            let name = name.as_ref();
            let i = match self.index.get(name) {
                Some(&i) => i,
                None => {
                    let fill = self.fill_for(name);
                    self.names.push(name.to_string());
                    self.index.insert(name.to_string(), self.cols.len());
                    self.cols.push(vec![fill; self.rows]);
                    self.cols.len() - 1
                }
            };
            let col = &mut self.cols[i];
            if col.len() > self.rows {
                col[self.rows] = cell;
            } else {
                col.push(cell);
            }
        }
        self.rows += 1;
        for i in 0..self.cols.len() {
            if self.cols[i].len() < self.rows {
                let fill = self.fill_for(&self.names[i]);
                self.cols[i].push(fill);
            }
        }
    }

    /// Append every row of `other`.
    pub fn extend(&mut self, other: &Table) {
        for r in 0..other.rows {
            self.push(
                other
                    .names
                    .iter()
                    .zip(&other.cols)
                    .map(|(n, c)| (n, c[r].clone())),
            );
        }
    }

    /// Row `r` as (name, cell) pairs in column order.
    pub fn row(&self, r: usize) -> Vec<(&str, &Cell)> {
        self.names
            .iter()
            .zip(&self.cols)
            .filter_map(|(n, c)| c.get(r).map(|cell| (n.as_str(), cell)))
            .collect()
    }

    /// The table with its rows reordered: row `i` of the result is row `order[i]` here.
    pub fn reorder(&self, order: &[usize]) -> Table {
        Table {
            names: self.names.clone(),
            index: self.index.clone(),
            cols: self
                .cols
                .iter()
                .map(|c| order.iter().map(|&r| c[r].clone()).collect())
                .collect(),
            rows: order.len(),
            fill: self.fill,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kind::Kind;

    #[test]
    fn union_of_columns_with_fill() {
        fn zero_for_codes(name: &str) -> Cell {
            if name.starts_with("rejected_") {
                Cell::U64(0)
            } else {
                Cell::Null
            }
        }
        let mut t = Table::with_fill(zero_for_codes);
        t.push([("a", Cell::U64(1))]);
        t.push([
            ("a", Cell::U64(2)),
            ("rejected_429", Cell::U64(5)),
            ("x", Cell::F64(0.5)),
        ]);
        t.push([("a", Cell::U64(3))]);
        assert_eq!(t.len(), 3);
        assert_eq!(
            t.column("rejected_429").unwrap(),
            [Cell::U64(0), Cell::U64(5), Cell::U64(0)]
        );
        assert_eq!(
            t.column("x").unwrap(),
            [Cell::Null, Cell::F64(0.5), Cell::Null]
        );
        let f = t.frame(|n| n.to_string());
        assert_eq!(f.names().collect::<Vec<_>>(), ["a", "rejected_429", "x"]);
        assert_eq!((0..3).filter(|&r| f.stored(2, r).is_none()).count(), 2);
        assert_eq!(f.column(0).1, Kind::U64);
    }

    #[test]
    fn reorder_and_extend_keep_cells() {
        let mut t = Table::new();
        for i in 0..3u64 {
            t.push([("i", Cell::U64(i))]);
        }
        let r = t.reorder(&[2, 0, 1]);
        assert_eq!(
            r.column("i").unwrap(),
            [Cell::U64(2), Cell::U64(0), Cell::U64(1)]
        );
        let mut u = Table::new();
        u.extend(&r);
        u.extend(&t);
        assert_eq!(u.len(), 6);
        assert_eq!(u.row(3), vec![("i", &Cell::U64(0))]);
    }
}
