//! [`RunRecord`]: one finished run reduced to table rows (its figures and, optionally, its
//! time series), tagged with the keys that place it in a sweep or a comparison. Runs are
//! reduced as soon as they finish, so a sweep holds rows, not whole results (per-client
//! totals of thousands of clients are dropped).

use super::figures::{run_cells, series_cells};
use super::table::{Cell, Table};
use sim::metrics::{RunResult, SeriesRow};

/// The time-series column of a bucket's start, in seconds from the run's start (the unit in
/// the name, as every column's: `latency_p99_ms`, `goodput_rps`; issue #12).
pub const BUCKET_START: &str = "bucket_start_s";

/// The rows a finished run contributes.
#[derive(Clone, Debug)]
pub struct RunRecord {
    /// Key columns (`point`, parameters, `seed`; or `variant`, `seed`).
    pub keys: Vec<(String, Cell)>,
    /// Every figure of the run.
    pub figures: Vec<(String, Cell)>,
    /// Time-series rows: the keys, `fleet` (`all` for the totals), `bucket_start_s`, the
    /// counters.
    pub series: Table,
}

impl RunRecord {
    /// Reduce `r`; `with_series`: keep its time series.
    pub fn of(keys: Vec<(String, Cell)>, r: &RunResult, with_series: bool) -> RunRecord {
        let mut series = Table::with_fill(super::figures::fill);
        if with_series {
            push_series(&mut series, &keys, r);
        }
        RunRecord {
            figures: run_cells(r),
            keys,
            series,
        }
    }

    /// The figure called `name`.
    pub fn figure(&self, name: &str) -> Option<&Cell> {
        self.figures.iter().find(|(n, _)| n == name).map(|(_, c)| c)
    }
}

/// Append the time series of `r` to `t`, each row prefixed by `keys`.
pub fn push_series(t: &mut Table, keys: &[(String, Cell)], r: &RunResult) {
    let groups = std::iter::once(("all", r.series.total.as_slice())).chain(
        r.series
            .fleets
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_slice())),
    );
    for (fleet, rows) in groups {
        for row in rows {
            t.push(series_row(keys, fleet, row));
        }
    }
}

fn series_row(keys: &[(String, Cell)], fleet: &str, row: &SeriesRow) -> Vec<(String, Cell)> {
    let mut cells = keys.to_vec();
    cells.push(("fleet".into(), Cell::Str(fleet.to_string())));
    cells.push((BUCKET_START.into(), Cell::F64(row.t_s)));
    cells.extend(series_cells(row));
    cells
}

/// The runs table: keys then figures, one row per record, in the order given.
pub fn runs_table(records: &[RunRecord]) -> Table {
    let mut t = Table::with_fill(super::figures::fill);
    for r in records {
        t.push(
            r.keys
                .iter()
                .chain(&r.figures)
                .map(|(n, c)| (n.as_str(), c.clone())),
        );
    }
    t
}

/// The time series of every record, in the order given.
pub fn series_table(records: &[RunRecord]) -> Table {
    let mut t = Table::with_fill(super::figures::fill);
    for r in records {
        t.extend(&r.series);
    }
    t
}
