//! `throttlelab completions SHELL` and `throttlelab man`: shell completion scripts
//! (clap_complete) and a roff man page (clap_mangen), both generated from the same clap
//! definition as the parser, so a new subcommand or flag is in them without a second list.
//! Installing them is in `docs/command-line.md`.

use super::{Cli, CliError};
use anyhow::Context;
use clap::{Args, CommandFactory};
use clap_complete::Shell;
use std::path::PathBuf;

/// Arguments of `completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell: bash, zsh, fish, elvish or powershell.
    #[arg(value_name = "SHELL")]
    pub shell: Shell,
}

/// Arguments of `man`.
#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write one page per subcommand (`throttlelab.1`, `throttlelab-run.1`, ...) into DIR
    /// instead of printing the main page.
    #[arg(long, value_name = "DIR")]
    pub out_dir: Option<PathBuf>,
}

/// Print the completion script for `shell`.
pub fn completions(args: CompletionsArgs) -> Result<(), CliError> {
    let mut cmd = Cli::command();
    let mut buf = Vec::new();
    clap_complete::generate(args.shell, &mut cmd, "throttlelab", &mut buf);
    super::write_stdout(&String::from_utf8_lossy(&buf))
}

/// Print the man page, or write every page into `--out-dir`.
pub fn man(args: ManArgs) -> Result<(), CliError> {
    let cmd = Cli::command();
    match args.out_dir {
        Some(dir) => {
            std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
            clap_mangen::generate_to(cmd, &dir)
                .with_context(|| format!("writing the man pages to {}", dir.display()))?;
            Ok(())
        }
        None => {
            let mut buf = Vec::new();
            clap_mangen::Man::new(cmd)
                .render(&mut buf)
                .context("rendering the man page")?;
            super::write_stdout(&String::from_utf8_lossy(&buf))
        }
    }
}
