//! The summary table of a run: every figure of "Figures every run reports" (design.md), for
//! the whole run and for each fleet side by side. Latencies carry their unit in the cell (ms
//! below 10 s, s from 10 s on: [`crate::human::latency_ms`]).

use super::page::{Column, Row, Table};
use crate::charts::Palette;
use crate::human;
use sim::metrics::{RunResult, Summary};
use std::collections::BTreeSet;

/// Build the table: one column for the whole run, one per fleet (with its chart colour).
pub fn summary_table(r: &RunResult, palette: &Palette) -> Table {
    let mut columns = vec![Column {
        name: "all fleets".into(),
        color: None,
    }];
    columns.extend(r.fleets.keys().map(|name| Column {
        name: name.clone(),
        color: Some(palette.hex(name)),
    }));
    let sums: Vec<&Summary> = std::iter::once(&r.summary)
        .chain(r.fleets.values())
        .collect();
    let mut rows = Vec::new();
    let mut row = |label: &str, unit: &str, f: &dyn Fn(&Summary) -> String| {
        rows.push(Row {
            label: label.trim_start().to_owned(),
            sub: label.starts_with("  "),
            unit: unit.to_owned(),
            cells: sums.iter().map(|s| f(s)).collect(),
        });
    };
    row("clients", "", &|s| s.clients.to_string());
    row("logical requests", "", &|s| s.logical_requests.to_string());
    row("offered load", "req/s", &|s| f2(s.offered_rps));
    row("attempts", "", &|s| s.attempts.to_string());
    row("retries", "", &|s| s.retries.to_string());
    row("retry amplification", "attempts/request", &|s| {
        f2(s.retry_amplification)
    });
    row("admitted", "attempts", &|s| s.admitted.to_string());
    row("rejected by limiters", "attempts", &|s| {
        s.rejected_total.to_string()
    });
    let statuses =
        |f: fn(&Summary) -> Vec<u16>| -> BTreeSet<u16> { sums.iter().flat_map(|s| f(s)).collect() };
    for code in statuses(|s| s.rejected.keys().copied().collect()) {
        row(&format!("  rejected {code}"), "attempts", &|s| {
            s.rejected.get(&code).copied().unwrap_or(0).to_string()
        });
    }
    row("server errors", "attempts", &|s| {
        s.server_errors_total.to_string()
    });
    for code in statuses(|s| s.server_errors.keys().copied().collect()) {
        row(&format!("  server error {code}"), "attempts", &|s| {
            s.server_errors.get(&code).copied().unwrap_or(0).to_string()
        });
    }
    row("attempt timeouts", "attempts", &|s| s.timeouts.to_string());
    row("successes", "requests", &|s| s.successes.to_string());
    row("goodput", "req/s", &|s| f2(s.goodput_rps));
    row("success ratio", "%", &|s| f1(100.0 * s.success_ratio));
    row("give-ups", "requests", &|s| s.give_ups_total.to_string());
    let reasons: BTreeSet<String> = sums
        .iter()
        .flat_map(|s| s.give_ups.keys().cloned())
        .collect();
    for reason in &reasons {
        row(&format!("  gave up: {reason}"), "requests", &|s| {
            s.give_ups.get(reason).copied().unwrap_or(0).to_string()
        });
    }
    row("in flight at end", "requests", &|s| {
        s.in_flight_at_end.to_string()
    });
    row("latency p50", "", &|s| {
        s.latency
            .as_ref()
            .map_or_else(dash, |l| human::latency_ms(l.p50_ms))
    });
    row("latency p90", "", &|s| {
        s.latency
            .as_ref()
            .map_or_else(dash, |l| human::latency_ms(l.p90_ms))
    });
    row("latency p99", "", &|s| {
        s.latency
            .as_ref()
            .map_or_else(dash, |l| human::latency_ms(l.p99_ms))
    });
    row("latency p99.9", "", &|s| {
        s.latency
            .as_ref()
            .map_or_else(dash, |l| human::latency_ms(l.p999_ms))
    });
    row("Jain's index, clients", "", &|s| {
        s.fairness_clients.map_or_else(dash, f3)
    });
    row("Jain's index, tenants", "", &|s| {
        s.fairness_tenants.map_or_else(dash, f3)
    });
    row("duplicates executed", "executions", &|s| {
        s.duplicates_executed.to_string()
    });
    row("wasted attempts", "attempts", &|s| {
        s.wasted_attempts.to_string()
    });
    row("wasted work", "s of service", &|s| f2(s.wasted_work_s));
    row("recovery after fault", "s", &|s| match &s.recovery {
        None => dash(),
        Some(rec) => match rec.time_to_recover_s {
            Some(t) => f1(t),
            None => crate::files::recovery_verdict(rec),
        },
    });
    Table { columns, rows }
}

fn dash() -> String {
    "-".to_owned()
}

fn f1(v: f64) -> String {
    format!("{v:.1}")
}

fn f2(v: f64) -> String {
    format!("{v:.2}")
}

fn f3(v: f64) -> String {
    format!("{v:.3}")
}
