//! The headline figures of the demo's index, read back from the files the steps wrote
//! (`summary.csv`, `tenants.csv`, `timeseries.csv` of a run; `points.csv` of a sweep), so the
//! one-line answers are the outputs' own numbers, never typed in.

use anyhow::{anyhow, Context, Result};
use std::collections::BTreeMap;
use std::path::Path;

/// A CSV file as rows of `column -> text`.
#[derive(Debug)]
pub struct Csv {
    rows: Vec<BTreeMap<String, String>>,
}

impl Csv {
    /// Read `path` (header line, then rows).
    pub fn read(path: &Path) -> Result<Csv> {
        let mut r =
            csv::Reader::from_path(path).with_context(|| format!("reading {}", path.display()))?;
        let header: Vec<String> = r
            .headers()
            .with_context(|| format!("reading {}", path.display()))?
            .iter()
            .map(str::to_owned)
            .collect();
        let mut rows = Vec::new();
        for rec in r.records() {
            let rec = rec.with_context(|| format!("reading {}", path.display()))?;
            rows.push(
                header
                    .iter()
                    .cloned()
                    .zip(rec.iter().map(str::to_owned))
                    .collect(),
            );
        }
        Ok(Csv { rows })
    }

    /// The rows.
    pub fn rows(&self) -> &[BTreeMap<String, String>] {
        &self.rows
    }

    /// The first row whose `key` column is `value`.
    pub fn row(&self, key: &str, value: &str) -> Result<&BTreeMap<String, String>> {
        self.rows
            .iter()
            .find(|r| r.get(key).map(String::as_str) == Some(value))
            .ok_or_else(|| anyhow!("no row with {key} = {value}"))
    }
}

/// Column `col` of `row` as a number; a column the file does not have (a status that never
/// occurred, so `rejected_429` was not written) or an empty cell is `None`.
pub fn num(row: &BTreeMap<String, String>, col: &str) -> Option<f64> {
    row.get(col)?.parse().ok()
}

/// Like [`num`], with an absent figure counted as 0 (counts only).
pub fn count(row: &BTreeMap<String, String>, col: &str) -> f64 {
    num(row, col).unwrap_or(0.0)
}

/// Milliseconds as seconds with one decimal (`47.1 s`), or `-` when absent.
pub fn secs(ms: Option<f64>) -> String {
    ms.map_or_else(|| "-".to_owned(), |ms| format!("{:.1} s", ms / 1000.0))
}

/// A ratio as a whole percentage (`43%`), or `-` when the denominator is 0.
pub fn pct(part: f64, whole: f64) -> String {
    if whole > 0.0 {
        format!("{:.0}%", 100.0 * part / whole)
    } else {
        "-".to_owned()
    }
}

/// The largest per-bucket count of `retries` for `fleet` in a run's `timeseries.csv`, over
/// buckets starting at or after `from_s`, with its time: the retry wave at the server.
pub fn peak_retries(series: &Csv, fleet: &str, from_s: f64) -> Option<(f64, f64)> {
    series
        .rows()
        .iter()
        .filter(|r| r.get("fleet").map(String::as_str) == Some(fleet))
        .filter_map(|r| Some((count(r, "retries"), num(r, report::tables::BUCKET_START)?)))
        .filter(|&(_, t)| t >= from_s)
        .fold(None, |best: Option<(f64, f64)>, x| match best {
            Some(b) if b.0 >= x.0 => Some(b),
            _ => Some(x),
        })
}

/// Successes and demand summed over the tenants of `tenants.csv` whose name starts with
/// `prefix` (a fleet's tenants are `<fleet>-<n>`).
pub fn tenant_share(tenants: &Csv, prefix: &str) -> (f64, f64) {
    tenants
        .rows()
        .iter()
        .filter(|r| r.get("tenant").is_some_and(|t| t.starts_with(prefix)))
        .fold((0.0, 0.0), |(ok, d), r| {
            (ok + count(r, "successes"), d + count(r, "demand"))
        })
}

/// Jain's index of every tenant's successes against its max-min fair share
/// ([`sim::metrics::jain_max_min`]), from `tenants.csv`.
pub fn jain_max_min(tenants: &Csv) -> Option<f64> {
    sim::metrics::jain_max_min(tenants.rows().iter().map(|r| {
        (
            count(r, "successes").max(0.0) as u64,
            count(r, "demand").max(0.0) as u64,
        )
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn csv(text: &str) -> Csv {
        let dir = std::env::temp_dir().join(format!("demo-figures-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(format!("{}.csv", text.len()));
        std::fs::write(&path, text).unwrap();
        Csv::read(&path).unwrap()
    }

    #[test]
    fn reads_quoted_cells_and_missing_columns() {
        let c = csv("point,v,n\n0,\"[{ a = 1, b = 2 }]\",3\n1,x,\n");
        assert_eq!(c.rows()[0]["v"], "[{ a = 1, b = 2 }]");
        let r = c.row("point", "1").unwrap();
        assert_eq!(num(r, "n"), None);
        assert_eq!(count(r, "rejected_429"), 0.0);
        assert!(c.row("point", "9").is_err());
    }

    #[test]
    fn peak_and_shares() {
        let s = csv(
            "fleet,bucket_start_s,first_attempts,retries\na,0,5,0\na,1,2,9\nb,0,50,50\na,2,1,4\n",
        );
        assert_eq!(peak_retries(&s, "a", 0.0), Some((9.0, 1.0)));
        assert_eq!(peak_retries(&s, "a", 2.0), Some((4.0, 2.0)));
        assert_eq!(peak_retries(&s, "c", 0.0), None);
        let t = csv("tenant,demand,successes\nq-0,10,10\nq-1,10,5\nn-0,100,20\n");
        assert_eq!(tenant_share(&t, "q-"), (15.0, 20.0));
        assert_eq!(pct(15.0, 20.0), "75%");
        assert_eq!(pct(1.0, 0.0), "-");
        assert_eq!(secs(Some(47_120.0)), "47.1 s");
        let j = jain_max_min(&t).unwrap();
        assert!(j > 0.0 && j < 1.0, "{j}");
    }
}
