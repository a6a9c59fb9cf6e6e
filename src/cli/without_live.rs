//! The live-mode subcommands (`serve`, `load`, `check-live`, `conform`) in a binary built
//! without the `live` feature (`cargo install --path . --no-default-features`): they stay in
//! `--help`, the completions and the man page, take any arguments, and say how to get live
//! mode back, where clap alone would answer "unrecognized subcommand".

use super::CliError;
use anyhow::anyhow;

/// Any arguments of a subcommand this build does not have.
#[derive(Debug, clap::Args)]
pub struct NotBuilt {
    #[arg(trailing_var_arg = true, allow_hyphen_values = true, hide = true)]
    rest: Vec<String>,
}

/// The error of a live-mode subcommand in a build without live mode (exit code 2).
pub fn refuse(command: &str) -> Result<(), CliError> {
    Err(CliError::BadInput(anyhow!(
        "`throttlelab {command}` is live mode, which this binary was built without (the \
         `live` feature); build it with the default features: `cargo install --path .`, or add \
         `--features live`"
    )))
}
