//! Writing a folder aside and putting it in place whole: [`Staged`]. Every command that writes
//! a results folder goes through it (`run`, `sweep`, `merge`, `compare`, `load`, `check-live`,
//! `occ`, `layers`), so a killed writer leaves the previous folder or nothing under the
//! folder's name, and a rerun leaves no file of an earlier run beside the new ones.

use super::{io, seal, sync_dir, FilesError};
use std::path::{Path, PathBuf};

/// A folder being written: files go into [`Staged::dir`], and [`Staged::commit`] seals it and
/// puts it in place of the destination, whole.
#[derive(Debug)]
pub struct Staged {
    tmp: PathBuf,
    dest: PathBuf,
}

impl Staged {
    /// Start writing the folder `dest`: an empty hidden sibling, `.<name>.partial-<pid>`.
    /// Siblings left by killed writers of the same folder are removed first (on systems with
    /// `/proc`, where a dead writer can be told from a running one).
    pub fn begin(dest: &Path) -> Result<Staged, FilesError> {
        remove_dead_siblings(dest);
        let tmp = sibling(dest, "partial");
        if tmp.exists() {
            std::fs::remove_dir_all(&tmp).map_err(io(&tmp))?;
        }
        std::fs::create_dir_all(&tmp).map_err(io(&tmp))?;
        Ok(Staged {
            tmp,
            dest: dest.to_path_buf(),
        })
    }

    /// Where to write the files.
    pub fn dir(&self) -> &Path {
        &self.tmp
    }

    /// Carry the sub-folder `name` of the folder being replaced into the new one, as hard links
    /// (copies where the file system has none): a merged sweep keeps the shards it was merged
    /// from, and nothing else of the previous folder. Nothing is moved: until [`Staged::commit`]
    /// the previous folder stays whole.
    pub fn keep(&self, name: &str) -> Result<(), FilesError> {
        link_tree(&self.dest.join(name), &self.tmp.join(name))
    }

    /// Seal the folder and rename it into place; a previous folder of that name is moved
    /// aside first and removed after. Returns the destination.
    pub fn commit(self) -> Result<PathBuf, FilesError> {
        seal(&self.tmp)?;
        let old = sibling(&self.dest, "old");
        if self.dest.exists() {
            if old.exists() {
                std::fs::remove_dir_all(&old).map_err(io(&old))?;
            }
            std::fs::rename(&self.dest, &old).map_err(io(&self.dest))?;
        }
        std::fs::rename(&self.tmp, &self.dest).map_err(io(&self.dest))?;
        if let Some(parent) = self.dest.parent() {
            sync_dir(parent)?;
        }
        if old.exists() {
            std::fs::remove_dir_all(&old).map_err(io(&old))?;
        }
        Ok(self.dest)
    }
}

/// Remove `.<name>.partial-<pid>` and `.<name>.old-<pid>` folders whose process is gone
/// (best effort: anything unexpected is left alone).
fn remove_dead_siblings(dest: &Path) {
    let proc_fs = Path::new("/proc/self");
    let (Some(name), Some(parent)) = (dest.file_name(), dest.parent()) else {
        return;
    };
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    if !proc_fs.exists() {
        return;
    }
    let prefix = format!(".{}.", name.to_string_lossy());
    for e in entries.flatten() {
        let file = e.file_name().to_string_lossy().into_owned();
        let Some(rest) = file.strip_prefix(&prefix) else {
            continue;
        };
        let pid = ["partial-", "old-"]
            .iter()
            .find_map(|w| rest.strip_prefix(w))
            .and_then(|p| p.parse::<u32>().ok());
        if let Some(pid) = pid {
            if pid != std::process::id() && !Path::new(&format!("/proc/{pid}")).exists() {
                let _ = std::fs::remove_dir_all(e.path());
            }
        }
    }
}

/// `<parent>/.<name>.<what>-<pid>`.
fn sibling(dest: &Path, what: &str) -> PathBuf {
    let name = dest
        .file_name()
        .map_or_else(|| "out".into(), |n| n.to_string_lossy().into_owned());
    let parent = dest.parent().unwrap_or(Path::new("."));
    parent.join(format!(".{name}.{what}-{}", std::process::id()))
}

/// Recreate the tree `from` at `to`, its files hard-linked (or copied across file systems).
fn link_tree(from: &Path, to: &Path) -> Result<(), FilesError> {
    std::fs::create_dir_all(to).map_err(io(to))?;
    for e in std::fs::read_dir(from).map_err(io(from))? {
        let src = e.map_err(io(from))?.path();
        let Some(name) = src.file_name() else {
            continue;
        };
        let dst = to.join(name);
        if src.is_dir() {
            link_tree(&src, &dst)?;
        } else if std::fs::hard_link(&src, &dst).is_err() {
            std::fs::copy(&src, &dst).map_err(io(&src))?;
        }
    }
    Ok(())
}
