//! The shipped scenarios, embedded in the binary, so that `cargo install --path .` gives a
//! `throttlelab` that runs `demo` and every file of `scenarios/` from any directory.
//!
//! A name given to `run`, `sweep`, `compare`, `validate`, `check-live` or `demo` is first a
//! path; only when no such file exists is it looked up here, so a file on disk always wins
//! (an edited copy from `throttlelab scenarios copy` is what runs). A name matches an embedded
//! file by its path under `scenarios/`, with or without the `scenarios/` prefix and the
//! `.toml` suffix (`retry-storm`, `experiments/fairness`, `scenarios/seeds/000-armox.toml`),
//! or by its file stem alone when exactly one embedded file has it (`fairness`, `000-armox`).

use include_dir::{include_dir, Dir};
use std::path::Path;

static SCENARIOS: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/scenarios");

/// One embedded file: its path under `scenarios/` (`/`-separated) and its text.
#[derive(Debug, Clone, Copy)]
pub struct Shipped {
    /// Path under `scenarios/`, such as `experiments/fairness.toml`.
    pub path: &'static str,
    /// The file's text.
    pub text: &'static str,
}

impl Shipped {
    /// The name `run` accepts: the path without `.toml` (`experiments/fairness`).
    pub fn name(&self) -> &'static str {
        self.path.strip_suffix(".toml").unwrap_or(self.path)
    }

    /// The name shown in messages, as if run from the repository: `scenarios/<path>`.
    pub fn display(&self) -> String {
        format!("scenarios/{}", self.path)
    }

    /// The files of `scenarios/bad/` are wrong on purpose (one mistake each).
    pub fn is_bad_example(&self) -> bool {
        self.path.starts_with("bad/")
    }
}

/// Every embedded file (scenarios and their README), sorted by path.
pub fn all() -> Vec<Shipped> {
    let mut out = Vec::new();
    collect(&SCENARIOS, &mut out);
    out.sort_by(|a, b| a.path.cmp(b.path));
    out
}

fn collect(dir: &'static Dir<'static>, out: &mut Vec<Shipped>) {
    for f in dir.files() {
        if let (Some(path), Some(text)) = (f.path().to_str(), f.contents_utf8()) {
            out.push(Shipped { path, text });
        }
    }
    for d in dir.dirs() {
        collect(d, out);
    }
}

/// The embedded scenario files (`.toml`), sorted by path.
pub fn scenarios() -> Vec<Shipped> {
    all()
        .into_iter()
        .filter(|s| s.path.ends_with(".toml"))
        .collect()
}

/// The embedded file `name` names, if any (see the module docs for the rules).
pub fn find(name: &str) -> Option<Shipped> {
    let n = name.replace('\\', "/");
    let n = n.strip_prefix("./").unwrap_or(&n);
    let n = n.strip_prefix("scenarios/").unwrap_or(n);
    let files = all();
    let exact = |want: &str| files.iter().copied().find(|s| s.path == want);
    if let Some(s) = exact(n).or_else(|| exact(&format!("{n}.toml"))) {
        return Some(s);
    }
    if n.contains('/') {
        return None;
    }
    let stem = n.strip_suffix(".toml").unwrap_or(n);
    let mut by_stem = files.iter().copied().filter(|s| {
        s.path.ends_with(".toml")
            && Path::new(s.path).file_stem().and_then(|x| x.to_str()) == Some(stem)
    });
    match (by_stem.next(), by_stem.next()) {
        (Some(one), None) => Some(one),
        _ => None,
    }
}

/// The embedded files under `dir` (a path under `scenarios/`, such as `seeds`), for a folder
/// that is not on disk; empty when `dir` is not an embedded folder.
pub fn in_folder(dir: &str) -> Vec<Shipped> {
    let d = dir.replace('\\', "/");
    let d = d.trim_end_matches('/');
    let d = d.strip_prefix("./").unwrap_or(d);
    let d = d.strip_prefix("scenarios").unwrap_or(d);
    let d = d.trim_start_matches('/');
    all()
        .into_iter()
        .filter(|s| match s.path.rsplit_once('/') {
            Some((parent, _)) => parent == d,
            None => d.is_empty(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shipped_scenario_is_embedded_with_its_text() {
        let on_disk = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/scenarios/retry-storm.toml"
        ))
        .unwrap();
        assert_eq!(find("retry-storm").unwrap().text, on_disk);
        assert!(scenarios().len() >= 15, "{}", scenarios().len());
    }

    #[test]
    fn names_resolve_by_path_prefix_suffix_and_unique_stem() {
        for name in [
            "retry-storm",
            "retry-storm.toml",
            "scenarios/retry-storm.toml",
            "./scenarios/retry-storm.toml",
        ] {
            assert_eq!(find(name).unwrap().path, "retry-storm.toml", "{name}");
        }
        assert_eq!(find("fairness").unwrap().path, "experiments/fairness.toml");
        assert_eq!(
            find("seeds/000-armox").unwrap().path,
            "seeds/000-armox.toml"
        );
        assert!(find("no-such-scenario").is_none());
        assert!(find("elsewhere/retry-storm.toml").is_none());
    }

    #[test]
    fn a_folder_lists_only_its_own_files() {
        let seeds = in_folder("scenarios/seeds");
        assert_eq!(seeds.len(), 5);
        assert!(seeds.iter().all(|s| s.path.starts_with("seeds/")));
        assert!(in_folder("scenarios").iter().any(|s| s.path == "calm.toml"));
        assert!(in_folder("nowhere").is_empty());
    }
}
