use super::*;

#[test]
fn lists_keep_order_and_types() {
    let v = parse_values("none, full,3, 0.5,true,\"a,b\",[429, 503]").unwrap();
    assert_eq!(v[0], "none".into());
    assert_eq!(v[1], "full".into());
    assert_eq!(v[2], 3.into());
    assert_eq!(v[3], 0.5.into());
    assert_eq!(v[4], true.into());
    assert_eq!(v[5], "a,b".into());
    assert_eq!(v[6], toml::Value::Array(vec![429.into(), 503.into()]));
}

#[test]
fn inline_tables_are_one_value() {
    let v = parse_values(
        "{ dist = \"constant\", value = \"5ms\" },{ dist = \"constant\", value = \"9ms\" }",
    )
    .unwrap();
    assert_eq!(v.len(), 2);
    assert!(v[0].is_table());
}

#[test]
fn integer_ranges_are_inclusive_on_the_grid() {
    let v = parse_values("10..190:20").unwrap();
    assert_eq!(v.len(), 10);
    assert_eq!(v[9], 190.into());
    let v = parse_values("1..10:4").unwrap();
    assert_eq!(v, vec![1.into(), 5.into(), 9.into()]);
    assert_eq!(parse_values("-2..1").unwrap().len(), 4);
}

#[test]
fn float_ranges_have_no_rounding_noise() {
    let v = parse_values("0..0.75:0.05").unwrap();
    assert_eq!(v.len(), 16);
    assert_eq!(v[3], 0.15.into());
    assert_eq!(v[15], 0.75.into());
    assert_eq!(
        parse_values("0.5..1").unwrap_err(),
        "`0.5..1`: a range of fractional numbers needs a step (FROM..TO:STEP)"
    );
}

#[test]
fn broken_ranges_say_why() {
    assert!(parse_values("1..5:0").unwrap_err().contains("positive"));
    assert!(parse_values("1..x").unwrap_err().contains("FROM..TO:STEP"));
    assert!(parse_values("1ms..5s:1ms")
        .unwrap_err()
        .contains("same unit"));
    assert!(parse_values("0..1000000")
        .unwrap_err()
        .contains("more than"));
}

#[test]
fn bad_args_name_the_argument() {
    let e = Param::parse_arg("fleet.web.count").unwrap_err().to_string();
    assert!(
        e.contains("fleet.web.count") && e.contains("PATH=VALUES"),
        "{e}"
    );
    let e = Param::parse_arg("fleet..count=1").unwrap_err().to_string();
    assert!(e.contains("empty segment"), "{e}");
    let e = Param::parse_arg("seed=1,2").unwrap_err().to_string();
    assert!(e.contains("--seeds"), "{e}");
    let e = Param::parse_arg("fleet.web.count=1,1")
        .unwrap_err()
        .to_string();
    assert!(e.contains("listed twice"), "{e}");
    assert!(Param::parse_arg("fleet.web.count=").is_err());
}

#[test]
fn display_round_trips() {
    let p = Param::parse_arg("fleet.web.retry.jitter=none,full").unwrap();
    assert_eq!(p.to_string(), "fleet.web.retry.jitter=none,full");
    assert_eq!(Param::parse_arg(&p.to_string()).unwrap(), p);
}
