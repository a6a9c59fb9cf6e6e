//! Every figure of a run as named cells, in one fixed column order.
//!
//! The names are those of `summary.csv` (design.md "Figures every run reports"): counts by
//! status code and give-ups by reason become one column each (`rejected_429`,
//! `server_errors_503`, `give_ups_deadline`). With more than one fleet, each fleet's figures
//! follow the whole run's, prefixed by the fleet name and a colon (`web:goodput_rps`): a colon
//! never appears in a parameter path or a figure name, so no column can collide. Where tenants
//! split the clients differently from fleets, each tenant's figures follow
//! (`tenant/quiet-0:goodput_rps`, see [`super::scopes`]).

use super::scopes::{tenants_cells, TENANT_PREFIX};
use super::table::Cell;
use sim::metrics::{jain_max_min, RunResult, SeriesRow, Summary};
use std::collections::BTreeMap;

/// The figures of a summary, in canonical order, `*` standing for a family of columns.
pub const FIGURES: &[&str] = &[
    "clients",
    "logical_requests",
    "offered_rps",
    "attempts",
    "first_attempts",
    "retries",
    "hedges",
    "hedge_wins",
    "hedge_abandoned",
    "retry_amplification",
    "admitted",
    "rejected_total",
    "rejected_*",
    "rejection_rate",
    "server_errors_total",
    "server_errors_*",
    "timeouts",
    "successes",
    "goodput_rps",
    "success_ratio",
    "give_ups_total",
    "give_ups_*",
    "in_flight_at_end",
    "latency_count",
    "latency_mean_ms",
    "latency_p50_ms",
    "latency_p90_ms",
    "latency_p99_ms",
    "latency_p999_ms",
    "latency_p9999_ms",
    "latency_max_ms",
    "fairness_clients",
    "fairness_tenants",
    "jain_max_min",
    "duplicates_executed",
    "wasted_attempts",
    "wasted_work_s",
    "recovered",
    "time_to_recover_s",
];

/// The columns of a time-series row, in canonical order.
pub const SERIES: &[&str] = &[
    "first_attempts",
    "retries",
    "hedges",
    "admitted",
    "rejected_*",
    "server_errors_*",
    "timeouts",
    "successes",
    "give_ups",
    "in_flight",
    "queue_len",
    "busy",
    "limiter_remaining",
    "limiter_limit",
    "latency_p50_ms",
    "latency_p90_ms",
    "latency_p99_ms",
];

/// The figures of `s`, named `{prefix}{figure}`.
pub fn summary_cells(s: &Summary, prefix: &str) -> Vec<(String, Cell)> {
    let mut out: Vec<(String, Cell)> = Vec::with_capacity(48);
    let mut put = |name: &str, c: Cell| out.push((format!("{prefix}{name}"), c));
    put("clients", Cell::U64(s.clients));
    put("logical_requests", Cell::U64(s.logical_requests));
    put("offered_rps", Cell::F64(s.offered_rps));
    put("attempts", Cell::U64(s.attempts));
    put("first_attempts", Cell::U64(s.first_attempts));
    put("retries", Cell::U64(s.retries));
    put("hedges", Cell::U64(s.hedges));
    put("hedge_wins", Cell::U64(s.hedge_wins));
    put("hedge_abandoned", Cell::U64(s.hedge_abandoned));
    put("retry_amplification", Cell::F64(s.retry_amplification));
    put("admitted", Cell::U64(s.admitted));
    put("rejected_total", Cell::U64(s.rejected_total));
    for (code, n) in &s.rejected {
        put(&format!("rejected_{code}"), Cell::U64(*n));
    }
    put("rejection_rate", rejection_rate(s).into());
    put("server_errors_total", Cell::U64(s.server_errors_total));
    for (code, n) in &s.server_errors {
        put(&format!("server_errors_{code}"), Cell::U64(*n));
    }
    put("timeouts", Cell::U64(s.timeouts));
    put("successes", Cell::U64(s.successes));
    put("goodput_rps", Cell::F64(s.goodput_rps));
    put("success_ratio", Cell::F64(s.success_ratio));
    put("give_ups_total", Cell::U64(s.give_ups_total));
    for (reason, n) in &s.give_ups {
        put(&format!("give_ups_{reason}"), Cell::U64(*n));
    }
    put("in_flight_at_end", Cell::U64(s.in_flight_at_end));
    let l = s.latency.as_ref();
    put("latency_count", Cell::U64(l.map_or(0, |l| l.count)));
    put("latency_mean_ms", l.map(|l| l.mean_ms).into());
    put("latency_p50_ms", l.map(|l| l.p50_ms).into());
    put("latency_p90_ms", l.map(|l| l.p90_ms).into());
    put("latency_p99_ms", l.map(|l| l.p99_ms).into());
    put("latency_p999_ms", l.map(|l| l.p999_ms).into());
    put("latency_p9999_ms", l.map(|l| l.p9999_ms).into());
    put("latency_max_ms", l.map(|l| l.max_ms).into());
    put("fairness_clients", s.fairness_clients.into());
    put("fairness_tenants", s.fairness_tenants.into());
    put("duplicates_executed", Cell::U64(s.duplicates_executed));
    put("wasted_attempts", Cell::U64(s.wasted_attempts));
    put("wasted_work_s", Cell::F64(s.wasted_work_s));
    let rec = s.recovery.as_ref();
    put(
        "recovered",
        rec.map_or(Cell::Null, |r| Cell::Bool(r.recovered)),
    );
    put(
        "time_to_recover_s",
        rec.and_then(|r| r.time_to_recover_s).into(),
    );
    out
}

/// The share of attempts rejected by the limiters (`rejected_total / attempts`); `None`
/// without attempts.
pub fn rejection_rate(s: &Summary) -> Option<f64> {
    (s.attempts > 0).then(|| s.rejected_total as f64 / s.attempts as f64)
}

/// Jain's index of each tenant's successes against its max-min fair share of the successes
/// delivered ([`sim::metrics::jain_max_min`]): for the whole run over every tenant, and for
/// each fleet over the tenants of its clients (a tenant shared by fleets counts in each with
/// that fleet's demand and successes only).
pub fn jain_max_min_of(r: &RunResult) -> (Option<f64>, BTreeMap<String, Option<f64>>) {
    let all = jain_max_min(r.tenants.iter().map(|t| (t.successes, t.demand)));
    let mut by_fleet: BTreeMap<&str, BTreeMap<&str, (u64, u64)>> = BTreeMap::new();
    for c in &r.clients {
        let e = by_fleet
            .entry(c.fleet.as_ref())
            .or_default()
            .entry(c.tenant.as_ref())
            .or_default();
        e.0 += c.successes;
        e.1 += c.demand;
    }
    let fleets = r
        .fleets
        .keys()
        .map(|name| {
            let name: &str = name.as_ref();
            let j = by_fleet
                .get(name)
                .and_then(|t| jain_max_min(t.values().copied()));
            (name.to_owned(), j)
        })
        .collect();
    (all, fleets)
}

/// Insert `jain_max_min` (named with `prefix`) after the `fairness_tenants` cell.
fn put_jain(out: &mut Vec<(String, Cell)>, from: usize, prefix: &str, j: Option<f64>) {
    let key = format!("{prefix}fairness_tenants");
    let at = out[from..]
        .iter()
        .position(|(n, _)| *n == key)
        .map_or(out.len(), |i| from + i + 1);
    out.insert(at, (format!("{prefix}jain_max_min"), j.into()));
}

/// Every figure of a run: the whole run's, then (with several fleets) each fleet's, then
/// (where tenants differ from fleets) each tenant's.
pub fn run_cells(r: &RunResult) -> Vec<(String, Cell)> {
    let (all, fleets) = jain_max_min_of(r);
    let mut out = summary_cells(&r.summary, "");
    put_jain(&mut out, 0, "", all);
    if r.fleets.len() > 1 {
        for (name, s) in &r.fleets {
            let prefix = format!("{name}:");
            let from = out.len();
            out.extend(summary_cells(s, &prefix));
            let name: &str = name.as_ref();
            put_jain(&mut out, from, &prefix, fleets.get(name).copied().flatten());
        }
    }
    out.extend(tenants_cells(r));
    out
}

/// Each fleet's figures and the whole run's (fleet `all`), one row each, unprefixed: the
/// rows of a run's `summary` table.
pub fn summary_rows(r: &RunResult) -> Vec<(String, Vec<(String, Cell)>)> {
    let (all, fleets) = jain_max_min_of(r);
    let row = |s: &Summary, j: Option<f64>| {
        let mut out = summary_cells(s, "");
        put_jain(&mut out, 0, "", j);
        out
    };
    r.fleets
        .iter()
        .map(|(n, s)| {
            let name: &str = n.as_ref();
            (n.clone(), row(s, fleets.get(name).copied().flatten()))
        })
        .chain([("all".to_owned(), row(&r.summary, all))])
        .collect()
}

/// The cells of one time-series row.
pub fn series_cells(row: &SeriesRow) -> Vec<(String, Cell)> {
    let mut out: Vec<(String, Cell)> = Vec::with_capacity(20);
    let mut put = |name: &str, c: Cell| out.push((name.to_string(), c));
    put("first_attempts", Cell::U64(row.first_attempts));
    put("retries", Cell::U64(row.retries));
    put("hedges", Cell::U64(row.hedges));
    put("admitted", Cell::U64(row.admitted));
    for (code, n) in &row.rejected {
        put(&format!("rejected_{code}"), Cell::U64(*n));
    }
    for (code, n) in &row.server_errors {
        put(&format!("server_errors_{code}"), Cell::U64(*n));
    }
    put("timeouts", Cell::U64(row.timeouts));
    put("successes", Cell::U64(row.successes));
    put("give_ups", Cell::U64(row.give_ups));
    put("in_flight", Cell::U64(row.in_flight));
    put("queue_len", row.queue_len.into());
    put("busy", row.busy.into());
    put("limiter_remaining", row.limiter_remaining.into());
    put("limiter_limit", row.limiter_limit.into());
    put("latency_p50_ms", row.latency_p50_ms.into());
    put("latency_p90_ms", row.latency_p90_ms.into());
    put("latency_p99_ms", row.latency_p99_ms.into());
    out
}

/// Whether `name` is a count of a family (by code or reason): absent means zero.
fn is_family_count(name: &str) -> bool {
    let base = name.rsplit(':').next().unwrap_or(name);
    ["rejected_", "server_errors_", "give_ups_"]
        .iter()
        .any(|p| base.starts_with(p))
        && !base.ends_with("_total")
}

/// The cell a row lacks: zero for family counts, null otherwise.
pub fn fill(name: &str) -> Cell {
    if is_family_count(name) {
        Cell::U64(0)
    } else {
        Cell::Null
    }
}

/// A column's sort key (see [`rank`]).
pub type Rank = (usize, String, usize, u64, String);

/// Sort key of a column: `keys` first in the given order, then the figures of `list` (the
/// whole run's before each fleet's, fleets by name, then each tenant's), families by code or
/// reason; unknown columns last, by name.
pub fn rank(name: &str, keys: &[&str], list: &[&str]) -> Rank {
    if let Some(i) = keys.iter().position(|k| *k == name) {
        return (0, String::new(), i, 0, String::new());
    }
    let (fleet, base) = match name.split_once(':') {
        Some((f, b)) => (f, b),
        None => ("", name),
    };
    let group = if fleet.is_empty() {
        1
    } else if fleet.starts_with(TENANT_PREFIX) {
        3
    } else {
        2
    };
    if let Some(i) = list.iter().position(|f| *f == base) {
        return (group, fleet.to_string(), i, 0, String::new());
    }
    for (i, f) in list.iter().enumerate() {
        if let Some(stem) = f.strip_suffix('*') {
            if let Some(rest) = base.strip_prefix(stem) {
                return match rest.parse::<u64>() {
                    Ok(code) => (group, fleet.to_string(), i, code, String::new()),
                    Err(_) => (group, fleet.to_string(), i, u64::MAX, rest.to_string()),
                };
            }
        }
    }
    (4, fleet.to_string(), 0, 0, name.to_string())
}

#[cfg(test)]
mod tests;
