//! The sections of the demo's index page, one per item of the pack: the retry storm, the
//! jitter sweep, the fairness comparison and each seed API, each with its question, the answer
//! read from the tables the runs wrote, links and the commands that made them.

use super::{Section, ARRIVALS};
use crate::cli::demo::figures::{
    count, jain_max_min, num, pct, peak_retries, secs, tenant_share, Csv,
};
use crate::cli::demo::plan::{Out, Pack};
use anyhow::{anyhow, Context, Result};
use std::path::{Path, PathBuf};

/// The report of a run, and its summary table.
fn run_links(name: &str, out: &Out) -> Vec<(String, PathBuf)> {
    let mut links = vec![
        (format!("{name}: report"), out.dir.join("report.html")),
        (format!("{name}: summary.csv"), out.dir.join("summary.csv")),
    ];
    if let Some(v) = &out.variant {
        links.push((format!("{name}: scenario"), v.clone()));
    }
    links
}

/// The sweep's report when `sweep` writes one, and its per-point table.
fn sweep_links(name: &str, out: &Out) -> Vec<(String, PathBuf)> {
    let report = out.dir.join("report.html");
    let mut links = Vec::new();
    if report.is_file() {
        links.push((format!("{name}: report"), report));
    }
    links.push((format!("{name}: points.csv"), out.dir.join("points.csv")));
    links
}

fn fleet_line(row: &std::collections::BTreeMap<String, String>) -> String {
    format!(
        "{:.0} attempts, {:.0} refused by the limiter, {:.0} of {:.0} requests succeeded, p99 {}",
        count(row, "attempts"),
        count(row, "rejected_total"),
        count(row, "successes"),
        count(row, "logical_requests"),
        secs(num(row, "latency_p99_ms")),
    )
}

pub(super) fn storm(pack: &Pack) -> Result<Section> {
    let out = &pack.storm;
    let summary = Csv::read(&out.dir.join("summary.csv"))?;
    let series = Csv::read(&out.dir.join("timeseries.csv"))?;
    let scenario = run_scenario(&out.dir)?;
    let outage_end = scenario
        .faults
        .iter()
        .map(|f| f.end().as_secs_f64())
        .fold(0.0, f64::max);
    let mut parts = Vec::new();
    for (fleet, name) in [("nojitter", "no jitter"), ("jitter", "full jitter")] {
        let row = summary.row("fleet", fleet)?;
        let (peak, at) = peak_retries(&series, fleet, outage_end)
            .ok_or_else(|| anyhow!("no time series for {fleet}"))?;
        parts.push(format!(
            "{name}: {:.0} answers of 429, p99 latency {}, at most {peak:.0} retries in one second after it (t = {at:.0} s)",
            count(row, "rejected_429"),
            secs(num(row, "latency_p99_ms")),
        ));
    }
    Ok(Section {
        title: "Retry storm: no jitter vs full jitter".into(),
        lead: out.dir.clone(),
        thumb: Some(ARRIVALS),
        question: format!(
            "After an outage that ends at {outage_end:.0} s, do clients that back off without \
             jitter come back in synchronised waves that the limiter then refuses?"
        ),
        answer: format!("Seed {}: {}.", scenario.seed, parts.join("; ")),
        links: run_links("retry-storm", out),
        commands: vec![out.command.clone()],
    })
}

/// The scenario a run directory recorded (`scenario.toml`).
fn run_scenario(dir: &Path) -> Result<sim::model::Scenario> {
    let path = dir.join(report::html::SCENARIO_COPY);
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    sim::scenario::load_str(
        &path.display().to_string(),
        &sim::sweep::without_sweep(&text),
    )
    .map_err(|e| anyhow!("{e}"))
}

pub(super) fn jitter(pack: &Pack) -> Result<Section> {
    let out = &pack.jitter_sweep;
    let points = Csv::read(&out.dir.join("points.csv"))?;
    let key = "fleet.jitter.retry.jitter";
    let mut parts = Vec::new();
    let mut best: Option<(f64, String)> = None;
    let mut runs = 0.0;
    for row in points.rows() {
        let j = row.get(key).cloned().unwrap_or_default();
        let p99 = num(row, "jitter:latency_p99_ms_mean");
        runs = count(row, "runs");
        parts.push(format!(
            "{j}: {:.0} attempts, {:.0} refused, p99 {}",
            count(row, "jitter:attempts_mean"),
            count(row, "jitter:rejected_total_mean"),
            secs(p99)
        ));
        if let Some(p) = p99 {
            if best.as_ref().is_none_or(|(b, _)| p < *b) {
                best = Some((p, j));
            }
        }
    }
    let best = best.map_or_else(String::new, |(p, j)| {
        format!(" Lowest p99: {j} ({}).", secs(Some(p)))
    });
    let mut links = sweep_links("jitter sweep", out);
    links.extend(run_links("four strategies in one run", &pack.jitter_run));
    Ok(Section {
        title: "Jitter experiment: none, full, equal, decorrelated".into(),
        lead: out.dir.clone(),
        thumb: None,
        question: "Which jitter strategy of exponential backoff (Brooker 2015) spreads the \
                   retries after the outage best, and what does each cost in attempts and tail \
                   latency?"
            .into(),
        answer: format!(
            "Mean over {runs:.0} seeds, fleet `jitter` of the retry storm: {}.{best}",
            parts.join("; ")
        ),
        links,
        commands: vec![out.command.clone(), pack.jitter_run.command.clone()],
    })
}

pub(super) fn fairness(pack: &Pack) -> Result<Section> {
    let out = &pack.fairness_sweep;
    let points = Csv::read(&out.dir.join("points.csv"))?;
    let mut parts = Vec::new();
    let mut links = sweep_links("fairness sweep", out);
    let mut commands = vec![out.command.clone()];
    for (i, (label, run)) in pack.fairness_runs.iter().enumerate() {
        let row = points.row("point", &i.to_string())?;
        let share = |fleet: &str| {
            pct(
                count(row, &format!("{fleet}:successes_mean")),
                count(row, &format!("{fleet}:logical_requests_mean")),
            )
        };
        let tenants = Csv::read(&run.dir.join("tenants.csv"))?;
        let jain = jain_max_min(&tenants).map_or_else(|| "-".into(), |j| format!("{j:.2}"));
        let (ok, demand) = tenant_share(&tenants, "quiet-");
        parts.push(format!(
            "{label}: quiet tenants get {} of their demand, the noisy one {} (seed {}: quiet {}, Jain's max-min index {jain})",
            share("quiet"),
            share("noisy"),
            run_scenario(&run.dir)?.seed,
            pct(ok, demand),
        ));
        links.extend(run_links(&format!("fairness-{label}"), run));
        commands.push(run.command.clone());
    }
    let runs = points.rows().first().map_or(0.0, |r| count(r, "runs"));
    Ok(Section {
        title: "Fairness experiment: a noisy neighbour".into(),
        lead: out.dir.clone(),
        thumb: None,
        question: "Three quiet tenants ask 10/s each, a noisy one 200/s, the API serves 100/s: \
                   does a global limit, a per-tenant limit or a hierarchy protect the quiet \
                   tenants?"
            .into(),
        answer: format!("Mean over {runs:.0} seeds: {}.", parts.join("; ")),
        links,
        commands,
    })
}

pub(super) fn seed(stem: &str, out: &Out) -> Result<Section> {
    let summary = Csv::read(&out.dir.join("summary.csv"))?;
    let description = run_scenario(&out.dir)?.description;
    let parts: Vec<String> = summary
        .rows()
        .iter()
        .filter(|r| r.get("fleet").is_some_and(|f| f != "all"))
        .map(|r| format!("{}: {}", r["fleet"], fleet_line(r)))
        .collect();
    let short = out
        .shortened
        .map_or_else(String::new, |d| format!(" (--quick: the first {d} only)"));
    Ok(Section {
        title: format!("Seed API {stem}"),
        lead: out.dir.clone(),
        thumb: Some(ARRIVALS),
        question: format!(
            "{description}: what does the document's client (`doc`) cost against the lab's \
             (`lab`)?"
        ),
        answer: format!("{}{short}.", parts.join("; ")),
        links: run_links(stem, out),
        commands: vec![out.command.clone()],
    })
}
