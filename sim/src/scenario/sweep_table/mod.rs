//! The `[sweep]` table a scenario file may carry: the same sweep as the command line's
//! `--param` and `--seeds`, kept beside the scenario it belongs to. Its syntax is part of the
//! file format, so it is read here, with the scenario: the loader checks it and blanks it out
//! (`run` and `validate` accept a file that declares a sweep), and [`crate::sweep`] plans the
//! runs it declares.

mod declare;
mod param;
mod strip;

pub(crate) use declare::declaration;
pub use declare::SweepDecl;
#[cfg(test)]
pub(crate) use param::literal;
pub use param::{check_path, parse_values, show, Param, MAX_RANGE};
pub(crate) use strip::strip_sweep;

use super::ScenarioError;

/// The text of `file` with its `[sweep]` lines blanked (same lines and columns), ready for
/// the scenario loader: what `run` and `validate` can load when a file declares a sweep.
///
/// ```
/// let text = "name = \"x\"\n[sweep]\nseeds = 3\n";
/// assert_eq!(sim::scenario::without_sweep(text).trim(), "name = \"x\"");
/// ```
pub fn without_sweep(text: &str) -> String {
    strip_sweep(text).0
}

/// [`without_sweep`], after checking the `[sweep]` table: what the scenario loader reads, so
/// `run` and `validate` accept (and check) a file that declares a sweep.
pub fn checked_without_sweep(file: &str, text: &str) -> Result<String, ScenarioError> {
    let (stripped, decl_doc) = strip_sweep(text);
    if let Some(doc) = &decl_doc {
        declaration(file, doc).map_err(ScenarioError::At)?;
    }
    Ok(stripped)
}
