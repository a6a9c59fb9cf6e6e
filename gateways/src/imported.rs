//! An imported configuration: the scenario's own `[[server.limiters]]` tables, each with the
//! place in the gateway file it came from, so `import` prints TOML a user can read and
//! `--into` merges it into a scenario.

use crate::{Dialect, Pos};
use std::fmt::Write as _;

/// One limiter level read from a gateway file.
#[derive(Clone, Debug, PartialEq)]
pub struct ImportedLevel {
    /// The `[[server.limiters]]` table, key by key (`scope`, `algorithm`, `status`, the
    /// algorithm's parameters), exactly as a scenario would write it.
    pub table: toml::Table,
    /// Where the directive that made it is.
    pub from: Pos,
    /// The directive in the gateway's words (a TOML comment above the table).
    pub source: String,
}

/// Everything read from one gateway file.
#[derive(Clone, Debug, PartialEq)]
pub struct Imported {
    /// The dialect it was read as.
    pub dialect: Dialect,
    /// The levels, outermost first.
    pub levels: Vec<ImportedLevel>,
    /// What was read but does not change decisions, or was approximated (TOML comments).
    pub notes: Vec<String>,
}

impl Imported {
    /// No levels yet.
    pub fn new(dialect: Dialect) -> Imported {
        Imported {
            dialect,
            levels: Vec::new(),
            notes: Vec::new(),
        }
    }

    /// The levels as scenario TOML: one commented `[[server.limiters]]` table each.
    pub fn to_toml(&self) -> String {
        let mut out = String::new();
        for note in &self.notes {
            let _ = writeln!(out, "# note: {note}");
        }
        for level in &self.levels {
            if !out.is_empty() {
                out.push('\n');
            }
            let _ = writeln!(out, "# {}: {}", level.from, level.source);
            out.push_str("[[server.limiters]]\n");
            out.push_str(&table_lines(&level.table));
        }
        out
    }
}

/// `key = value` lines of a flat table, `scope` and `algorithm` first.
fn table_lines(t: &toml::Table) -> String {
    let mut keys: Vec<&String> = t.keys().collect();
    let rank = |k: &str| match k {
        "scope" => 0,
        "algorithm" => 1,
        _ => 2,
    };
    keys.sort_by_key(|k| rank(k));
    let mut out = String::new();
    for k in keys {
        let _ = writeln!(out, "{k} = {}", t[k.as_str()]);
    }
    out
}
