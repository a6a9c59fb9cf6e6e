//! The shipped scenarios travel inside the binary (issue #18): an installed `throttlelab`,
//! run from a folder without `scenarios/`, lists, shows, copies, validates, runs and sweeps
//! every shipped scenario by name, and a file on disk still wins over the embedded one.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A fresh empty folder: the "any directory" an installed binary runs from.
fn elsewhere(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("throttlelab-emb-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn bin_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_throttlelab"))
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The shipped scenario files under `scenarios/` of the repository, as names (`seeds/000-armox`).
fn shipped_names(bad: bool) -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut names = Vec::new();
    let mut stack = vec![root.clone()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "toml") {
                let rel = p.strip_prefix(&root).unwrap().with_extension("");
                let rel = rel.to_string_lossy().replace('\\', "/");
                if bad == rel.starts_with("bad/") {
                    names.push(rel);
                }
            }
        }
    }
    names.sort();
    names
}

#[test]
fn list_names_every_shipped_scenario_and_show_prints_its_text() {
    let dir = elsewhere("list");
    let o = bin_in(&dir, &["scenarios", "list"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let listed = stdout(&o);
    for name in shipped_names(false) {
        assert!(
            listed
                .lines()
                .any(|l| l.split_whitespace().next() == Some(&name)),
            "`scenarios list` misses {name}:\n{listed}"
        );
    }
    assert!(!listed.contains("bad/wrong-type"), "bad/ only with --bad");
    let with_bad = stdout(&bin_in(&dir, &["scenarios", "list", "--bad"]));
    assert!(with_bad.contains("bad/wrong-type"), "{with_bad}");

    let o = bin_in(&dir, &["scenarios", "show", "seeds/000-armox"]);
    let on_disk = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/seeds/000-armox.toml"),
    )
    .unwrap();
    assert_eq!(stdout(&o), on_disk);

    let o = bin_in(&dir, &["scenarios", "show", "no-such"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("scenarios list"), "{}", stderr(&o));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn every_shipped_scenario_validates_by_name_from_anywhere_and_bad_ones_fail() {
    let dir = elsewhere("validate");
    let good = shipped_names(false);
    let mut args = vec!["validate"];
    args.extend(good.iter().map(String::as_str));
    let o = bin_in(&dir, &args);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        stdout(&o).lines().filter(|l| l.starts_with("ok ")).count(),
        good.len()
    );

    // the bad examples are embedded too, and fail with their file:line:col
    let o = bin_in(&dir, &["validate", "bad/wrong-type"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("scenarios/bad/wrong-type.toml:13:9"),
        "{}",
        stderr(&o)
    );
    let o = bin_in(&dir, &["validate", "no-such-scenario"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no shipped scenario"), "{}", stderr(&o));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn run_and_sweep_take_an_embedded_name_and_give_the_repository_file_s_bytes() {
    let dir = elsewhere("run");
    let o = bin_in(&dir, &["run", "calm", "--no-report", "--out", "out"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let embedded = std::fs::read(dir.join("out/calm/42/summary.json")).unwrap();

    // the same run from the repository's file: byte-identical outputs
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/calm.toml");
    let out2 = dir.join("out2");
    let o = Command::new(env!("CARGO_BIN_EXE_throttlelab"))
        .args(["run", "--no-report", "--out"])
        .arg(&out2)
        .arg(&repo)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        embedded,
        std::fs::read(out2.join("calm/42/summary.json")).unwrap()
    );
    assert_eq!(
        std::fs::read(dir.join("out/calm/42/manifest.json")).unwrap(),
        std::fs::read(out2.join("calm/42/manifest.json")).unwrap()
    );

    let o = bin_in(
        &dir,
        &["sweep", "experiments/fairness", "--dry-run", "--out", "out"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("point"), "{}", stdout(&o));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn copy_writes_an_editable_file_that_then_wins_over_the_embedded_one() {
    let dir = elsewhere("copy");
    let o = bin_in(&dir, &["scenarios", "copy", "calm"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let copy = dir.join("calm.toml");
    let text = std::fs::read_to_string(&copy).unwrap();
    // a second copy does not overwrite the user's edits
    let o = bin_in(&dir, &["scenarios", "copy", "calm"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--force"), "{}", stderr(&o));

    // edited: the file on disk is what runs
    std::fs::write(
        &copy,
        text.replace("name = \"calm\"", "name = \"calm-edited\""),
    )
    .unwrap();
    let o = bin_in(&dir, &["validate", "calm.toml"]);
    assert!(stdout(&o).contains("calm-edited"), "{}", stdout(&o));

    let o = bin_in(&dir, &["scenarios", "copy", "--all", "all"]);
    assert!(o.status.success(), "{}", stderr(&o));
    for name in shipped_names(false).iter().chain(&shipped_names(true)) {
        assert!(
            dir.join("all").join(format!("{name}.toml")).is_file(),
            "{name}"
        );
    }
    assert!(dir.join("all/README.md").is_file());
    let _ = std::fs::remove_dir_all(&dir);
}
