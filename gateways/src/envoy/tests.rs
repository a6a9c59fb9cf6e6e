//! Envoy import and export, against hand-computed levels.

use super::*;
use crate::test_support::param;

const FILTER: &str = r#"
http_filters:
- name: envoy.filters.http.local_ratelimit
  typed_config:
    "@type": type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit
    stat_prefix: http_local_rate_limiter
    status:
      code: 503
    token_bucket:
      max_tokens: 10000
      tokens_per_fill: 1000
      fill_interval: 1s
    filter_enabled:
      runtime_key: local_rate_limit_enabled
      default_value: {numerator: 100, denominator: HUNDRED}
    filter_enforced:
      runtime_key: local_rate_limit_enforced
      default_value: {numerator: 100, denominator: HUNDRED}
"#;

#[test]
fn the_docs_filter_is_a_continuous_global_bucket() {
    let imp = import("e.yaml", FILTER).unwrap();
    assert_eq!(imp.levels.len(), 1);
    assert_eq!(param(&imp, 0, "scope"), "\"global\"");
    assert_eq!(param(&imp, 0, "algorithm"), "\"token_bucket\"");
    assert_eq!(param(&imp, 0, "rate"), "\"1000/1s\"");
    assert_eq!(param(&imp, 0, "burst"), "10000");
    assert_eq!(param(&imp, 0, "status"), "503");
    assert_eq!(imp.levels[0].from.line, 10, "points into token_bucket");
}

#[test]
fn the_timer_guard_selects_the_stepped_bucket() {
    let text = format!(
        "{FILTER}layered_runtime:\n  layers:\n  - name: static\n    static_layer:\n      \
         envoy.reloadable_features.no_timer_based_rate_limit_token_bucket: false\n"
    )
    .replace("fill_interval: 1s", "fill_interval: 0.25s");
    let imp = import("e.yaml", &text).unwrap();
    assert_eq!(param(&imp, 0, "algorithm"), "\"stepped_bucket\"");
    assert_eq!(param(&imp, 0, "max_tokens"), "10000");
    assert_eq!(param(&imp, 0, "tokens_per_fill"), "1000");
    assert_eq!(param(&imp, 0, "fill_interval"), "\"250ms\"");
}

#[test]
fn a_route_config_replaces_the_filters_and_wildcard_descriptors_are_per_key() {
    let text = r#"
http_filters:
- name: envoy.filters.http.local_ratelimit
  typed_config:
    "@type": type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit
    stat_prefix: enable_only
routes:
- match: {prefix: /}
  typed_per_filter_config:
    envoy.filters.http.local_ratelimit:
      "@type": type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit
      stat_prefix: route
      token_bucket: {max_tokens: 20, tokens_per_fill: 5, fill_interval: {seconds: 0, nanos: 500000000}}
      filter_enabled: {default_value: {numerator: 1000000, denominator: MILLION}}
      filter_enforced: {default_value: {numerator: 100}}
      descriptors:
      - entries: [{key: client_id, value: ""}]
        token_bucket: {max_tokens: 2, tokens_per_fill: 1, fill_interval: 1s}
"#;
    let imp = import("e.yaml", text).unwrap();
    assert_eq!(imp.levels.len(), 2);
    assert_eq!(param(&imp, 0, "rate"), "\"5/500ms\"");
    assert_eq!(param(&imp, 0, "scope"), "\"global\"");
    assert_eq!(param(&imp, 1, "scope"), "\"key\"");
    assert_eq!(param(&imp, 1, "rate"), "\"1/1s\"");
    assert_eq!(param(&imp, 1, "burst"), "2");
    assert_eq!(param(&imp, 1, "status"), "429");
}

fn err(text: &str) -> String {
    import("e.yaml", text).unwrap_err().to_string()
}

#[test]
fn bad_input_points_at_the_value() {
    let e = err(&FILTER.replace("fill_interval: 1s", "fill_interval: 10ms"));
    assert!(
        e.starts_with("e.yaml:12:") && e.contains("protobuf duration"),
        "{e}"
    );
    let e = err(&FILTER.replace("fill_interval: 1s", "fill_interval: 0.01s"));
    assert!(e.starts_with("e.yaml:10:7") && e.contains("50ms"), "{e}");
    let e = err(&FILTER.replace("max_tokens: 10000", "max_tokens: 0"));
    assert!(
        e.starts_with("e.yaml:10:") && e.contains("from 1 to"),
        "{e}"
    );
    let e = err(&FILTER.replace("tokens_per_fill", "tokens_per_fil"));
    assert!(
        e.starts_with("e.yaml:11:") && e.contains("unknown field"),
        "{e}"
    );
    let e = err(&FILTER.replace(
        "numerator: 100, denominator: HUNDRED}\n    filter_enforced",
        "numerator: 50, denominator: HUNDRED}\n    filter_enforced",
    ));
    assert!(
        e.starts_with("e.yaml:5:5") && e.contains("random share"),
        "{e}"
    );
    let e = err("a: [1\n");
    assert!(e.starts_with("e.yaml:"), "{e}");
}

#[test]
fn what_has_no_model_is_refused_with_the_reason() {
    let no_enable = FILTER.split("    filter_enabled").next().unwrap();
    assert!(err(no_enable).contains("0% (Envoy's default when unset"));
    let fixed = FILTER.to_string()
        + "    descriptors:\n    - entries: [{key: path, value: /slow}]\n      \
           token_bucket: {max_tokens: 1, fill_interval: 1s}\n";
    let e = err(&fixed);
    assert!(
        e.starts_with("e.yaml:20:7") && e.contains("path=/slow"),
        "{e}"
    );
    let per_conn = FILTER.to_string() + "    local_rate_limit_per_downstream_connection: true\n";
    assert!(err(&per_conn).contains("connections"));
    let network = "filters:\n- typed_config:\n    \"@type\": type.googleapis.com/envoy.extensions.filters.network.local_ratelimit.v3.LocalRateLimit\n";
    assert!(err(network).contains("network filter"));
}

#[test]
fn export_round_trips_both_buckets() {
    let imp = import("e.yaml", FILTER).unwrap();
    let out = export(&as_levels(&imp)).unwrap();
    let back = import("x.yaml", &out).unwrap();
    assert_eq!(back.levels[0].table, imp.levels[0].table, "{out}");

    let timer = format!(
        "{FILTER}runtime:\n  envoy.reloadable_features.no_timer_based_rate_limit_token_bucket: false\n"
    );
    let imp = import("e.yaml", &timer).unwrap();
    let out = export(&as_levels(&imp)).unwrap();
    let back = import("x.yaml", &out).unwrap();
    assert_eq!(back.levels[0].table, imp.levels[0].table, "{out}");
}

#[test]
fn export_scales_short_periods_and_refuses_the_unsayable() {
    let imp = import(
        "e.yaml",
        &FILTER.replace(
            "tokens_per_fill: 1000\n      fill_interval: 1s",
            "tokens_per_fill: 2\n      fill_interval: 0.05s",
        ),
    )
    .unwrap();
    let mut levels = as_levels(&imp);
    levels[0].params.insert("rate", "2/10ms");
    let out = export(&levels).unwrap();
    assert!(
        out.contains("tokens_per_fill: 10\n") && out.contains("fill_interval: 0.05s"),
        "{out}"
    );
    levels[0].algorithm = "sliding_log".into();
    let e = export(&levels).unwrap_err().to_string();
    assert!(e.contains("cannot say a sliding_log"), "{e}");
}
