use super::*;

#[test]
fn tolerances_parse_as_percent_or_fraction() {
    assert_eq!(parse_tolerance("5%").unwrap(), 0.05);
    assert_eq!(parse_tolerance(" 0.1 ").unwrap(), 0.1);
    assert!(parse_tolerance("five").is_err());
    assert!(parse_tolerance("-3%").is_err());
}
