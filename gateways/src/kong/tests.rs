//! Kong import, against hand-computed levels.

use super::*;
use crate::test_support::{levels, param};

const DECK: &str = "\
_format_version: \"3.0\"
plugins:
- name: rate-limiting
  config:
    minute: 1000
services:
- name: orders
  url: http://orders.internal:8080
  routes:
  - name: orders-api
    paths: [/orders]
    plugins:
    - name: rate-limiting
      config:
        second: 5
        minute: 100.5
        month: 50000
        limit_by: credential
        policy: redis
        error_code: 429
";

#[test]
fn the_most_specific_plugin_gives_one_level_per_period() {
    let imp = import("k.yaml", DECK).unwrap();
    assert_eq!(imp.levels.len(), 3);
    let row = |i| {
        (
            param(&imp, i, "algorithm"),
            param(&imp, i, "limit"),
            param(&imp, i, "period"),
        )
    };
    assert_eq!(
        row(0),
        ("\"fixed_window\"".into(), "5".into(), "\"1s\"".into())
    );
    // 100.5 per minute: Kong refuses when limit - usage <= 0, so 101 pass
    assert_eq!(
        row(1),
        ("\"fixed_window\"".into(), "101".into(), "\"60s\"".into())
    );
    assert_eq!(
        row(2),
        ("\"quota\"".into(), "50000".into(), "\"month\"".into())
    );
    assert_eq!(param(&imp, 0, "scope"), "\"key\"");
    assert_eq!((imp.levels[0].from.line, imp.levels[0].from.col), (15, 17));
    assert!(imp.notes.iter().any(|n| n.contains("less specific")));
    assert_eq!(levels(&imp).len(), 3, "the levels load in a scenario");
}

#[test]
fn a_lone_plugin_object_and_a_kongplugin_resource_read_alike() {
    let admin = r#"{"name": "rate-limiting", "config": {"hour": 500, "limit_by": "service", "error_code": 503}}"#;
    let imp = import("k.json", admin).unwrap();
    assert_eq!(param(&imp, 0, "scope"), "\"global\"");
    assert_eq!(param(&imp, 0, "period"), "\"3600s\"");
    assert_eq!(param(&imp, 0, "status"), "503");
    let crd = "apiVersion: configuration.konghq.com/v1\nkind: KongPlugin\nmetadata:\n  name: rl\n\
               plugin: rate-limiting\nconfig:\n  day: 10000\n  year: 1000000\n";
    let imp = import("k.yaml", crd).unwrap();
    assert_eq!(param(&imp, 1, "period"), "\"year\"");
    assert_eq!(
        param(&imp, 0, "scope"),
        "\"key\"",
        "limit_by defaults to consumer"
    );
}

fn err(text: &str) -> String {
    import("k.yaml", text).unwrap_err().to_string()
}

#[test]
fn bad_input_is_located_as_kongs_schema_would_refuse_it() {
    let e = err(&DECK.replace("month: 50000", "month: 50"));
    assert!(
        e.starts_with("k.yaml:17:16") && e.contains("cannot be lower than the limit for minute"),
        "{e}"
    );
    let e = err(&DECK.replace("second: 5", "seconds: 5"));
    assert!(
        e.starts_with("k.yaml:15:9") && e.contains("unknown field `seconds`"),
        "{e}"
    );
    let e = err(&DECK.replace("second: 5", "second: 0"));
    assert!(
        e.starts_with("k.yaml:15:17") && e.contains("greater than 0"),
        "{e}"
    );
    let e = err(&DECK.replace("limit_by: credential", "limit_by: header"));
    assert!(e.contains("needs `header_name`"), "{e}");
    let e = err(&DECK.replace("policy: redis", "policy: memcached"));
    assert!(
        e.starts_with("k.yaml:19:17") && e.contains("local, cluster, redis"),
        "{e}"
    );
    let e = err("plugins:\n- name: rate-limiting\n  config:\n    limit_by: ip\n");
    assert!(
        e.starts_with("k.yaml:4:5") && e.contains("at least one of"),
        "{e}"
    );
}

#[test]
fn what_has_no_model_is_refused_with_the_reason() {
    let e = err("consumers:\n- username: alice\n  plugins:\n  - name: rate-limiting\n    config: {minute: 5}\n");
    assert!(
        e.starts_with("k.yaml:4:5") && e.contains("one consumer"),
        "{e}"
    );
    let e = err(&DECK.replace("error_code: 429", "sync_rate: 10"));
    assert!(e.contains("batched counters"), "{e}");
    let e = err(
        "plugins:\n- name: rate-limiting-advanced\n  config: {limit: [5], window_size: [30]}\n",
    );
    assert!(e.contains("another plugin"), "{e}");
    assert!(export(&[]).is_err());
}
