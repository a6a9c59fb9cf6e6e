//! Crash-safe output folders. A command that writes a folder writes it under a hidden sibling
//! (`.<name>.partial-<pid>`), seals it, and only then renames it into place ([`Staged`]), so a
//! process killed at any point leaves either the previous complete folder, the new complete
//! folder, or nothing under the folder's name; never a half-written one, and never a folder
//! mixing two runs (a rerun replaces the whole folder: no stale charts from an earlier version
//! of the scenario, no stale file beside a merged sweep).
//!
//! The seal is [`MARKER`] (`complete.json`), written after every file has been flushed to disk
//! (`fsync`): each file's size and SHA-256. [`check`] is what `report`, `compare` and `merge`
//! call before they trust a folder of any kind: no seal means the writer did not finish; a
//! missing, resized (a 0-byte `runs.parquet` of a killed sweep) or changed file, or a data file
//! the seal does not list, means the folder is not the one that was sealed. The report's own outputs (`charts/`,
//! `report.html`) are listed but not checked: `report` rebuilds them and seals again.

use super::FilesError;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

mod staged;
pub use staged::Staged;

/// The seal's file name.
pub const MARKER: &str = "complete.json";

/// Outputs that `report` rebuilds: listed in the seal, never held against a folder.
const REBUILT: [&str; 2] = ["charts/", "report.html"];

/// One file as sealed.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
struct Entry {
    bytes: u64,
    sha256: String,
}

/// The seal's contents.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
struct Seal {
    kind: String,
    files: BTreeMap<String, Entry>,
}

const KIND: &str = "throttlelab-complete";

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> FilesError + '_ {
    move |source| FilesError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Every file under `dir` by its `/`-separated relative path, sorted; the seal itself, hidden
/// entries (`.partial` folders) and sub-folders sealed on their own (a sweep's shards) left out.
fn files(dir: &Path) -> Result<Vec<String>, FilesError> {
    fn walk(root: &Path, at: &Path, out: &mut Vec<String>) -> Result<(), FilesError> {
        for e in std::fs::read_dir(at).map_err(io(at))? {
            let path = e.map_err(io(at))?.path();
            let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
            let Some(name) = name else { continue };
            if name.starts_with('.') || (at == root && name == MARKER) {
                continue;
            }
            if path.is_dir() {
                if !path.join(MARKER).exists() && !is_shard(&name) {
                    walk(root, &path, out)?;
                }
            } else {
                let rel = path.strip_prefix(root).unwrap_or(&path);
                let parts: Vec<_> = rel.iter().map(|p| p.to_string_lossy()).collect();
                out.push(parts.join("/"));
            }
        }
        Ok(())
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out)?;
    out.sort();
    Ok(out)
}

/// A sweep's shard folder: sealed on its own (or, killed, not at all), never part of its parent.
fn is_shard(name: &str) -> bool {
    name.starts_with("shard-")
}

fn entry(path: &Path) -> Result<Entry, FilesError> {
    let bytes = std::fs::read(path).map_err(io(path))?;
    Ok(Entry {
        bytes: bytes.len() as u64,
        sha256: format!("{:x}", Sha256::digest(&bytes)),
    })
}

fn sync_dir(dir: &Path) -> Result<(), FilesError> {
    File::open(dir).and_then(|d| d.sync_all()).map_err(io(dir))
}

/// Seal `dir`: flush every file to disk, then write [`MARKER`] listing them (written to a
/// temporary name, flushed, renamed: the seal is whole or absent).
pub fn seal(dir: &Path) -> Result<(), FilesError> {
    let mut seal = Seal {
        kind: KIND.to_owned(),
        files: BTreeMap::new(),
    };
    for rel in files(dir)? {
        let path = dir.join(&rel);
        File::open(&path)
            .and_then(|f| f.sync_all())
            .map_err(io(&path))?;
        seal.files.insert(rel, entry(&path)?);
    }
    let tmp = dir.join(format!(".{MARKER}.tmp"));
    let mut bytes = serde_json::to_vec_pretty(&seal).map_err(|source| FilesError::Json {
        path: tmp.clone(),
        source,
    })?;
    bytes.push(b'\n');
    let mut f = File::create(&tmp).map_err(io(&tmp))?;
    f.write_all(&bytes)
        .and_then(|()| f.sync_all())
        .map_err(io(&tmp))?;
    let marker = dir.join(MARKER);
    std::fs::rename(&tmp, &marker).map_err(io(&marker))?;
    sync_dir(dir)
}

/// Why a folder is not taken for complete: every problem found, one per line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{dir}: incomplete or mixed output folder (rerun the command that wrote it):\n  {}", problems.join("\n  "))]
pub struct Incomplete {
    /// The folder.
    pub dir: PathBuf,
    /// What is missing or wrong.
    pub problems: Vec<String>,
}

/// Check that `dir` is a sealed folder whose files are the ones sealed.
pub fn check(dir: &Path) -> Result<(), Incomplete> {
    let fail = |problems: Vec<String>| Incomplete {
        dir: dir.to_path_buf(),
        problems,
    };
    let marker = dir.join(MARKER);
    let text = std::fs::read_to_string(&marker).map_err(|_| {
        fail(vec![format!(
            "no {MARKER}: the command writing it did not finish (killed or failed), or it \
             was written by a throttlelab older than the seal"
        )])
    })?;
    let seal: Seal = serde_json::from_str(&text)
        .ok()
        .filter(|s: &Seal| s.kind == KIND)
        .ok_or_else(|| fail(vec![format!("{MARKER} is not a completion seal")]))?;
    let rebuilt = |rel: &str| REBUILT.iter().any(|r| rel.starts_with(r));
    let mut problems = Vec::new();
    for (rel, want) in seal.files.iter().filter(|(rel, _)| !rebuilt(rel)) {
        let path = dir.join(rel);
        match std::fs::metadata(&path) {
            Err(_) => problems.push(format!("{rel} is missing")),
            Ok(m) if m.len() != want.bytes => problems.push(format!(
                "{rel} has {} bytes, {} were written",
                m.len(),
                want.bytes
            )),
            Ok(_) => match entry(&path) {
                Ok(got) if got == *want => {}
                _ => problems.push(format!("{rel} is not the file that was written")),
            },
        }
    }
    let present = files(dir).map_err(|e| fail(vec![e.to_string()]))?;
    for rel in present {
        if !rebuilt(&rel) && !seal.files.contains_key(&rel) {
            problems.push(format!("{rel} was not written with the rest of the folder"));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(fail(problems))
    }
}

#[cfg(test)]
mod tests;
