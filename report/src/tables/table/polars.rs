//! [`Table`] to and from a polars `DataFrame`: each column becomes one typed series, its type
//! the widest of its cells' (integers and floats to floats, anything and text to text), and a
//! frame read back from Parquet becomes a table again, so a sweep's shards can be joined and
//! its reports rebuilt from the files alone.
//!
//! Counts ([`Cell::U64`]) are stored as signed 64-bit integers (Int64): a notebook that
//! subtracts two count columns must get a negative number, not an unsigned wrap-around to
//! 1.8e19 as UInt64 columns give in polars and pandas (issue #12). A frame read back gives
//! [`Cell::I64`] cells, which every reader treats as the same counts.
//!
//! Kept apart from the row builder in [`super`] because it is the one place that knows
//! polars' types (compiled with the feature `parquet` only); the storage type of each column
//! is decided once, in [`super::kind`], for this frame and for the CSV writer alike.

use super::kind::{Kind, Stored};
use super::{Cell, Frame, Table};
use polars::prelude::{Column, DataFrame, DataType, NamedFrom, PolarsResult, Series};

impl Frame<'_> {
    /// The polars `DataFrame` of this frame: one typed series per column.
    pub fn to_polars(&self) -> PolarsResult<DataFrame> {
        let columns: Vec<Column> = (0..self.width()).map(|j| self.series(j).into()).collect();
        DataFrame::new(self.height(), columns)
    }

    /// Column `j` as a typed series.
    fn series(&self, j: usize) -> Series {
        let (name, k, _) = self.column(j);
        let name = name.into();
        let n = self.height();
        let get = |r| self.stored(j, r);
        match k {
            Kind::Bool => Series::new(
                name,
                (0..n)
                    .map(|r| match get(r) {
                        Some(Stored::Bool(b)) => Some(b),
                        _ => None,
                    })
                    .collect::<Vec<_>>(),
            ),
            Kind::U64 | Kind::I64 => Series::new(
                name,
                (0..n)
                    .map(|r| match get(r) {
                        Some(Stored::Int(v)) => Some(v),
                        _ => None,
                    })
                    .collect::<Vec<_>>(),
            ),
            Kind::F64 => Series::new(
                name,
                (0..n)
                    .map(|r| match get(r) {
                        Some(Stored::Float(v)) => Some(v),
                        _ => None,
                    })
                    .collect::<Vec<_>>(),
            ),
            Kind::Str | Kind::Null => Series::new(
                name,
                (0..n)
                    .map(|r| match get(r) {
                        Some(Stored::Text(s)) => Some(s.into_owned()),
                        _ => None,
                    })
                    .collect::<Vec<_>>(),
            ),
        }
    }
}

impl Table {
    /// The `DataFrame`, columns sorted by `rank` (ties keep first-appearance order).
    pub fn to_frame<K: Ord>(&self, rank: impl Fn(&str) -> K) -> PolarsResult<DataFrame> {
        self.frame(rank).to_polars()
    }

    /// A table holding the cells of `df` (as written by [`Frame::to_polars`]); missing cells
    /// of rows pushed later are `fill(column name)`.
    pub fn from_frame(df: &DataFrame, fill: Option<fn(&str) -> Cell>) -> PolarsResult<Table> {
        let mut t = Table {
            fill,
            ..Table::default()
        };
        for col in df.columns() {
            let s = col.as_materialized_series();
            let cells: Vec<Cell> = match s.dtype() {
                DataType::Boolean => s
                    .bool()?
                    .iter()
                    .map(|v| v.map_or(Cell::Null, Cell::Bool))
                    .collect(),
                DataType::UInt64 => s
                    .u64()?
                    .iter()
                    .map(|v| v.map_or(Cell::Null, Cell::U64))
                    .collect(),
                DataType::Int64 => s
                    .i64()?
                    .iter()
                    .map(|v| v.map_or(Cell::Null, Cell::I64))
                    .collect(),
                DataType::Float64 => s
                    .f64()?
                    .iter()
                    .map(|v| v.map_or(Cell::Null, Cell::F64))
                    .collect(),
                DataType::String => s
                    .str()?
                    .iter()
                    .map(|v| v.map_or(Cell::Null, |x| Cell::Str(x.to_string())))
                    .collect(),
                DataType::Null => vec![Cell::Null; s.len()],
                _ => s
                    .cast(&DataType::String)?
                    .str()?
                    .iter()
                    .map(|v| v.map_or(Cell::Null, |x| Cell::Str(x.to_string())))
                    .collect(),
            };
            let name = col.name().to_string();
            t.index.insert(name.clone(), t.cols.len());
            t.names.push(name);
            t.cols.push(cells);
        }
        t.rows = df.height();
        Ok(t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mixed_types_widen() {
        let mut t = Table::new();
        t.push([("n", Cell::U64(1)), ("s", Cell::I64(1))]);
        t.push([("n", Cell::F64(0.5)), ("s", Cell::Str("per-client".into()))]);
        let df = t.to_frame(|_| 0).unwrap();
        assert_eq!(df.column("n").unwrap().dtype(), &DataType::Float64);
        assert_eq!(df.column("s").unwrap().dtype(), &DataType::String);
    }

    /// Issue #12: counts load as signed integers, so `a - b` can go below zero.
    #[test]
    fn counts_are_signed_so_differences_can_be_negative() {
        let mut t = Table::new();
        t.push([("a", Cell::U64(1)), ("b", Cell::U64(3))]);
        let df = t.to_frame(|_| 0).unwrap();
        assert_eq!(df.column("a").unwrap().dtype(), &DataType::Int64);
        let s = |n: &str| df.column(n).unwrap().as_materialized_series().clone();
        let d = (&s("a") - &s("b")).unwrap();
        assert_eq!(d.i64().unwrap().get(0), Some(-2));
    }

    #[test]
    fn frames_round_trip() {
        let mut t = Table::new();
        t.push([
            ("b", Cell::Bool(true)),
            ("u", Cell::U64(7)),
            ("i", Cell::I64(-2)),
            ("f", Cell::F64(0.25)),
            ("s", Cell::Str("x".into())),
        ]);
        t.push([("u", Cell::U64(8))]);
        let df = t.to_frame(|n| n.to_string()).unwrap();
        let back = Table::from_frame(&df, None).unwrap();
        assert_eq!(back.len(), 2);
        for name in ["b", "i", "f", "s"] {
            assert_eq!(back.column(name), t.column(name), "{name}");
        }
        assert_eq!(back.column("u").unwrap(), [Cell::I64(7), Cell::I64(8)]);
    }
}
