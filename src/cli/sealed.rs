//! A results folder's seal (`report::files::complete`): refuse a folder its writer did not
//! finish (or that mixes two runs' files) before reading it, and seal it again after its report
//! was rebuilt. Shared by `report`, `compare` and `sweep`, which rebuild each other's folders.

use super::CliError;
use anyhow::Context;
use std::path::Path;

/// Refuse a results folder (of any kind) that its writer did not finish, or that mixes files
/// of two runs (exit code 2, every problem named): see `report::files::complete`.
pub(crate) fn check_complete(dir: &Path) -> Result<(), CliError> {
    ::report::files::complete::check(dir).map_err(|e| CliError::BadInput(e.into()))
}

/// Seal `dir` again after rebuilding its report (its charts changed).
pub(crate) fn reseal(dir: &Path) -> Result<(), CliError> {
    Ok(::report::files::complete::seal(dir)
        .with_context(|| format!("sealing {}", dir.display()))?)
}
