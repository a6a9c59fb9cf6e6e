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
mod tests {
    use super::*;

    fn tmp(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("complete-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    fn write(dir: &Path, files: &[(&str, &str)]) {
        for (rel, text) in files {
            let p = dir.join(rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
    }

    #[test]
    fn a_committed_folder_checks_and_replaces_the_previous_one_whole() {
        let root = tmp("commit");
        let dest = root.join("run");
        let s = Staged::begin(&dest).unwrap();
        write(s.dir(), &[("a.csv", "1"), ("charts/old.svg", "x")]);
        assert!(check(s.dir()).is_err(), "not sealed yet");
        s.commit().unwrap();
        check(&dest).unwrap();
        let s = Staged::begin(&dest).unwrap();
        write(s.dir(), &[("a.csv", "2")]);
        s.commit().unwrap();
        check(&dest).unwrap();
        assert!(!dest.join("charts/old.svg").exists(), "stale chart kept");
        let left: Vec<_> = std::fs::read_dir(&root).unwrap().collect();
        assert_eq!(left.len(), 1, "temporary folders left: {left:?}");
        std::fs::remove_dir_all(root).unwrap();
    }

    #[test]
    fn kept_sub_folders_survive_the_replacement_and_nothing_else_does() {
        let root = tmp("keep");
        let dest = root.join("sweep");
        write(
            &dest,
            &[("shard-1-of-2/runs.parquet", "x"), ("stale.csv", "old")],
        );
        let s = Staged::begin(&dest).unwrap();
        s.keep("shard-1-of-2").unwrap();
        write(s.dir(), &[("runs.parquet", "merged")]);
        s.commit().unwrap();
        check(&dest).unwrap();
        assert_eq!(
            std::fs::read_to_string(dest.join("shard-1-of-2/runs.parquet")).unwrap(),
            "x"
        );
        assert!(!dest.join("stale.csv").exists(), "stale file kept");
        std::fs::remove_dir_all(root).unwrap();
    }

    #[test]
    fn folders_of_dead_writers_are_removed_at_the_next_begin() {
        if !Path::new("/proc/self").exists() {
            return;
        }
        let root = tmp("dead");
        // No process has pid u32::MAX - 1 (Linux caps pids at 2^22).
        let dead = root.join(format!(".run.partial-{}", u32::MAX - 1));
        let other = root.join(format!(".other.partial-{}", u32::MAX - 1));
        std::fs::create_dir_all(&dead).unwrap();
        std::fs::create_dir_all(&other).unwrap();
        Staged::begin(&root.join("run")).unwrap().commit().unwrap();
        assert!(!dead.exists() && other.exists());
        std::fs::remove_dir_all(root).unwrap();
    }

    #[test]
    fn missing_truncated_changed_and_foreign_files_are_each_named() {
        let dir = tmp("problems");
        write(
            &dir,
            &[("runs.parquet", "PAR1"), ("b.csv", "abc"), ("c.csv", "x")],
        );
        seal(&dir).unwrap();
        check(&dir).unwrap();
        std::fs::write(dir.join("runs.parquet"), "").unwrap();
        std::fs::write(dir.join("b.csv"), "abd").unwrap();
        std::fs::remove_file(dir.join("c.csv")).unwrap();
        write(&dir, &[("d.csv", "other run"), ("charts/new.svg", "ok")]);
        let e = check(&dir).unwrap_err();
        let text = e.to_string();
        assert_eq!(e.problems.len(), 4, "{text}");
        assert!(
            text.contains("runs.parquet has 0 bytes, 4 were written"),
            "{text}"
        );
        assert!(
            text.contains("b.csv is not the file that was written"),
            "{text}"
        );
        assert!(text.contains("c.csv is missing"), "{text}");
        assert!(
            text.contains("d.csv was not written with the rest"),
            "{text}"
        );
        std::fs::remove_file(dir.join(MARKER)).unwrap();
        assert!(check(&dir)
            .unwrap_err()
            .to_string()
            .contains("no complete.json"));
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn shards_and_hidden_folders_are_not_part_of_their_parent() {
        let dir = tmp("shards");
        write(
            &dir,
            &[("sweep.json", "{}"), ("shard-1-of-2/runs.parquet", "x")],
        );
        write(&dir, &[(".shard-2-of-2.partial-1/runs.parquet", "")]);
        seal(&dir).unwrap();
        check(&dir).unwrap();
        let seal: Seal =
            serde_json::from_str(&std::fs::read_to_string(dir.join(MARKER)).unwrap()).unwrap();
        assert_eq!(seal.files.keys().collect::<Vec<_>>(), ["sweep.json"]);
        std::fs::remove_dir_all(dir).unwrap();
    }
}
