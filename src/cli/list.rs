//! `throttlelab list`: every registered limiter algorithm with its parameters and semantics.

use super::CliError;
use clap::Args;
use limiters::Registry;

/// Arguments of `list`.
#[derive(Debug, Args)]
pub struct ListArgs {}

/// Print the registry.
pub fn run(_args: ListArgs) -> Result<(), CliError> {
    let registry = Registry::builtin();
    println!("Limiter algorithms (use as `algorithm = \"<name>\"` in a scenario's limiter table):\n");
    for entry in registry.entries() {
        println!("{}\n    {}", entry.name, entry.summary);
        for p in entry.params {
            println!("    - {:<14} {}", p.name, p.help);
        }
        println!();
    }
    Ok(())
}
