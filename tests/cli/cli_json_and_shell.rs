//! Scripting and shell support (issue #18): `--json` on `run`, `compare` and `validate` is one
//! JSON document on stdout; `completions SHELL` and `man` are generated from the parser;
//! `NO_COLOR` turns every colour off (clap's help and usage errors are the only coloured
//! output; the binary's own messages are plain).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_throttlelab"))
}

fn scenario(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(name)
}

fn temp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("throttlelab-json-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not one JSON document ({e}):\n{}\n{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        )
    })
}

#[test]
fn run_json_is_the_summary_and_where_it_went() {
    let out = temp("run");
    let o = bin()
        .arg("run")
        .arg(scenario("calm.toml"))
        .args(["--no-report", "--json", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v = json(&o);
    assert_eq!(v["scenario"], "calm");
    assert_eq!(v["seed"], 42);
    let dir = PathBuf::from(v["out"].as_str().unwrap());
    let on_disk: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("summary.json")).unwrap()).unwrap();
    assert_eq!(v["summary"], on_disk);
    assert!(v["summary"]["fleets"]["web"]["admitted"].as_u64().unwrap() > 0);
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn validate_json_reports_every_file_with_the_error_s_position() {
    let o = bin()
        .arg("validate")
        .arg("--json")
        .arg(scenario("calm.toml"))
        .arg(scenario("bad/wrong-type.toml"))
        .arg(scenario("bad/unknown-field.toml"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "an invalid file still exits 2");
    let v = json(&o);
    let files = v.as_array().unwrap();
    assert_eq!(files.len(), 3);
    assert_eq!(files[0]["ok"], true);
    assert_eq!(files[0]["name"], "calm");
    assert_eq!(files[1]["ok"], false);
    assert_eq!(
        (files[1]["line"].as_u64(), files[1]["column"].as_u64()),
        (Some(13), Some(9))
    );
    assert!(files[1]["message"]
        .as_str()
        .unwrap()
        .contains("whole number"));
    assert_eq!(files[2]["ok"], false);
}

#[test]
fn compare_json_gives_every_figure_with_its_interval() {
    let out = temp("compare");
    let o = bin()
        .arg("compare")
        .arg(scenario("calm.toml"))
        .arg(scenario("calm.toml"))
        .args(["--seeds", "2", "--no-report", "--json", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v = json(&o);
    assert_eq!(v["seeds"].as_array().unwrap().len(), 2);
    let figures = v["figures"].as_array().unwrap();
    assert!(figures.iter().any(|f| f["figure"] == "goodput_rps"), "{v}");
    for f in figures {
        // the same scenario twice with the same seeds: no difference anywhere
        assert_eq!(f["significant"], false, "{f}");
        assert_eq!(f["diff_mean"], 0.0, "{f}");
    }
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn completions_and_man_pages_come_from_the_parser() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let o = bin().args(["completions", shell]).output().unwrap();
        assert!(o.status.success(), "{shell}");
        let text = String::from_utf8_lossy(&o.stdout);
        assert!(
            text.contains("scenarios") && text.contains("check-live"),
            "{shell} completions miss subcommands"
        );
    }
    let o = bin().args(["completions", "tcsh"]).output().unwrap();
    assert_eq!(o.status.code(), Some(2));

    let o = bin().arg("man").output().unwrap();
    let page = String::from_utf8_lossy(&o.stdout);
    assert!(
        page.contains(".TH throttlelab 1") && page.contains(".SH SUBCOMMANDS"),
        "{page}"
    );
    let dir = temp("man");
    let o = bin().args(["man", "--out-dir"]).arg(&dir).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let run_page = std::fs::read_to_string(dir.join("throttlelab-run.1")).unwrap();
    assert!(run_page.contains("\\-\\-json"), "{run_page}");
    let _ = std::fs::remove_dir_all(&dir);
}

fn has_escape(o: &Output) -> bool {
    o.stdout.contains(&0x1b) || o.stderr.contains(&0x1b)
}

#[test]
fn no_color_turns_every_colour_off() {
    let cases: [&[&str]; 4] = [
        &["--help"],
        &["run", "--help"],
        &["run", "--no-such-flag"],
        &["validate", "--json", "no-such-scenario"],
    ];
    for args in cases {
        // forced colour: clap's help and usage errors are coloured ...
        let forced = bin()
            .args(args)
            .env("CLICOLOR_FORCE", "1")
            .output()
            .unwrap();
        // ... and NO_COLOR wins over it, everywhere
        let off = bin()
            .args(args)
            .env("CLICOLOR_FORCE", "1")
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        assert!(!has_escape(&off), "{args:?} is coloured under NO_COLOR");
        if args[0] != "validate" {
            assert!(
                has_escape(&forced),
                "{args:?}: the forced case shows no colour to turn off"
            );
        }
    }
}

#[test]
fn compare_of_two_bad_files_reports_both() {
    let o = bin()
        .arg("compare")
        .arg(scenario("bad/wrong-type.toml"))
        .arg(scenario("bad/unknown-field.toml"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("wrong-type.toml:13:9") && err.contains("unknown-field.toml:"),
        "both files' errors, in one pass:\n{err}"
    );
}

#[test]
fn sweep_reports_every_malformed_param_in_one_pass() {
    let o = bin()
        .arg("sweep")
        .arg(scenario("calm.toml"))
        .args(["--param", "first", "--param", "second", "--dry-run"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("--param first") && err.contains("--param second"),
        "{err}"
    );
}
