//! Test helpers: imported levels as a scenario would load them (for export round trips).

use crate::Imported;
use sim::model::Level;

/// The levels of `imported`, loaded through the scenario loader inside a minimal scenario.
pub(crate) fn levels(imported: &Imported) -> Vec<Level> {
    let text = format!(
        "name = \"t\"\nduration = \"1s\"\n\n{}\n[fleet.a]\ncount = 1\narrival = {{ process = \
         \"constant\", rate = \"1/s\" }}\n",
        imported.to_toml()
    );
    match sim::scenario::load_str("t.toml", &text) {
        Ok(s) => s.server.levels,
        Err(e) => panic!("imported levels do not load: {e}\n{text}"),
    }
}

/// The value of `key` in level `i`'s table, as TOML text.
pub(crate) fn param(imported: &Imported, i: usize, key: &str) -> String {
    imported.levels[i]
        .table
        .get(key)
        .map(|v| v.to_string())
        .unwrap_or_default()
}
