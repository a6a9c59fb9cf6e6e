use super::*;

fn ms(v: u64) -> Nanos {
    Nanos::from_millis(v)
}
fn tb(rate: &str, burst: u64) -> TokenBucket {
    TokenBucket::new(rate.parse().unwrap(), burst).unwrap()
}

#[test]
fn burst_then_steady_rate() {
    let mut b = tb("10/s", 5);
    for i in 0..5 {
        let d = b.check(ms(0), 1);
        assert!(d.allowed);
        assert_eq!(d.remaining, 4 - i);
    }
    assert!(!b.check(ms(0), 1).allowed);
    // then one every 100ms
    for k in 1..=20 {
        assert!(b.check(ms(100 * k), 1).allowed, "at {}ms", 100 * k);
        assert!(!b.check(ms(100 * k), 1).allowed);
    }
}

#[test]
fn retry_after_is_exact() {
    let mut b = tb("10/s", 2);
    b.check(ms(0), 2);
    let d = b.check(ms(30), 2);
    assert_eq!(d.retry_after, Some(ms(170)));
    assert_eq!(d.reset_after, ms(170));
    assert!(!b.peek(ms(200) - Nanos(1), 2).allowed);
    assert!(b.peek(ms(200), 2).allowed);
}

#[test]
fn remaining_reset_and_weighted_cost() {
    let mut b = tb("4/s", 8);
    let d = b.check(ms(0), 3);
    assert_eq!((d.remaining, d.reset_after), (5, ms(750)));
    let d = b.check(ms(0), 6);
    assert!(!d.allowed);
    assert_eq!(d.retry_after, Some(ms(250)));
    assert_eq!(d.remaining, 5);
}

#[test]
fn cost_above_burst_is_never() {
    let mut b = tb("10/s", 3);
    assert!(b.check(ms(0), 4).is_never());
    assert!(b.check(ms(0), 3).allowed, "a never-denial charges nothing");
}

#[test]
fn time_going_backwards_creates_no_capacity() {
    let mut b = tb("10/s", 1);
    assert!(b.check(ms(500), 1).allowed);
    assert!(!b.check(ms(0), 1).allowed);
    let d = b.check(ms(450), 1);
    assert_eq!(d.retry_after, Some(ms(100)), "judged at 500ms");
    assert!(b.check(ms(600), 1).allowed);
}

#[test]
fn idle_refills_to_capacity_and_no_more() {
    let mut b = tb("10/s", 3);
    b.check(ms(0), 3);
    let d = b.peek(Nanos::from_secs(3600), 0);
    assert_eq!((d.remaining, d.reset_after), (3, Nanos::ZERO));
    b.check(Nanos::from_secs(3600), 3);
    assert!(!b.check(Nanos::from_secs(3600), 1).allowed);
}

#[test]
fn bad_parameters_are_typed_errors() {
    let r: Rate = "10/s".parse().unwrap();
    assert_eq!(TokenBucket::new(r, 0).unwrap_err().param(), Some("burst"));
    let huge = TokenBucket::new("1/day".parse().unwrap(), u64::MAX / 1000);
    assert_eq!(huge.unwrap_err().param(), Some("burst"));
    let fine = TokenBucket::new("3000000/s".parse().unwrap(), 1);
    assert_eq!(fine.unwrap_err().param(), Some("rate"));
    let zero = Rate {
        count: 0,
        period: Nanos::from_secs(1),
    };
    assert_eq!(TokenBucket::new(zero, 1).unwrap_err().param(), Some("rate"));
}

#[test]
fn registry_factory_defaults_burst_to_count() {
    let l = (TokenBucket::entry().factory)(&Params::new().with("rate", "7/s")).unwrap();
    assert_eq!(l.peek(Nanos::ZERO, 1).limit, 7);
    let e = (TokenBucket::entry().factory)(&Params::new().with("rate", "7/s").with("burst", 0i64));
    assert_eq!(
        e.err().and_then(|e| e.param().map(String::from)).as_deref(),
        Some("burst")
    );
}
