//! What `replay` prints and writes: the reading's tally, one row per candidate, and per
//! candidate the clients and tenants it would hurt most; the same tables as CSV files
//! (`static_summary.csv`, `static_clients.csv`, `static_tenants.csv`) in a sealed folder.

use super::CliError;
use crate::replay::static_pass::{Candidate, Counts, Logged, StaticPass};
use crate::replay::time::format_utc;
use crate::replay::Tally;
use anyhow::anyhow;
use limiters::Nanos;
use report::files::complete::Staged;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// `1234567` as `1,234,567`.
fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn share(part: u64, whole: u64) -> String {
    if whole == 0 {
        return "-".into();
    }
    format!("{:.2}%", part as f64 * 100.0 / whole as f64)
}

fn secs(t: Nanos) -> String {
    format!("+{}.{:03} s", t.as_secs(), t.as_millis() % 1000)
}

fn bite(t: Option<Nanos>) -> String {
    t.map_or_else(|| "never".into(), secs)
}

/// Seconds with milliseconds, by integer arithmetic (the same bytes everywhere).
fn secs_csv(t: Option<Nanos>) -> String {
    t.map_or(String::new(), |t| {
        format!("{}.{:03}", t.as_secs(), t.as_millis() % 1000)
    })
}

fn hurt(c: &Counts) -> u64 {
    c.refused.iter().filter(|&&r| r > 0).count() as u64
}

/// The ids of the `top` entities with most refusals (ties by first appearance).
fn worst(c: &Counts, top: usize) -> Vec<usize> {
    let mut ids: Vec<usize> = (0..c.refused.len()).filter(|&i| c.of(i) > 0).collect();
    ids.sort_by_key(|&i| (std::cmp::Reverse(c.of(i)), i));
    ids.truncate(top);
    ids
}

fn who(out: &mut String, what: &str, names: &[Box<str>], log: &Logged, c: &Counts, top: usize) {
    let ids = worst(c, top);
    if ids.is_empty() {
        return;
    }
    let w = ids
        .iter()
        .map(|&i| names[i].len())
        .max()
        .unwrap_or(0)
        .max(what.len());
    let _ = writeln!(
        out,
        "  {what:<w$}  {:>10}  {:>10}  {:>7}  {:>12}  {:>10}",
        "requests", "refused", "share", "first bite", "logged 429"
    );
    for i in ids {
        let _ = writeln!(
            out,
            "  {:<w$}  {:>10}  {:>10}  {:>7}  {:>12}  {:>10}",
            names[i],
            thousands(log.requests[i]),
            thousands(c.of(i)),
            share(c.of(i), log.requests[i]),
            bite(c.first_of(i)),
            thousands(log.refused[i]),
        );
    }
}

/// The report as text.
pub fn text(p: &StaticPass, tally: &Tally, files: usize, top: usize) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "read {} log file{}: {} lines, {} requests checked ({} bad line{}, {} without a key), \
         {} clients, {} tenants",
        files,
        if files == 1 { "" } else { "s" },
        thousands(tally.lines),
        thousands(p.requests),
        thousands(tally.bad),
        if tally.bad == 1 { "" } else { "s" },
        thousands(tally.unkeyed),
        thousands(p.clients.names().len() as u64),
        thousands(p.tenants.names().len() as u64),
    );
    if let Some(t0) = p.t0 {
        let _ = writeln!(
            o,
            "time 0 = {}; last request at {}",
            format_utc(t0),
            secs(p.last)
        );
    }
    if tally.bad > 0 {
        let _ = writeln!(
            o,
            "bad lines (first {} of {}):",
            tally.shown.len(),
            tally.bad
        );
        for s in &tally.shown {
            let _ = writeln!(o, "  {s}");
        }
    }
    if p.out_of_order > 0 {
        let _ = writeln!(
            o,
            "out of order: {} lines, up to {} back (checked at the latest time seen)",
            thousands(p.out_of_order),
            secs(p.max_skew).trim_start_matches('+')
        );
    }
    let logged: u64 = p.client_log.refused.iter().sum();
    let _ = writeln!(o, "refused in the log (429): {}\n", thousands(logged));
    let _ = writeln!(
        o,
        "static answer: each logged request checked at its logged time (the retries a refusal \
         would cause are not in it)"
    );
    let w = p
        .candidates
        .iter()
        .map(|c| c.name.len())
        .max()
        .unwrap_or(0)
        .max(9);
    let _ = writeln!(
        o,
        "  {:<w$}  {:>12}  {:>7}  {:>14}  {:>14}  {:>12}",
        "candidate", "would refuse", "share", "clients hurt", "tenants hurt", "first bite"
    );
    let (nc, nt) = (p.clients.names().len(), p.tenants.names().len());
    for c in &p.candidates {
        let _ = writeln!(
            o,
            "  {:<w$}  {:>12}  {:>7}  {:>14}  {:>14}  {:>12}",
            c.name,
            thousands(c.refused),
            share(c.refused, p.requests),
            format!("{} / {nc}", hurt(&c.clients)),
            format!("{} / {nt}", hurt(&c.tenants)),
            bite(c.first),
        );
        if c.delayed > 0 {
            let _ = writeln!(
                o,
                "  {:<w$}  ({} admitted with a delay, {} s of delay in all)",
                "",
                thousands(c.delayed),
                c.delay_total.as_secs()
            );
        }
    }
    for c in p.candidates.iter().filter(|c| c.refused > 0) {
        let _ = writeln!(o, "\nwho gets hurt under `{}`:", c.name);
        who(
            &mut o,
            "client",
            p.clients.names(),
            &p.client_log,
            &c.clients,
            top,
        );
        if p.tenants.names() != p.clients.names() {
            let _ = writeln!(o);
            who(
                &mut o,
                "tenant",
                p.tenants.names(),
                &p.tenant_log,
                &c.tenants,
                top,
            );
        }
    }
    o
}

fn rows(
    c: &Candidate,
    counts: &Counts,
    names: &[Box<str>],
    log: &Logged,
    w: &mut csv::Writer<std::fs::File>,
) -> Result<(), csv::Error> {
    for (i, name) in names.iter().enumerate() {
        let first = secs_csv(counts.first_of(i));
        w.write_record([
            c.name.as_str(),
            name,
            &log.requests[i].to_string(),
            &log.refused[i].to_string(),
            &counts.of(i).to_string(),
            &first,
        ])?;
    }
    Ok(())
}

fn write_tables(p: &StaticPass, dir: &Path) -> Result<(), csv::Error> {
    let mut w = csv::Writer::from_path(dir.join("static_summary.csv"))?;
    w.write_record([
        "candidate",
        "requests",
        "refused",
        "clients",
        "clients_hurt",
        "tenants",
        "tenants_hurt",
        "first_bite_s",
        "delayed",
    ])?;
    for c in &p.candidates {
        w.write_record([
            c.name.clone(),
            p.requests.to_string(),
            c.refused.to_string(),
            p.clients.names().len().to_string(),
            hurt(&c.clients).to_string(),
            p.tenants.names().len().to_string(),
            hurt(&c.tenants).to_string(),
            secs_csv(c.first),
            c.delayed.to_string(),
        ])?;
    }
    w.flush()?;
    for (file, entity) in [
        ("static_clients.csv", "client"),
        ("static_tenants.csv", "tenant"),
    ] {
        let mut w = csv::Writer::from_path(dir.join(file))?;
        w.write_record([
            "candidate",
            entity,
            "requests",
            "logged_429",
            "refused",
            "first_bite_s",
        ])?;
        for c in &p.candidates {
            if entity == "client" {
                rows(c, &c.clients, p.clients.names(), &p.client_log, &mut w)?;
            } else {
                rows(c, &c.tenants, p.tenants.names(), &p.tenant_log, &mut w)?;
            }
        }
        w.flush()?;
    }
    Ok(())
}

/// Write the CSV tables to `dir` (staged aside, sealed, then put in place whole), with what
/// `extra` writes into the staged folder (the closed loop's files).
pub fn write_csv(
    p: &StaticPass,
    dir: &Path,
    extra: impl FnOnce(&Path) -> Result<(), String>,
) -> Result<PathBuf, CliError> {
    let staged = Staged::begin(dir).map_err(|e| CliError::Failed(anyhow!("{e}")))?;
    write_tables(p, staged.dir())
        .map_err(|e| CliError::Failed(anyhow!("{}: {e}", dir.display())))?;
    extra(staged.dir()).map_err(|e| CliError::Failed(anyhow!("{}: {e}", dir.display())))?;
    staged
        .commit()
        .map_err(|e| CliError::Failed(anyhow!("{e}")))
}

#[cfg(test)]
mod tests;
