//! `throttlelab schema` (issue #18): the JSON Schema editors use for scenario files. Every
//! shipped scenario is valid against it (the schema is never stricter than the loader), the
//! files of `scenarios/bad/` whose mistake is a type, a name or a key are not (so an editor
//! flags them as they are typed), and `scenarios/scenario.schema.json`, the copy `.taplo.toml`
//! points editors at, is the command's output byte for byte.

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn schema_text() -> String {
    let o = Command::new(env!("CARGO_BIN_EXE_throttlelab"))
        .arg("schema")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout).unwrap()
}

fn validator() -> jsonschema::Validator {
    let schema: serde_json::Value = serde_json::from_str(&schema_text()).unwrap();
    jsonschema::draft7::new(&schema).expect("the schema is valid draft-07")
}

/// A TOML file as the JSON value an editor validates.
fn as_json(path: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(path).unwrap();
    let value: toml::Value =
        toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::to_value(value).unwrap()
}

fn tomls(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() && !p.ends_with("bad") {
            out.extend(tomls(&p));
        } else if p.extension().is_some_and(|x| x == "toml") {
            out.push(p);
        }
    }
    out.sort();
    out
}

#[test]
fn the_shipped_schema_file_is_the_command_s_output() {
    let shipped = std::fs::read_to_string(root().join("scenarios/scenario.schema.json")).unwrap();
    assert!(
        shipped == schema_text(),
        "scenarios/scenario.schema.json is stale: run \
         `cargo run -- schema --out scenarios/scenario.schema.json`"
    );
}

#[test]
fn every_shipped_scenario_is_valid_against_the_schema() {
    let v = validator();
    let files = tomls(&root().join("scenarios"));
    assert!(files.len() >= 15, "{files:?}");
    for f in files {
        let json = as_json(&f);
        let errors: Vec<String> = v
            .iter_errors(&json)
            .map(|e| format!("{} at {}", e, e.instance_path))
            .collect();
        assert!(errors.is_empty(), "{}: {errors:#?}", f.display());
    }
}

#[test]
fn a_wrong_type_an_unknown_name_or_key_fails_the_schema() {
    let v = validator();
    for bad in [
        "wrong-type",
        "unknown-field",
        "missing-field",
        "missing-scope",
        "unknown-scope",
        "unknown-algorithm",
        "unknown-policy",
        "unknown-process",
        "unknown-dialect",
        "fault-unknown-kind",
        "limiter-unknown-param",
        "bare-number-duration",
        "negative-duration",
    ] {
        let f = root().join(format!("scenarios/bad/{bad}.toml"));
        assert!(!v.is_valid(&as_json(&f)), "{bad}.toml passes the schema");
    }
    // and an editor sees the mistake where it is: `retry = 5` is not a table
    let mut storm = as_json(&root().join("scenarios/retry-storm.toml"));
    storm["fleet"]["jitter"]["retry"] = serde_json::json!(5);
    let errors: Vec<String> = v
        .iter_errors(&storm)
        .map(|e| e.instance_path.to_string())
        .collect();
    assert!(
        errors.iter().any(|p| p == "/fleet/jitter/retry"),
        "{errors:?}"
    );
}
