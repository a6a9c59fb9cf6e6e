use super::*;

#[test]
fn lists_and_dicts_of_the_drafts() {
    let l = parse_list(r#""default";r=50;t=30, "api";r=0;t=137;pk=:cHsdsRa894==:"#).unwrap();
    assert_eq!(l.len(), 2);
    assert_eq!(l[0].bare, Bare::Str("default".into()));
    assert_eq!(l[1].param("t"), Some(&Bare::Int(137)));
    let d = parse_dict("limit=100, remaining=50, reset=30").unwrap();
    assert_eq!(d[1].0, "remaining");
    assert_eq!(d[1].1.bare, Bare::Int(50));
    let p = parse_list("100;w=60").unwrap();
    assert_eq!(p[0].bare, Bare::Int(100));
}

#[test]
fn rejects_what_rfc_9651_rejects() {
    for bad in [
        "\"a\",",
        "\"a\" \"b\"",
        "\"unterminated",
        "1234567890123456",
        "\"é\"",
        "(1 2)",
        "x;R=1",
        "1.",
        "?2",
    ] {
        assert!(parse_list(bad).is_err(), "{bad}");
    }
    assert_eq!(parse_list("").unwrap(), vec![]);
    assert_eq!(string_literal("a\"b"), r#""a\"b""#);
}
