//! envoyproxy/ratelimit import and export, against hand-computed levels.

use super::*;
use crate::test_support::{levels, param};

// the README's example shape: a global limit through generic_key, one per API key, and a
// nested per-path rule
const CONFIG: &str = "\
domain: edge
descriptors:
  - key: generic_key
    value: api
    rate_limit:
      unit: minute
      requests_per_unit: 1000
  - key: api_key
    rate_limit:
      unit: Second
      requests_per_unit: 10
    descriptors:
      - key: generic_key
        value: hourly
        rate_limit:
          name: hourly
          unit: hour
          requests_per_unit: 20000
  - key: tenant_id
    rate_limit:
      unit: month
      requests_per_unit: 100000
";

#[test]
fn rules_become_clock_aligned_fixed_windows_with_the_right_scope() {
    let imp = import("r.yaml", CONFIG).unwrap();
    assert_eq!(imp.levels.len(), 4);
    let row = |i| {
        (
            param(&imp, i, "scope"),
            param(&imp, i, "limit"),
            param(&imp, i, "period"),
        )
    };
    assert_eq!(
        row(0),
        ("\"global\"".into(), "1000".into(), "\"60s\"".into())
    );
    assert_eq!(row(1), ("\"key\"".into(), "10".into(), "\"1s\"".into()));
    assert_eq!(
        row(2),
        ("\"key\"".into(), "20000".into(), "\"3600s\"".into())
    );
    // a ratelimit month is 30 days of Unix time, not a calendar month
    assert_eq!(
        row(3),
        ("\"tenant\"".into(), "100000".into(), "\"2592000s\"".into())
    );
    assert_eq!(param(&imp, 0, "algorithm"), "\"fixed_window\"");
    assert_eq!((imp.levels[1].from.line, imp.levels[1].from.col), (10, 7));
    assert_eq!(levels(&imp).len(), 4, "the levels load in a scenario");
}

#[test]
fn unlimited_and_replaced_rules_make_no_level() {
    let text = CONFIG.replace(
        "  - key: tenant_id\n",
        "  - key: user\n    rate_limit:\n      unlimited: true\n  - key: tenant_id\n",
    )
        + "  - key: generic_key\n    value: override\n    rate_limit:\n      unit: hour\n      \
         requests_per_unit: 5\n      replaces:\n        - name: hourly\n";
    let imp = import("r.yaml", &text).unwrap();
    let limits: Vec<String> = (0..imp.levels.len())
        .map(|i| param(&imp, i, "limit"))
        .collect();
    assert_eq!(limits, ["1000", "10", "100000", "5"]);
    assert!(imp.notes.iter().any(|n| n.contains("unlimited")));
    assert!(imp.notes.iter().any(|n| n.contains("`hourly` is replaced")));
}

fn err(text: &str) -> String {
    import("r.yaml", text).unwrap_err().to_string()
}

#[test]
fn bad_input_is_located_as_ratelimits_loader_would_refuse_it() {
    let e = err(&CONFIG.replace("unit: minute", "unit: minutes"));
    assert!(
        e.starts_with("r.yaml:6:13") && e.contains("invalid rate limit unit 'minutes'"),
        "{e}"
    );
    let e = err(&CONFIG.replace("requests_per_unit: 10\n", "requests_per_uni: 10\n"));
    assert!(
        e.starts_with("r.yaml:") && e.contains("requests_per_uni"),
        "{e}"
    );
    let e = err(&CONFIG.replace("requests_per_unit: 1000\n", "requests_per_unit: 0\n"));
    assert!(
        e.starts_with("r.yaml:7:26") && e.contains("from 1 to"),
        "{e}"
    );
    let e = err(&CONFIG.replace("key: tenant_id", "key: api_key"));
    assert!(
        e.starts_with("r.yaml:19:10") && e.contains("duplicate descriptor composite key"),
        "{e}"
    );
    let e = err("domain: x\ndescriptors:\n  - key: a\n    rate_limit:\n      unlimited: true\n      unit: second\n");
    assert!(
        e.contains("should not specify rate limit unit when unlimited"),
        "{e}"
    );
    let e = err("domain: [x\n");
    assert!(e.starts_with("r.yaml:"), "{e}");
}

#[test]
fn what_has_no_model_is_refused_with_the_reason() {
    let e = err(&CONFIG.replace(
        "key: generic_key\n    value: api",
        "key: remote_address\n    value: 10.0.0.1",
    ));
    assert!(
        e.starts_with("r.yaml:4:12") && e.contains("cannot tell apart"),
        "{e}"
    );
    let e = err(&CONFIG.replace(
        "    descriptors:\n      - key: generic_key\n        value: hourly",
        "    descriptors:\n      - key: path",
    ));
    assert!(e.contains("combination of several"), "{e}");
    let shadow = CONFIG.replace(
        "  - key: tenant_id\n",
        "  - key: tenant_id\n    shadow_mode: true\n",
    );
    assert!(err(&shadow).contains("shadow_mode"));
}

#[test]
fn export_round_trips_and_refuses_what_ratelimit_cannot_say() {
    let imp = import("r.yaml", CONFIG).unwrap();
    let mut lv = levels(&imp);
    let out = export(&lv).unwrap();
    let back = import("x.yaml", &out).unwrap();
    let tables = |i: &Imported| i.levels.iter().map(|l| l.table.clone()).collect::<Vec<_>>();
    assert_eq!(tables(&back), tables(&imp), "{out}");
    lv[0].params.insert("period", "90s");
    assert!(export(&lv)
        .unwrap_err()
        .to_string()
        .contains("no ratelimit unit"));
    lv[0].params.insert("period", "60s");
    lv[0].params.insert("align", "15s");
    assert!(export(&lv)
        .unwrap_err()
        .to_string()
        .contains("shifted by `align`"));
    lv[0].algorithm = "sliding_log".into();
    assert!(export(&lv)
        .unwrap_err()
        .to_string()
        .contains("a sliding_log is not one"));
}
