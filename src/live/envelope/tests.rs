use super::*;

#[test]
fn every_seed_shape_renders_as_documented() {
    let p = Problem::InvalidKey;
    assert_eq!(
        p.render(Envelope::Seed000, "r").body,
        json!({"error": "Invalid API key"})
    );
    assert_eq!(
        p.render(Envelope::Seed001, "r").body,
        json!({"error": {"code": "invalid_api_key", "message": "Invalid API key", "status": 401}})
    );
    let b = p.render(Envelope::Seed002, "r").body;
    assert_eq!(b["code"], "auth.invalid_credential");
    assert!(
        b.get("field_errors").is_none(),
        "field_errors only on validation failures"
    );
    assert_eq!(
        p.render(Envelope::Seed003, "r").body,
        json!({"error": "Invalid API key", "code": "invalid_credential"})
    );
    let b = p.render(Envelope::Seed004, "abc").body;
    assert_eq!(b["ok"], false);
    assert_eq!(b["error"]["code"], "AUTH_REQUIRED");
    assert_eq!(b["request_id"], "abc");
}

#[test]
fn statuses_follow_each_seed() {
    assert_eq!(Problem::MissingKey.status(Envelope::Seed003), 400);
    assert_eq!(Problem::MissingKey.status(Envelope::Seed002), 401);
    assert_eq!(
        Problem::InvalidJson("x".into()).status(Envelope::Seed003),
        422
    );
    assert_eq!(
        Problem::InvalidJson("x".into()).status(Envelope::Seed002),
        400
    );
    let credits = Problem::Denied {
        status: 402,
        quota: true,
        required: 1000,
        available: 200,
    };
    assert_eq!(credits.status(Envelope::Seed000), 402);
    assert_eq!(
        credits.render(Envelope::Seed000, "r").body["error"],
        "Insufficient credits. Required 1000, available 200"
    );
    assert_eq!(credits.code(Envelope::Seed003), Some("billing_required"));
}

#[test]
fn field_errors_appear_where_the_shape_has_room() {
    let p = Problem::Validation(vec![
        ("cost".into(), "must be a whole number".into()),
        ("cost".into(), "must be at least 1".into()),
    ]);
    let b = p.render(Envelope::Seed002, "r").body;
    assert_eq!(b["field_errors"]["cost"].as_array().map(Vec::len), Some(2));
    let b = p.render(Envelope::Seed004, "r").body;
    assert_eq!(b["error"]["details"]["cost"][0], "must be a whole number");
}

#[test]
fn injected_failures_use_the_seeds_codes_for_their_status() {
    assert_eq!(
        Problem::Injected(502).code(Envelope::Seed003),
        Some("grpc_error")
    );
    assert_eq!(Problem::Injected(503).status(Envelope::Seed001), 503);
    assert_eq!(
        Problem::Injected(504).code(Envelope::Seed004),
        Some("ENGINE_TIMEOUT")
    );
    assert_eq!(
        Problem::Injected(500).code(Envelope::Seed001),
        Some("internal_error")
    );
    assert_eq!(Problem::Injected(418).status(Envelope::Seed002), 418);
}

#[test]
fn envelope_names_parse() {
    assert_eq!(Envelope::parse("seed000"), Some(Envelope::Seed000));
    assert_eq!(Envelope::parse("seed004"), Some(Envelope::Seed004));
    assert_eq!(Envelope::parse("4"), Some(Envelope::Seed004));
    assert_eq!(Envelope::parse("seed005"), None);
    assert_eq!(Envelope::parse("bogus"), None);
}
