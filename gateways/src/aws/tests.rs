//! AWS usage plan import, against hand-computed levels.

use super::*;
use crate::test_support::{levels, param};

const PLAN: &str = r#"{
  "id": "a1b2c3",
  "name": "Basic",
  "apiStages": [{"apiId": "xyz123", "stage": "prod"}],
  "throttle": {"burstLimit": 20, "rateLimit": 12.5},
  "quota": {"limit": 5000, "offset": 200, "period": "WEEK"}
}"#;

#[test]
fn throttle_is_a_token_bucket_and_quota_a_calendar_quota_per_key() {
    let imp = import("p.json", PLAN).unwrap();
    assert_eq!(imp.levels.len(), 2);
    // 12.5/s exactly: 25 per 2 s
    assert_eq!(param(&imp, 0, "rate"), "\"25/2s\"");
    assert_eq!(param(&imp, 0, "burst"), "20");
    assert_eq!(param(&imp, 0, "scope"), "\"key\"");
    assert_eq!(param(&imp, 1, "algorithm"), "\"quota\"");
    assert_eq!(param(&imp, 1, "period"), "\"week\"");
    assert_eq!(param(&imp, 1, "used_at_start"), "200");
    assert_eq!((imp.levels[0].from.line, imp.levels[0].from.col), (5, 15));
    assert_eq!(levels(&imp).len(), 2, "the levels load in a scenario");
}

#[test]
fn cloudformation_properties_read_alike() {
    let cfn = "Resources:\n  Plan:\n    Type: AWS::ApiGateway::UsagePlan\n    Properties:\n      \
               UsagePlanName: basic\n      Throttle:\n        BurstLimit: 5\n        RateLimit: 0.5\n      \
               Quota:\n        Limit: 1000\n        Period: DAY\n";
    let imp = import("t.yaml", cfn).unwrap();
    assert_eq!(param(&imp, 0, "rate"), "\"1/2s\"");
    assert_eq!(param(&imp, 1, "period"), "\"day\"");
    assert_eq!(param(&imp, 1, "used_at_start"), "");
}

fn err(text: &str) -> String {
    import("p.json", text).unwrap_err().to_string()
}

#[test]
fn bad_input_points_at_the_value() {
    let e = err(&PLAN.replace("\"WEEK\"", "\"YEAR\""));
    assert!(
        e.starts_with("p.json:6:53") && e.contains("DAY, WEEK or MONTH"),
        "{e}"
    );
    let e = err(&PLAN.replace("\"offset\": 200", "\"offset\": 5000"));
    assert!(
        e.starts_with("p.json:6:38") && e.contains("below `limit`"),
        "{e}"
    );
    let e = err(&PLAN.replace("12.5", "0.0001"));
    assert!(e.contains("3 decimals"), "{e}");
    let e = err(&PLAN.replace("\"burstLimit\": 20, ", ""));
    assert!(
        e.starts_with("p.json:5:") && e.contains("needs `burstLimit`"),
        "{e}"
    );
    let e = err(&PLAN.replace("\"Basic\",", "\"Basic\""));
    assert!(e.starts_with("p.json:4:3: not valid JSON"), "{e}");
}

#[test]
fn per_method_throttles_are_refused_with_the_reason() {
    let text = PLAN.replace(
        "\"stage\": \"prod\"}",
        "\"stage\": \"prod\", \"throttle\": {\"/pets/GET\": {\"burstLimit\": 1, \"rateLimit\": 1}}}",
    );
    let e = err(&text);
    assert!(
        e.starts_with("p.json:4:") && e.contains("per-method"),
        "{e}"
    );
    assert!(export(&[]).is_err());
}
