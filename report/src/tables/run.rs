//! The Parquet files of one run, beside the CSV files of `report::files`:
//! `timeseries.parquet` (one row per bucket and fleet, `all` for the totals with the server's
//! gauges), `clients.parquet` (per-client totals) and `tenants.parquet`.

use super::figures::{rank, SERIES};
use super::io::write_parquet;
use super::records::push_series;
use super::table::{Cell, Table};
use super::TablesError;
use polars::prelude::DataFrame;
use sim::metrics::RunResult;
use std::path::{Path, PathBuf};

/// The time series of `r` as a frame: `fleet`, `t_s`, then the counters.
pub fn timeseries_frame(r: &RunResult) -> Result<DataFrame, polars::prelude::PolarsError> {
    let mut t = Table::with_fill(super::figures::fill);
    push_series(&mut t, &[], r);
    t.to_frame(|n| rank(n, &["fleet", "t_s"], SERIES))
}

/// Per-client totals of `r`, by global client index.
pub fn clients_frame(r: &RunResult) -> Result<DataFrame, polars::prelude::PolarsError> {
    let mut t = Table::new();
    for c in &r.clients {
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
    t.to_frame(|_| 0)
}

/// Per-tenant totals of `r`, by tenant name.
pub fn tenants_frame(r: &RunResult) -> Result<DataFrame, polars::prelude::PolarsError> {
    let mut t = Table::new();
    for row in &r.tenants {
        t.push([
            ("tenant", Cell::Str(row.tenant.clone())),
            ("clients", Cell::U64(row.clients)),
            ("demand", Cell::U64(row.demand)),
            ("successes", Cell::U64(row.successes)),
            ("attempts", Cell::U64(row.attempts)),
            ("give_ups", Cell::U64(row.give_ups)),
        ]);
    }
    t.to_frame(|_| 0)
}

/// Write `timeseries.parquet`, `clients.parquet` and `tenants.parquet` of `r` into `dir`
/// (created if needed); returns the paths written.
pub fn write_run_parquet(dir: &Path, r: &RunResult) -> Result<Vec<PathBuf>, TablesError> {
    std::fs::create_dir_all(dir).map_err(|source| TablesError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    let mut written = Vec::new();
    type Make = fn(&RunResult) -> Result<DataFrame, polars::prelude::PolarsError>;
    let files: [(&str, Make); 3] = [
        ("timeseries.parquet", timeseries_frame),
        ("clients.parquet", clients_frame),
        ("tenants.parquet", tenants_frame),
    ];
    for (name, make) in files {
        let path = dir.join(name);
        let mut df = make(r).map_err(|source| TablesError::Polars {
            path: path.clone(),
            source,
        })?;
        write_parquet(&path, &mut df)?;
        written.push(path);
    }
    Ok(written)
}
