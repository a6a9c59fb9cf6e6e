//! The conformance report: `conform.json` (every figure and every disagreement) and
//! `conform.md` (a table a reader can paste into docs/conformance.md).

use gateways::conform::Comparison;
use serde_json::json;
use std::fmt::Write as _;
use std::path::Path;

/// What was run.
#[derive(Debug)]
pub struct Header<'a> {
    /// `nginx` or `haproxy`.
    pub gateway: &'a str,
    /// The program's version line.
    pub version: String,
    /// The configuration file.
    pub config: String,
    /// The command line that reproduces the run.
    pub command: String,
    /// Streams, seed, and how the gateway ran (e.g. "dry run").
    pub streams: u32,
    /// Seed.
    pub seed: u64,
    /// How the gateway ran.
    pub mode: &'a str,
    /// Wall time of the run, seconds.
    pub seconds: f64,
}

/// The summary lines printed to the terminal.
pub fn summary(h: &Header, c: &Comparison, show: usize) -> String {
    let mut s = format!(
        "{} ({}): {} requests in {} streams, seed {}, {}: agreement {:.4}% ({} of {}); gateway decisions pass {} / delay {} / reject {}\n",
        h.gateway,
        h.version,
        c.requests,
        h.streams,
        h.seed,
        h.mode,
        100.0 * c.agreement(),
        c.agreed,
        c.requests,
        c.gateway_counts[0],
        c.gateway_counts[1],
        c.gateway_counts[2],
    );
    if !c.disagreements.is_empty() {
        let _ = writeln!(
            s,
            "  {} of {} disagreements agree with the gateway's clock 1 ms off (a timing difference, see docs/conformance.md)",
            c.clock_explained(),
            c.disagreements.len()
        );
    }
    for d in c.disagreements.iter().take(show) {
        let o = &d.observation;
        let _ = writeln!(
            s,
            "  disagreement: stream {} request {} key {} at gateway ms {} (sent {} us, answered {} us): gateway {}, model {}{}{}",
            o.stream,
            o.seq,
            o.key,
            o.gateway_ms,
            o.sent_us,
            o.answered_us,
            o.verdict,
            d.model,
            match (o.gateway_rate, d.model_rate) {
                (Some(g), Some(m)) => format!(" (rate: gateway {g}, model {m})"),
                _ => String::new(),
            },
            d.shift.map_or(String::new(), |s| format!(" (model agrees at {s:+} ms)"))
        );
    }
    if c.disagreements.len() > show {
        let _ = writeln!(
            s,
            "  ... {} more in conform.json",
            c.disagreements.len() - show
        );
    }
    s
}

/// Write `conform.json`, `conform.md` and `decisions.csv` (every request: stream, number,
/// key, the gateway's clock, its decision, when it was sent and answered) into `dir`.
pub fn write(
    dir: &Path,
    h: &Header,
    c: &Comparison,
    seen: &[gateways::conform::Observation],
) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut csv =
        String::from("stream,request,key,gateway_ms,gateway,gateway_rate,sent_us,answered_us\n");
    for o in seen {
        let _ = writeln!(
            csv,
            "{},{},{},{},{},{},{},{}",
            o.stream,
            o.seq,
            o.key,
            o.gateway_ms,
            o.verdict,
            o.gateway_rate.map_or(String::new(), |r| r.to_string()),
            o.sent_us,
            o.answered_us
        );
    }
    std::fs::write(dir.join("decisions.csv"), csv).map_err(|e| e.to_string())?;
    let disagreements: Vec<_> = c
        .disagreements
        .iter()
        .map(|d| {
            let o = &d.observation;
            json!({"stream": o.stream, "request": o.seq, "key": o.key, "gateway_ms": o.gateway_ms,
                   "sent_us": o.sent_us, "answered_us": o.answered_us,
                   "gateway": o.verdict.to_string(), "model": d.model.to_string(),
                   "gateway_rate": o.gateway_rate, "model_rate": d.model_rate,
                   "model_agrees_at_ms_offset": d.shift})
        })
        .collect();
    let doc = json!({
        "gateway": h.gateway, "version": h.version, "config": h.config, "command": h.command,
        "mode": h.mode, "requests": c.requests, "streams": h.streams, "seed": h.seed,
        "agreed": c.agreed, "agreement": c.agreement(), "seconds": h.seconds,
        "disagreements_within_1ms_of_the_gateway_clock": c.clock_explained(),
        "gateway_decisions": {"pass": c.gateway_counts[0], "delay": c.gateway_counts[1], "reject": c.gateway_counts[2]},
        "disagreements": disagreements,
    });
    let text = serde_json::to_string_pretty(&doc).map_err(|e| e.to_string())?;
    std::fs::write(dir.join("conform.json"), text + "\n").map_err(|e| e.to_string())?;
    let mut md = String::from("| gateway | config | mode | requests | streams | seed | pass | delay | reject | agreement | disagreements (of them within 1 ms) |\n|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    let _ = writeln!(
        md,
        "| {} ({}) | {} | {} | {} | {} | {} | {} | {} | {} | {:.4}% | {} ({}) |",
        h.gateway,
        h.version,
        h.config,
        h.mode,
        c.requests,
        h.streams,
        h.seed,
        c.gateway_counts[0],
        c.gateway_counts[1],
        c.gateway_counts[2],
        100.0 * c.agreement(),
        c.disagreements.len(),
        c.clock_explained()
    );
    let _ = writeln!(md, "\nCommand: `{}`", h.command);
    std::fs::write(dir.join("conform.md"), md).map_err(|e| e.to_string())
}
