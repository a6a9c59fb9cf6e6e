//! The summary table `throttlelab run` prints: one row per fleet and an `all` row, with the
//! figures a reader compares first (offered load, amplification, rejections by code, goodput,
//! give-ups, latency, fairness).

use crate::tables::aligned::{aligned, Align};
use sim::metrics::{Recovery, RunResult, Summary};
use std::collections::BTreeMap;
use std::fmt::Write;

const HEADER: [&str; 12] = [
    "fleet",
    "offered/s",
    "attempts",
    "amplif.",
    "admitted",
    "rejected",
    "5xx",
    "goodput/s",
    "give-ups",
    "p50 ms",
    "p99 ms",
    "Jain",
];

/// The table as text (ends with a newline).
pub fn summary_table(r: &RunResult) -> String {
    let mut rows: Vec<Vec<String>> = vec![HEADER.map(String::from).to_vec()];
    for (name, s) in &r.fleets {
        rows.push(row(name, s));
    }
    if r.fleets.len() != 1 {
        rows.push(row("all", &r.summary));
    }
    let mut out = String::new();
    let (kind, events) = if r.live {
        ("s live", "attempts")
    } else {
        ("simulated s", "events")
    };
    let _ = writeln!(
        out,
        "{}  seed {}  {} {kind}  {} {events}",
        r.scenario, r.seed, r.duration_s, r.events
    );
    out += &aligned(&rows, Align::FirstLeft);
    out += &recovery_lines(r);
    out += &super::deployment_lines(r);
    out
}

/// The recovery verdict per fleet and for the run (design.md "Figures every run reports"),
/// empty without a fault. The run's line names the fleets that did not recover: the run
/// recovered only if each fleet with pre-fault goodput did (`sim::metrics::recovery_of_fleets`).
fn recovery_lines(r: &RunResult) -> String {
    let Some(run) = &r.summary.recovery else {
        return String::new();
    };
    let mut rows: Vec<(&str, String)> = r
        .fleets
        .iter()
        .map(|(name, s)| {
            let verdict = match &s.recovery {
                None => "- (no goodput before the fault)".to_owned(),
                Some(rec) => format!(
                    "{} (pre-fault {:.1}/s)",
                    recovery_verdict(rec),
                    rec.pre_fault_goodput_rps
                ),
            };
            (name.as_str(), verdict)
        })
        .collect();
    rows.push(("run", recovery_verdict(run)));
    let width = rows
        .iter()
        .map(|(n, _)| n.chars().count())
        .max()
        .unwrap_or(0);
    let mut out = format!(
        "recovery after the fault ({:.0} s to {:.0} s), goodput back within 10% of its pre-fault level:\n",
        run.fault_start_s, run.fault_end_s
    );
    for (name, verdict) in rows {
        let _ = writeln!(out, "  {name:<width$}  {verdict}");
    }
    out
}

/// `back after 12 s`, `did not recover`, and for the run the fleets that did not
/// (`did not recover (base)`).
pub(crate) fn recovery_verdict(rec: &Recovery) -> String {
    match rec.time_to_recover_s {
        Some(t) => format!("back {t:.0} s after the fault ended"),
        None if rec.fleets_not_recovered.is_empty() => "did not recover".to_owned(),
        None => format!("did not recover ({})", rec.fleets_not_recovered.join(", ")),
    }
}

fn by_code(m: &BTreeMap<u16, u64>) -> String {
    let parts: Vec<String> = m
        .iter()
        .filter(|(_, n)| **n > 0)
        .map(|(s, n)| format!("{s}:{n}"))
        .collect();
    if parts.is_empty() {
        "0".into()
    } else {
        parts.join(" ")
    }
}

fn row(name: &str, s: &Summary) -> Vec<String> {
    let l = s.latency.as_ref();
    let ms = |v: Option<f64>| v.map_or("-".to_string(), |x| format!("{x:.1}"));
    vec![
        name.to_string(),
        format!("{:.1}", s.offered_rps),
        s.attempts.to_string(),
        format!("{:.2}", s.retry_amplification),
        s.admitted.to_string(),
        by_code(&s.rejected),
        by_code(&s.server_errors),
        format!("{:.1}", s.goodput_rps),
        s.give_ups_total.to_string(),
        ms(l.map(|l| l.p50_ms)),
        ms(l.map(|l| l.p99_ms)),
        s.fairness_clients
            .map_or("-".to_string(), |j| format!("{j:.3}")),
    ]
}
