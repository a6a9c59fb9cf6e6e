//! [`Frame`]: a [`Table`] with its columns in written order and each column's storage type,
//! the one thing the CSV writer and the Parquet writer take. Callers build tables and choose a
//! column order; they never see polars, so the binary builds without it (feature `parquet`).

use super::kind::{column_kind, stored, Kind, Stored};
use super::{Cell, Table};
use std::borrow::Cow;

/// A table ready to write: columns sorted by a ranking, each with its storage type.
///
/// ```
/// use report::tables::{Cell, Table};
/// let mut t = Table::new();
/// t.push([("b", Cell::U64(1)), ("a", Cell::F64(0.5))]);
/// let f = t.frame(|name| name.to_string());
/// assert_eq!(f.names().collect::<Vec<_>>(), ["a", "b"]);
/// assert_eq!((f.height(), f.width()), (1, 2));
/// ```
#[derive(Debug, Clone)]
pub struct Frame<'a> {
    table: Cow<'a, Table>,
    order: Vec<usize>,
    kinds: Vec<Kind>,
}

impl Table {
    /// This table with its columns sorted by `rank` (ties keep first-appearance order).
    pub fn frame<K: Ord>(&self, rank: impl Fn(&str) -> K) -> Frame<'_> {
        Frame::new(Cow::Borrowed(self), rank)
    }

    /// As [`Table::frame`], owning the table.
    pub fn into_frame<K: Ord>(self, rank: impl Fn(&str) -> K) -> Frame<'static> {
        Frame::new(Cow::Owned(self), rank)
    }
}

impl<'a> Frame<'a> {
    fn new<K: Ord>(table: Cow<'a, Table>, rank: impl Fn(&str) -> K) -> Frame<'a> {
        let mut order: Vec<usize> = (0..table.names.len()).collect();
        order.sort_by_key(|&i| rank(&table.names[i]));
        let kinds = order.iter().map(|&i| column_kind(&table.cols[i])).collect();
        Frame {
            table,
            order,
            kinds,
        }
    }

    /// The table, in its own column order.
    pub fn table(&self) -> &Table {
        &self.table
    }

    /// Rows.
    pub fn height(&self) -> usize {
        self.table.rows
    }

    /// Columns.
    pub fn width(&self) -> usize {
        self.order.len()
    }

    /// Column names, in written order.
    pub fn names(&self) -> impl Iterator<Item = &str> + '_ {
        self.order.iter().map(|&i| self.table.names[i].as_str())
    }

    /// Column `j` (in written order): its name, storage type and cells.
    pub(crate) fn column(&self, j: usize) -> (&str, Kind, &[Cell]) {
        let i = self.order[j];
        (&self.table.names[i], self.kinds[j], &self.table.cols[i])
    }

    /// The stored value of row `r` of column `j`; `None` for null.
    pub(crate) fn stored(&self, j: usize, r: usize) -> Option<Stored<'_>> {
        let (_, k, cells) = self.column(j);
        stored(k, &cells[r])
    }
}
