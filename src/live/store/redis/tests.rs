use super::*;

#[test]
fn script_answers_parse_into_decisions() {
    let d = parse_decisions(&[1, 10, 9, 100, -1, 0, 5, 0, 7, 3, 0, 5, 2, -1, -1], 3).unwrap();
    assert!(d[0].allowed && d[0].retry_after.is_none());
    assert_eq!((d[2].reset_after, d[2].remaining), (Nanos::MAX, 2));
    assert_eq!(d[1].retry_after, Some(Nanos(3)));
    assert!(!d[1].allowed);
    assert!(parse_decisions(&[1, 2, 3], 1).is_err());
}

fn level(spec: &str) -> Level {
    Level::parse(spec, &Registry::builtin()).unwrap()
}

#[test]
fn levels_translate_to_the_scripts_integer_arguments() {
    let r = Registry::builtin();
    let tb = ScriptLevel::from_level(&level("token_bucket rate=10/s burst=20"), &r).unwrap();
    assert_eq!(tb.algorithm, "token_bucket");
    assert_eq!(tb.args, [100_000_000, 20, 2_000_000_000]);
    // burst defaults to the rate's count, as the registry's factory does
    let g = ScriptLevel::from_level(&level("org:gcra rate=3/s"), &r).unwrap();
    assert_eq!(g.args, [333_333_334, 3, 1_000_000_002]);
    let sl = ScriptLevel::from_level(&level("sliding_log limit=60 window=1m"), &r).unwrap();
    assert_eq!(sl.args, [60, 60_000_000_000, 0]);
    let fw = ScriptLevel::from_level(&level("fixed_window limit=5 period=1m align=75s"), &r);
    assert_eq!(fw.unwrap().args, [5, 60_000_000_000, 15_000_000_000]);
    let fw = ScriptLevel::from_level(&level("fixed_window limit=2 period=250ms"), &r);
    assert_eq!(fw.unwrap().args, [2, 250_000_000, 0]);
    let q = ScriptLevel::from_level(&level("org:quota limit=500 period=none"), &r).unwrap();
    assert_eq!((q.args, q.refunds()), ([500, 0, 0], false));
    let q = ScriptLevel::from_level(&level("quota limit=9 refund_on_failure=true"), &r);
    let q = q.unwrap();
    assert_eq!((q.args, q.refunds()), ([9, 2 + REFUNDS, 0], true));
    let q = ScriptLevel::from_level(&level("quota limit=9 period=day epoch=86400"), &r);
    assert_eq!(
        q.unwrap().args,
        [9, 1, 0],
        "the epoch is not sent: Redis's clock is UTC"
    );
}

#[test]
fn algorithms_without_a_script_and_oversized_parameters_are_refused() {
    let r = Registry::builtin();
    let e = ScriptLevel::from_level(&level("concurrency max=5"), &r);
    let msg = e.unwrap_err().to_string();
    assert!(msg.contains("`concurrency` cannot live in Redis"), "{msg}");
    assert!(
        msg.contains("fixed_window") && msg.contains("--store memory"),
        "{msg}"
    );
    let e = ScriptLevel::from_level(&level("fixed_window limit=5 period=1500ms"), &r);
    assert!(e
        .unwrap_err()
        .to_string()
        .contains("whole number of seconds"));
    let e = ScriptLevel::from_level(&level("token_bucket rate=1/day burst=100000"), &r);
    assert!(e.unwrap_err().to_string().contains("too large"));
}
