//! `throttlelab schema [--out FILE]`: the JSON Schema of the scenario format
//! (`sim::scenario::schema`, derived from the spec types and the limiter registry), for
//! editors. Wire it into Taplo / Even Better TOML with a `#:schema` first line in a scenario
//! file or a `.taplo.toml` rule (`docs/scenarios.md`); the repository ships it as
//! `scenarios/scenario.schema.json` and a test keeps that file equal to this output.

use super::CliError;
use anyhow::Context;
use clap::Args;
use std::path::PathBuf;

/// Arguments of `schema`.
#[derive(Debug, Args)]
pub struct SchemaArgs {
    /// Write the schema to FILE instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

/// The schema as pretty JSON, ending with a newline.
pub fn text() -> String {
    let schema = sim::scenario::schema::json_schema(&limiters::Registry::builtin());
    let mut s = serde_json::to_string_pretty(&schema).unwrap_or_default();
    s.push('\n');
    s
}

/// Print or write the schema.
pub fn run(args: SchemaArgs) -> Result<(), CliError> {
    let text = text();
    match args.out {
        Some(path) => {
            std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
            Ok(())
        }
        None => super::write_stdout(&text),
    }
}
