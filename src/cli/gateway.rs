//! `throttlelab import` and `throttlelab export`: a gateway's rate-limit configuration into
//! scenario levels, and a scenario's levels back into a gateway's language (see
//! docs/gateways.md). The dialects themselves live in the `gateways` crate.

use super::CliError;
use anyhow::anyhow;
use clap::Args;
use gateways::Dialect;
use std::path::{Path, PathBuf};

/// Arguments of `import`.
#[derive(Debug, Args)]
#[command(
    after_help = "Dialects: nginx, haproxy, envoy, ratelimit, kong, aws (see docs/gateways.md).\n\
A scenario can also name the file directly: [[server.limiters]] from = \"nginx.conf\"."
)]
pub struct ImportArgs {
    /// The gateway configuration (nginx.conf, haproxy.cfg, ...).
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Its dialect; by default told from the file's name, then its content.
    #[arg(long, value_name = "F", value_parser = dialect)]
    pub format: Option<Dialect>,
    /// Append the levels to this scenario's `[[server.limiters]]` (the file is rewritten only
    /// if the result is a valid scenario) instead of printing them.
    #[arg(long, value_name = "SCENARIO")]
    pub into: Option<PathBuf>,
}

/// Arguments of `export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The dialect to write.
    #[arg(long, value_name = "F", value_parser = dialect)]
    pub format: Dialect,
    /// The scenario whose limiter levels are written.
    #[arg(value_name = "SCENARIO")]
    pub scenario: PathBuf,
}

fn dialect(s: &str) -> Result<Dialect, String> {
    Dialect::from_name(s).ok_or_else(|| {
        format!(
            "unknown gateway format `{s}` (expected one of: {})",
            Dialect::names().join(", ")
        )
    })
}

fn bad(e: impl std::fmt::Display) -> CliError {
    CliError::BadInput(anyhow!("{e}"))
}

/// Read and import a gateway file.
pub fn import_file(path: &Path, format: Option<Dialect>) -> Result<gateways::Imported, String> {
    let text = sim::scenario::read_file(path).map_err(|e| e.to_string())?;
    gateways::import_detect(&path.display().to_string(), &text, format).map_err(|e| e.to_string())
}

/// `throttlelab import`.
pub fn run_import(args: ImportArgs, quiet: bool) -> Result<(), CliError> {
    let imported = import_file(&args.file, args.format).map_err(bad)?;
    let toml = imported.to_toml();
    let Some(into) = args.into else {
        return super::write_stdout(&toml);
    };
    let display = into.display().to_string();
    let text = sim::scenario::read_file(&into).map_err(bad)?;
    let merged = merge(&display, &text, &toml).map_err(bad)?;
    sim::scenario::load_str(&display, &merged).map_err(|e| {
        bad(format!(
            "the merged scenario would not load, left unchanged:\n{e}"
        ))
    })?;
    std::fs::write(&into, merged).map_err(|e| CliError::Failed(anyhow!("{display}: {e}")))?;
    if !quiet {
        super::write_stdout(&format!(
            "added {} limiter level{} from {} to {display}\n",
            imported.levels.len(),
            if imported.levels.len() == 1 { "" } else { "s" },
            args.file.display()
        ))?;
    }
    Ok(())
}

/// `scenario` with the `[[server.limiters]]` tables of `levels` appended (comments kept).
fn merge(file: &str, scenario: &str, levels: &str) -> Result<String, String> {
    use toml_edit::{DocumentMut, Item, Table};
    let mut doc: DocumentMut = scenario.parse().map_err(|e| format!("{file}: {e}"))?;
    let add: DocumentMut = levels
        .parse()
        .map_err(|e| format!("imported levels: {e}"))?;
    let tables = add["server"]["limiters"]
        .as_array_of_tables()
        .cloned()
        .unwrap_or_default();
    let server = doc
        .entry("server")
        .or_insert_with(|| Item::Table(Table::new()))
        .as_table_mut()
        .ok_or_else(|| format!("{file}: `server` is not a table"))?;
    let list = server
        .entry("limiters")
        .or_insert_with(|| Item::ArrayOfTables(Default::default()))
        .as_array_of_tables_mut()
        .ok_or_else(|| format!("{file}: `server.limiters` is not an array of tables"))?;
    // tables print in the order of their positions: after everything the scenario has
    let last = scenario.lines().count();
    for (i, mut t) in tables.into_iter().enumerate() {
        t.set_position(last + 1 + i);
        list.push(t);
    }
    Ok(doc.to_string())
}

/// `throttlelab export`.
pub fn run_export(args: ExportArgs) -> Result<(), CliError> {
    let scenario = sim::scenario::load_file(&args.scenario).map_err(bad)?;
    let text = gateways::export(&scenario, args.format).map_err(bad)?;
    super::write_stdout(&text)
}

/// The reader of `[[server.limiters]] from = "..."` files, installed at start.
#[derive(Debug)]
pub struct GatewaySource;

impl sim::scenario::LevelSource for GatewaySource {
    fn levels(&self, path: &Path) -> Result<Vec<toml::Table>, String> {
        Ok(import_file(path, None)?
            .levels
            .into_iter()
            .map(|l| l.table)
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::merge;

    #[test]
    fn merge_appends_after_existing_levels_and_keeps_comments() {
        let scenario =
            "name = \"s\" # the name\n[server]\n[[server.limiters]]\nscope = \"global\"\n";
        let levels = "# n.conf:1:1: limit_req\n[[server.limiters]]\nscope = \"key\"\n";
        let out = merge("s.toml", scenario, levels).unwrap();
        assert!(out.contains("# the name"));
        let g = out.find("scope = \"global\"").unwrap();
        let k = out.find("scope = \"key\"").unwrap();
        assert!(g < k, "{out}");
    }
}
