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
    #[command(flatten)]
    pub memory: super::limits::MemoryArgs,
}

/// Check every file; print one line per valid file (unless `quiet`) and each error in full.
pub fn run(args: ValidateArgs, quiet: bool) -> Result<(), CliError> {
    let mut bad = 0usize;
    for path in &args.files {
        let (display, checked) = match super::limits::read_user_scenario(path) {
            Ok((display, text)) => {
                let loaded = sim::scenario::load_str(&display, &text).map_err(|e| e.to_string());
                (display, loaded)
            }
            Err(CliError::BadInput(e) | CliError::Failed(e)) => {
                (path.display().to_string(), Err(format!("{e:#}")))
            }
        };
        let checked = checked.and_then(|s| match args.memory.check(&display, &s, 1) {
            Err(super::CliError::BadInput(e) | super::CliError::Failed(e)) => Err(e.to_string()),
            Ok(()) => Ok(s),
        });
        match checked {
            Ok(s) => {
                if !quiet {
                    let clients: u64 = s.fleets.iter().map(|f| u64::from(f.count)).sum();
                    super::write_stdout(&format!(
                        "ok  {}  ({}: {} fleet{}, {clients} clients, {} limiter level{}, {} fault{}, {}, ~{} of memory)\n",
                        display,
                        s.name,
                        s.fleets.len(),
                        plural(s.fleets.len()),
                        s.server.levels.len(),
                        plural(s.server.levels.len()),
                        s.faults.len(),
                        plural(s.faults.len()),
                        s.duration,
                        sim::model::Bytes(s.memory_estimate().bytes),
                    ))?;
                }
            }
            Err(e) => {
                bad += 1;
                errln!("error: {e}\n");
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
