//! The tables of one run, each written as CSV (and Parquet) from the same [`Frame`]:
//! `summary` (one row per fleet and an `all` row: every figure), `timeseries` (one row per
//! bucket and fleet, `all` for the totals with the server's gauges), `clients` (per-client
//! totals) and `tenants`. Counts are Int64, columns carry their unit (`bucket_start_s`,
//! `latency_p99_ms`), and each Parquet file records the run's bucket width ([`run_meta`]).

use super::figures::{rank, summary_rows, FIGURES, SERIES};
use super::io::{row_groups, write_both, write_both_chunked};
use super::records::{push_series, BUCKET_START};
use super::table::{Cell, Frame, Table};
use super::TablesError;
use sim::metrics::{ClientRow, RunResult};
use std::path::{Path, PathBuf};

/// The figures of `r`, one row per fleet then `all`: `fleet`, then every figure.
pub fn summary_frame(r: &RunResult) -> Frame<'static> {
    let mut t = Table::with_fill(super::figures::fill);
    for (fleet, cells) in summary_rows(r) {
        t.push(std::iter::once(("fleet".to_owned(), Cell::Str(fleet))).chain(cells));
    }
    t.into_frame(|n| rank(n, &["fleet"], FIGURES))
}

/// The time series of `r` as a frame: `fleet`, `bucket_start_s`, then the counters.
pub fn timeseries_frame(r: &RunResult) -> Frame<'static> {
    let mut t = Table::with_fill(super::figures::fill);
    push_series(&mut t, &[], r);
    t.into_frame(|n| rank(n, &["fleet", BUCKET_START], SERIES))
}

/// Per-client totals of `r`, by global client index.
pub fn clients_frame(r: &RunResult) -> Frame<'static> {
    clients_rows_frame(&r.clients)
}

/// The clients table of `rows` (a slice of a run's clients: [`write_run_tables`] writes it
/// a row group at a time).
fn clients_rows_frame(rows: &[ClientRow]) -> Frame<'static> {
    let mut t = Table::new();
    for c in rows {
        t.push([
            ("client", Cell::U64(u64::from(c.client))),
            ("fleet", Cell::Str(c.fleet.to_string())),
            ("index", Cell::U64(u64::from(c.index))),
            ("tenant", Cell::Str(c.tenant.to_string())),
            ("key", Cell::Str(c.key.clone())),
            ("demand", Cell::U64(c.demand)),
            ("successes", Cell::U64(c.successes)),
            ("attempts", Cell::U64(c.attempts)),
            ("give_ups", Cell::U64(c.give_ups)),
        ]);
    }
    t.into_frame(|_| 0)
}

/// Per-tenant totals of `r`, by tenant name.
pub fn tenants_frame(r: &RunResult) -> Frame<'static> {
    let mut t = Table::new();
    for row in &r.tenants {
        let mut cells: Vec<(String, Cell)> = vec![
            ("tenant".into(), Cell::Str(row.tenant.clone())),
            ("clients".into(), Cell::U64(row.clients)),
            ("demand".into(), Cell::U64(row.demand)),
            ("successes".into(), Cell::U64(row.successes)),
            ("attempts".into(), Cell::U64(row.attempts)),
            ("give_ups".into(), Cell::U64(row.give_ups)),
            ("rejected_total".into(), Cell::U64(row.rejected_total)),
        ];
        for (c, n) in &row.rejected {
            cells.push((format!("rejected_{c}"), Cell::U64(*n)));
        }
        cells.push((
            "server_errors_total".into(),
            Cell::U64(row.server_errors_total),
        ));
        for (c, n) in &row.server_errors {
            cells.push((format!("server_errors_{c}"), Cell::U64(*n)));
        }
        cells.push(("latency_p50_ms".into(), row.latency_p50_ms.into()));
        cells.push(("latency_p99_ms".into(), row.latency_p99_ms.into()));
        t.push(cells);
    }
    t.into_frame(|_| 0)
}

/// The Parquet key-value metadata of a run's tables: `bucket_s` (the time series' bucket
/// width) and `latency_bucket_s` (the width over which its latency percentiles are taken),
/// both in seconds.
pub fn run_meta(r: &RunResult) -> Vec<(String, String)> {
    vec![
        ("bucket_s".to_owned(), r.series.bucket_s.to_string()),
        (
            "latency_bucket_s".to_owned(),
            r.series.latency_bucket_s.to_string(),
        ),
    ]
}

/// The bucket width (seconds) shared by runs whose widths are `widths`; `None` when they
/// differ (a sweep over `bucket`) or there is none.
pub fn common_bucket(widths: impl IntoIterator<Item = f64>) -> Option<f64> {
    let mut it = widths.into_iter();
    let first = it.next()?;
    it.all(|w| w == first).then_some(first)
}

/// The Parquet metadata of a sweep's or comparison's tables: `bucket_s` when every run has
/// the same bucket width.
pub fn bucket_meta(bucket_s: Option<f64>) -> Vec<(String, String)> {
    bucket_s
        .map(|b| ("bucket_s".to_owned(), b.to_string()))
        .into_iter()
        .collect()
}

type Make = fn(&RunResult) -> Frame<'static>;

/// The tables of a run, by file stem, in the order they are written.
pub const RUN_TABLES: [(&str, Make); 4] = [
    ("summary", summary_frame),
    ("timeseries", timeseries_frame),
    ("clients", clients_frame),
    ("tenants", tenants_frame),
];

/// Write `<stem>.parquet` (feature `parquet`) and `<stem>.csv` of every table of
/// [`RUN_TABLES`] into `dir` (created if needed); returns the paths written.
pub fn write_run_tables(dir: &Path, r: &RunResult) -> Result<Vec<PathBuf>, TablesError> {
    let meta = run_meta(r);
    let mut written = Vec::new();
    for (stem, make) in RUN_TABLES {
        if stem == "clients" && !r.clients.is_empty() {
            // a row per client: built and written a row group at a time, the same bytes
            let frames = row_groups(r.clients.len())
                .into_iter()
                .map(|g| clients_rows_frame(&r.clients[g]));
            written.extend(write_both_chunked(dir, stem, frames, &meta)?);
        } else {
            written.extend(write_both(dir, stem, &make(r), &meta)?);
        }
    }
    Ok(written)
}
