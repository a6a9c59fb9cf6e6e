//! `throttlelab validate FILE...`: load each scenario file and report every problem as
//! `file:line:col: what was expected`, with the offending line and a caret. Exit code 2 when
//! any file is invalid; nothing is simulated.

use super::CliError;
use anyhow::anyhow;
use clap::Args;
use std::path::PathBuf;

/// Arguments of `validate`.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Scenario files to check.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Print one JSON array on stdout: per file `ok`, and its figures or its error (with
    /// `line` and `column` of the first problem and `problems`, every problem found, when the
    /// error is in the file's text). The exit code is unchanged.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub limits: super::limits::RunLimits,
}

/// What validating one file found: the scenario, or the error in full and, for an error in
/// the file's text, where.
struct Checked {
    display: String,
    result: Result<sim::model::Scenario, String>,
    /// For an error in the file's text, every problem found: `(line, column, message)`.
    at: Vec<(usize, usize, String)>,
}

fn check(path: &std::path::Path, limits: &super::limits::RunLimits) -> Checked {
    let (display, text) = match super::limits::read_user_scenario(path) {
        Ok(x) => x,
        Err(CliError::BadInput(e) | CliError::Failed(e)) => {
            return Checked {
                display: path.display().to_string(),
                result: Err(format!("{e:#}")),
                at: Vec::new(),
            }
        }
    };
    let (result, at) = match sim::scenario::load_str(&display, &text) {
        Ok(s) => match limits.check(&display, &s, 1) {
            Err(CliError::BadInput(e) | CliError::Failed(e)) => (Err(e.to_string()), Vec::new()),
            Ok(()) => (Ok(s), Vec::new()),
        },
        Err(e) => {
            let at = e
                .problems()
                .iter()
                .map(|l| (l.line, l.col, l.message.clone()))
                .collect();
            (Err(e.to_string()), at)
        }
    };
    Checked {
        display,
        result,
        at,
    }
}

fn json_of(c: &Checked) -> serde_json::Value {
    match &c.result {
        Ok(s) => serde_json::json!({
            "file": c.display,
            "ok": true,
            "name": s.name,
            "fleets": s.fleets.len(),
            "clients": s.fleets.iter().map(|f| u64::from(f.count)).sum::<u64>(),
            "limiter_levels": s.server.levels.len(),
            "faults": s.faults.len(),
            "duration": s.duration.to_string(),
            "memory_bytes": s.memory_estimate().bytes,
            "first_requests": s.request_estimate(),
        }),
        Err(e) => {
            let mut v = serde_json::json!({ "file": c.display, "ok": false, "error": e });
            if let Some((line, col, message)) = c.at.first() {
                v["line"] = (*line).into();
                v["column"] = (*col).into();
                v["message"] = message.clone().into();
                v["problems"] = c
                    .at
                    .iter()
                    .map(|(line, col, message)| {
                        serde_json::json!({ "line": line, "column": col, "message": message })
                    })
                    .collect();
            }
            v
        }
    }
}

/// Check every file; print one line per valid file (unless `quiet`) and each error in full
/// (with `--json`, one JSON array of every file's result on stdout instead).
pub fn run(args: ValidateArgs, quiet: bool) -> Result<(), CliError> {
    let results: Vec<Checked> = args.files.iter().map(|p| check(p, &args.limits)).collect();
    let bad = results.iter().filter(|c| c.result.is_err()).count();
    if args.json {
        let doc: Vec<serde_json::Value> = results.iter().map(json_of).collect();
        let text = serde_json::to_string_pretty(&doc).map_err(|e| CliError::Failed(e.into()))?;
        super::write_stdout(&(text + "\n"))?;
    } else {
        for c in &results {
            match &c.result {
                Ok(s) => {
                    if !quiet {
                        let clients: u64 = s.fleets.iter().map(|f| u64::from(f.count)).sum();
                        super::write_stdout(&format!(
                            "ok  {}  ({}: {} fleet{}, {clients} clients, {} limiter level{}, {} fault{}, {}, ~{} first requests, ~{} of memory)\n",
                            c.display,
                            s.name,
                            s.fleets.len(),
                            plural(s.fleets.len()),
                            s.server.levels.len(),
                            plural(s.server.levels.len()),
                            s.faults.len(),
                            plural(s.faults.len()),
                            s.duration,
                            sim::work::Count(s.request_estimate()),
                            sim::memory::Bytes(s.memory_estimate().bytes),
                        ))?;
                    }
                }
                Err(e) => errln!("error: {e}\n"),
            }
        }
    }
    match bad {
        0 => Ok(()),
        n => Err(CliError::BadInput(anyhow!(
            "{n} of {} scenario file{} invalid",
            args.files.len(),
            if args.files.len() == 1 {
                " is"
            } else {
                "s are"
            }
        ))),
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}
