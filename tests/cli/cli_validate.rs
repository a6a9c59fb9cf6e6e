//! `throttlelab validate` through the real binary: every shipped scenario passes, every file
//! of the bad-input corpus exits with code 2 and names its file, line and problem.

use std::path::{Path, PathBuf};
use std::process::Command;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_throttlelab"))
}

fn tomls(dir: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    v.sort();
    v
}

#[test]
fn shipped_scenarios_validate() {
    let files = tomls("scenarios");
    assert!(files.len() >= 3);
    let out = bin().arg("validate").args(&files).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for f in &files {
        assert!(stdout.contains(&format!("ok  {}", f.display())), "{stdout}");
    }
}

#[test]
fn every_bad_file_exits_2_with_file_line_and_message() {
    let files = tomls("scenarios/bad");
    assert!(files.len() >= 20);
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        let expect = text
            .lines()
            .find_map(|l| l.strip_prefix("# expect: line "))
            .unwrap();
        let (line, phrase) = expect.split_once(": ").unwrap();
        let out = bin().arg("validate").arg(&f).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{}: {stderr}", f.display());
        assert!(
            stderr.contains(&format!("{}:{line}:", f.display())) && stderr.contains(phrase),
            "{}: expected line {line} and `{phrase}` in:\n{stderr}",
            f.display()
        );
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}

#[test]
fn one_bad_file_among_good_ones_still_fails_and_is_counted() {
    let good = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/calm.toml");
    let bad = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/bad/zero-rate.toml");
    let out = bin().arg("validate").arg(&good).arg(&bad).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("1 of 2 scenario files"));
}

#[test]
fn missing_file_and_missing_argument_are_bad_input() {
    let out = bin().args(["validate", "no/such.toml"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no/such.toml: cannot read"));
    let out = bin().arg("validate").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

/// A file with several independent problems reports every one of them, each with its line and
/// column, in file order (one pass, not one problem per run); `--json` lists them too.
#[test]
fn every_problem_of_a_file_is_reported_in_one_pass() {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/bad/several-problems.toml");
    let out = bin().arg("validate").arg(&file).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("5 problems"), "{err}");
    let mut last = 0;
    for (line, what) in [
        (9, "a rate must allow at least one request"),
        (16, "`burst`: must be at least 1"),
        (21, "after the run ends"),
        (24, "`count` must be at least 1"),
        (30, "`timeout` must be longer than zero"),
    ] {
        let at = err
            .find(&format!("several-problems.toml:{line}:"))
            .unwrap_or_else(|| panic!("no problem at line {line}: {err}"));
        assert!(at > last, "problems out of file order: {err}");
        assert!(err[at..].contains(what), "line {line}: {what}: {err}");
        last = at;
    }
    let out = bin()
        .args(["validate", "--json"])
        .arg(&file)
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let problems = doc[0]["problems"].as_array().unwrap();
    let lines: Vec<u64> = problems
        .iter()
        .map(|p| p["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, [9, 16, 21, 24, 30]);
    assert_eq!(doc[0]["line"], 9);
}
