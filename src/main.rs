//! `throttlelab`: simulate and benchmark API throttling and retry strategies.

#[macro_use]
mod stderr;
mod cli;
#[cfg(feature = "live")]
mod conform;
#[cfg(feature = "live")]
mod live;
mod recorded;
mod replay;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    cli::run(args)
}
