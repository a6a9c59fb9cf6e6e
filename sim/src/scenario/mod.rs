//! Scenario files: TOML in, validated [`crate::model::Scenario`] out, or a [`ScenarioError`]
//! that points at the offending line and column.
//!
//! Loading is two steps: serde parses the text into the [`spec`] types (syntax, types, unknown
//! and missing fields), then validation checks values and cross-field rules (zero rates,
//! faults outside the run, limiter parameters built through [`limiters::Registry`]) and builds
//! the runtime model. Both steps report byte spans, turned into `file:line:col` by [`Located`].
//!
//! ```
//! let text = r#"
//! name = "demo"
//! duration = "1m"
//! [fleet.web]
//! count = 0
//! arrival = { process = "poisson", rate = "1/s" }
//! "#;
//! let err = sim::scenario::load_str("demo.toml", text).unwrap_err();
//! assert!(err.to_string().starts_with("demo.toml:5:9: `count` must be at least 1"));
//! ```

mod dist_spec;
mod error;
mod from;
pub mod gate_spec;
#[cfg(feature = "schema")]
pub mod schema;
#[cfg(feature = "schema")]
mod schema_parts;
pub mod spec;
pub mod sweep_table;
mod units;
mod validate;
mod wording;

pub use error::{Located, ScenarioError};
pub use from::{install_level_source, LevelSource};
pub use sweep_table::{checked_without_sweep, without_sweep};
pub use units::{Dur, RateValue};
pub use validate::{kinds, DEFAULT_BUCKET, DEFAULT_MAX_ATTEMPTS, DEFAULT_SEED, DIALECTS};

use crate::model::Scenario;
use limiters::Registry;
use std::path::Path;

/// Parse `text` into the spec types (step one only: syntax, types, unknown/missing fields).
pub fn parse_spec(file: &str, text: &str) -> Result<spec::ScenarioSpec, ScenarioError> {
    toml::from_str(text).map_err(|e| {
        ScenarioError::At(Box::new(Located::new(
            file,
            text,
            e.span(),
            &wording::polish(e.message()),
        )))
    })
}

/// Load a scenario from text, with limiter algorithms from `registry`. `file` is only used in
/// error messages.
pub fn load_str_with(
    file: &str,
    text: &str,
    registry: &Registry,
) -> Result<Scenario, ScenarioError> {
    // A `[sweep]` table declares a parameter sweep (`throttlelab sweep`): a single run checks
    // it and ignores it. Its lines are blanked, so positions elsewhere stay right.
    let text = &sweep_table::checked_without_sweep(file, text)?;
    let spec = parse_spec(file, text)?;
    validate::scenario(&validate::Cx { file, text }, &spec, registry)
}

/// Load a scenario from text with the built-in limiter algorithms.
pub fn load_str(file: &str, text: &str) -> Result<Scenario, ScenarioError> {
    load_str_with(file, text, &Registry::builtin())
}

/// Largest scenario file read, in bytes: the biggest real scenario is a few KB, a 10 MB one
/// still loads, and `validate /dev/zero` must not read until memory runs out.
pub const MAX_FILE_BYTES: u64 = 32 << 20;

/// Read a scenario file as UTF-8 text, at most [`MAX_FILE_BYTES`] of it (a larger file, or an
/// endless one such as `/dev/zero`, is an error, not a read until memory runs out).
pub fn read_file(path: &Path) -> Result<String, ScenarioError> {
    use std::io::Read;
    let file = path.display().to_string();
    let io = |source| ScenarioError::Io {
        file: file.clone(),
        source,
    };
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes))
        .map_err(io)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(ScenarioError::TooLarge {
            file,
            limit: MAX_FILE_BYTES,
        });
    }
    String::from_utf8(bytes).map_err(|_| ScenarioError::NotText { file })
}

/// Read and load a scenario file with the built-in limiter algorithms.
pub fn load_file(path: &Path) -> Result<Scenario, ScenarioError> {
    let text = read_file(path)?;
    load_str(&path.display().to_string(), &text)
}
