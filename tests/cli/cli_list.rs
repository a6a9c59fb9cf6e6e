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

/// Every parameter of `list --json`: (section, row, parameter) with its JSON.
fn all_params(v: &serde_json::Value) -> Vec<(String, String, serde_json::Value)> {
    let mut out = Vec::new();
    for (section, rows) in v.as_object().unwrap() {
        for row in rows.as_array().unwrap() {
            let (name, params) = match row.get("params") {
                Some(p) => (row["name"].as_str().unwrap().to_owned(), p.clone()),
                None => ("*".to_owned(), serde_json::Value::Array(vec![row.clone()])),
            };
            for p in params.as_array().unwrap() {
                out.push((section.clone(), name.clone(), p.clone()));
            }
        }
    }
    out
}

#[test]
fn json_gives_every_parameter_a_type_and_its_default() {
    let v: serde_json::Value = serde_json::from_str(&list(&["--json"])).unwrap();
    let params = all_params(&v);
    assert!(params.len() > 100, "{}", params.len());
    for (section, row, p) in &params {
        let ty = p["type"].as_str().unwrap_or("");
        assert!(
            !ty.is_empty() && ty != "value",
            "{section} {row} {}: no type ({p})",
            p["name"]
        );
        assert!(
            p.get("default").is_some() && p["required"].is_boolean(),
            "{p}"
        );
    }
    let find = |section: &str, row: &str, name: &str| {
        params
            .iter()
            .find(|(s, r, p)| s == section && r == row && p["name"] == name)
            .map(|(_, _, p)| p.clone())
            .unwrap_or_else(|| panic!("{section} {row} {name}"))
    };
    let rate = find("limiters", "token_bucket", "rate");
    assert_eq!(
        (rate["type"].as_str(), rate["required"].as_bool()),
        (Some("rate"), Some(true))
    );
    let ratio = find("limiters", "aimd", "backoff_ratio");
    assert_eq!(
        (ratio["type"].as_str(), ratio["default"].as_str()),
        (Some("number"), Some("0.9"))
    );
    let base = find("retry_policies", "exponential", "base");
    assert_eq!(
        (base["type"].as_str(), base["default"].as_str()),
        (Some("duration"), Some("100ms"))
    );
    let retry_on = find("retry_policies_common_params", "*", "retry_on");
    assert_eq!(retry_on["type"], "list of integers");
    assert_eq!(find("resilience", "sre_throttle", "k")["default"], "2.0");
    assert_eq!(
        find("arrival_processes", "closed", "think")["type"],
        "distribution"
    );
}

#[test]
fn every_kind_a_scenario_names_is_listed() {
    let v: serde_json::Value = serde_json::from_str(&list(&["--json"])).unwrap();
    let names = |key: &str| -> Vec<String> {
        v[key]
            .as_array()
            .unwrap_or_else(|| panic!("no `{key}` section"))
            .iter()
            .map(|r| r["name"].as_str().unwrap().to_owned())
            .collect()
    };
    use sim::scenario::kinds;
    for (key, want) in [
        ("arrival_processes", kinds::PROCESSES),
        ("distributions", kinds::DISTRIBUTIONS),
        ("faults", kinds::FAULTS),
        ("dialects", kinds::DIALECTS),
    ] {
        assert_eq!(names(key), want, "{key}");
    }
    let gates: Vec<String> = v["resilience"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["kind"] == "gate")
        .map(|r| r["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(gates, kinds::GATES);
    let text = list(&[]);
    for title in [
        "Arrival processes",
        "Distributions",
        "Faults",
        "Header dialects",
    ] {
        assert!(text.contains(title), "{title} missing from the text");
    }
}
