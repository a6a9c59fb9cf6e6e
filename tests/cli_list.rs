//! `throttlelab list`, run as a user would: every registered limiter and every retry policy
//! appears, in text and in `--json`.

use std::process::Command;

fn list(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_throttlelab"))
        .arg("list")
        .args(args)
        .output()
        .expect("the binary runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

#[test]
fn text_names_every_registered_limiter_and_its_params() {
    let text = list(&[]);
    for entry in limiters::Registry::builtin().entries() {
        let row = format!("  {} ", entry.name);
        assert!(
            text.lines().any(|l| l.starts_with(&row)),
            "`{}` missing from `list`:\n{text}",
            entry.name
        );
        for p in entry.params {
            assert!(
                text.contains(p.help),
                "help of {}.{} missing",
                entry.name,
                p.name
            );
        }
    }
    for policy in sim::retry::catalog() {
        let row = format!("  {} ", policy.name);
        assert!(
            text.lines().any(|l| l.starts_with(&row)),
            "retry policy `{}` missing",
            policy.name
        );
    }
}

#[test]
fn json_is_machine_readable_and_complete() {
    let v: serde_json::Value = serde_json::from_str(&list(&["--json"])).expect("valid JSON");
    let names: Vec<&str> = v["limiters"]
        .as_array()
        .expect("a limiters array")
        .iter()
        .map(|l| l["name"].as_str().expect("a name"))
        .collect();
    let registered: Vec<&str> = limiters::Registry::builtin().names().collect();
    assert_eq!(names, registered);
    let gcra = &v["limiters"][names.iter().position(|n| *n == "gcra").unwrap()];
    let params: Vec<&str> = gcra["params"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(params, ["rate", "burst"]);
    let policies = v["retry_policies"]
        .as_array()
        .expect("a retry_policies array");
    assert_eq!(policies.len(), sim::retry::catalog().len());
}
