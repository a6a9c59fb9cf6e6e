//! The bad-input corpus (`scenarios/bad/*.toml`): each file names, in its second line, the line
//! its error must point at and a phrase the message must contain:
//! `# expect: line 14: at least one request`. The shipped scenarios must all load.

use sim::scenario::{load_file, ScenarioError};
use std::path::{Path, PathBuf};

fn files(dir: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(dir);
    let mut v: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    v.sort();
    v
}

fn expectation(path: &Path) -> (usize, String) {
    let text = std::fs::read_to_string(path).unwrap();
    let line = text
        .lines()
        .find_map(|l| l.strip_prefix("# expect: line "))
        .unwrap_or_else(|| panic!("{}: no `# expect:` header", path.display()));
    let (n, phrase) = line.split_once(": ").unwrap();
    (n.parse().unwrap(), phrase.to_string())
}

#[test]
fn every_bad_file_fails_at_the_right_line_with_the_right_message() {
    let bad = files("scenarios/bad");
    assert!(bad.len() >= 20, "corpus too small: {}", bad.len());
    let mut failures = Vec::new();
    for path in &bad {
        let (line, phrase) = expectation(path);
        match load_file(path) {
            Ok(_) => failures.push(format!("{}: loaded, expected an error", path.display())),
            Err(e @ (ScenarioError::At(_) | ScenarioError::Several(_))) => {
                // Several problems: the first in file order is the expected line.
                let at = e.location().unwrap();
                let shown = e.to_string();
                if at.line != line || !shown.contains(&phrase) {
                    failures.push(format!(
                        "{}: expected line {line} and `{phrase}`, got:\n{shown}",
                        path.display()
                    ));
                }
                let prefix = format!("{}:{}:{}: ", path.display(), at.line, at.col);
                assert!(shown.contains(&prefix), "{shown}");
                if let ScenarioError::At(_) = e {
                    assert!(shown.starts_with(&prefix), "{shown}");
                }
            }
            Err(e) => failures.push(format!("{}: unexpected error {e}", path.display())),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn every_shipped_scenario_loads() {
    let good = files("scenarios");
    assert!(good.len() >= 3);
    for path in good {
        let s = load_file(&path).unwrap_or_else(|e| panic!("{e}"));
        let stem = path.file_stem().unwrap().to_str().unwrap();
        assert_eq!(s.name, stem, "scenario name should match its file name");
        assert!(!s.fleets.is_empty());
    }
}

#[test]
fn a_missing_file_is_an_io_error_naming_it() {
    let e = load_file(Path::new("no/such/file.toml")).unwrap_err();
    assert!(matches!(e, ScenarioError::Io { .. }));
    assert!(e.to_string().starts_with("no/such/file.toml: cannot read"));
}
