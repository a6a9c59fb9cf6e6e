//! Hand-computed nginx cases: each expected value worked out from the formulas of
//! ngx_http_limit_req_module.c (see the module docs).

use super::*;

fn at(ms: u64) -> Nanos {
    Nanos::from_millis(ms)
}

#[test]
fn without_burst_one_request_per_interval() {
    // 10r/s: rate 10000; the 2nd request at 99 ms: 0 - 10000*99/1000 + 1000 = 10 > 0 rejected
    let mut lr = NginxLimitReq::new("10r/s", 0, Some(0)).unwrap();
    assert!(lr.check(at(0), 1).allowed);
    assert!(!lr.check(at(99), 1).allowed);
    // at 100 ms: 1000 - 1000 = 0 admitted
    assert!(lr.check(at(100), 1).allowed);
    assert_eq!(lr.excess(), 0);
}

#[test]
fn one_request_per_millisecond_ceiling_at_high_rates() {
    // 5000r/s would allow one request every 0.2 ms, but in one millisecond nothing leaks
    let mut lr = NginxLimitReq::new("5000r/s", 0, Some(0)).unwrap();
    assert!(lr.check(Nanos(1_000_000), 1).allowed);
    assert!(!lr.check(Nanos(1_900_000), 1).allowed, "same millisecond");
    assert!(lr.check(Nanos(2_000_000), 1).allowed, "next millisecond");
}

#[test]
fn integer_leak_of_slow_rates() {
    // 7r/m: rate = 7000/60 = 116; burst=1. After the 1st request excess 0; the 2nd at 1 ms:
    // 0 - 116*1/1000 + 1000 = 1000 (nothing leaked in 1 ms), admitted with a delay of
    // 1000*1000/116 = 8620 ms; the 3rd at 2 ms: 1000 - 0 + 1000 = 2000 > 1000 rejected.
    let mut lr = NginxLimitReq::new("7r/m", 1, Some(0)).unwrap();
    assert!(lr.check(at(0), 1).allowed);
    let d = lr.check(at(1), 1);
    assert_eq!(d.delay, at(8620));
    assert_eq!(lr.excess(), 1000);
    assert!(!lr.check(at(2), 1).allowed);
    // at 9 ms (ms = 8 since last): 1000 - 116*8/1000 + 1000 = 2000 - 0 = 2000, rejected;
    // at 8621 ms: 1000 - 116*8620/1000 + 1000 = 1000 - 999 + 1000 = 1001 > 1000 rejected
    assert!(!lr.check(at(8621), 1).allowed);
    // at 8622 ms: ms = 8621: 116*8621/1000 = 1000: 1000 admitted
    assert!(lr.check(at(8622), 1).allowed);
}

#[test]
fn delay_and_nodelay() {
    // 1r/s burst=3 delay=1: excess 1000 (<= 1000) no delay; 2000 waits (2000-1000)*1000/1000
    let mut lr = NginxLimitReq::new("1r/s", 3, Some(1)).unwrap();
    assert_eq!(lr.check(at(0), 1).delay, Nanos::ZERO);
    assert_eq!(lr.check(at(0), 1).delay, Nanos::ZERO);
    assert_eq!(lr.check(at(0), 1).delay, at(1000));
    assert_eq!(lr.check(at(0), 1).delay, at(2000));
    assert!(!lr.check(at(0), 1).allowed);
    let mut nd = NginxLimitReq::new("1r/s", 3, None).unwrap();
    for _ in 0..4 {
        let d = nd.check(at(0), 1);
        assert!(d.allowed);
        assert_eq!(d.delay, Nanos::ZERO);
    }
    assert!(!nd.check(at(0), 1).allowed);
}

#[test]
fn rejection_changes_nothing() {
    let mut lr = NginxLimitReq::new("1r/s", 0, Some(0)).unwrap();
    assert!(lr.check(at(0), 1).allowed);
    for t in 1..1000 {
        assert!(!lr.check(at(t), 1).allowed);
    }
    // last stayed at 0: at 1000 ms exactly 1000 has leaked
    assert!(lr.check(at(1000), 1).allowed);
}

#[test]
fn clock_steps_back_are_clamped_as_nginx_does() {
    let mut lr = NginxLimitReq::new("1r/s", 5, None).unwrap().gateway_clock();
    assert!(lr.check(at(100_000), 1).allowed);
    // 10 ms back: ms = 0, excess 1000, last stays 100000
    assert!(lr.check(at(99_990), 1).allowed);
    assert_eq!(lr.excess(), 1000);
    // 70 s back: ms = 1 (leak 1): 1000 - 1 + 1000 = 1999, last = 30000
    assert!(lr.check(at(30_000), 1).allowed);
    assert_eq!(lr.excess(), 1999);
    // from 30000 on, time counts from there again: at 30999 leak 999
    assert!(lr.check(at(30_999), 1).allowed);
    assert_eq!(lr.excess(), 1999 - 999 + 1000);
}

#[test]
fn retry_after_is_the_first_millisecond_that_passes() {
    let mut lr = NginxLimitReq::new("3r/s", 0, Some(0)).unwrap();
    assert!(lr.check(at(0), 1).allowed);
    let d = lr.check(at(10), 1);
    let retry = d.retry_after.unwrap();
    let t = 10 + retry.as_nanos() / 1_000_000;
    let mut probe = lr.clone();
    assert!(!probe.check(at(t - 1), 1).allowed);
    assert!(lr.check(at(t), 1).allowed);
}

#[test]
fn undo_gives_back_the_state_before() {
    let mut lr = NginxLimitReq::new("2r/s", 2, None).unwrap();
    lr.check(at(0), 1);
    lr.check(at(5), 1);
    let e = lr.excess();
    lr.check(at(7), 1);
    lr.undo(at(7), 1);
    assert_eq!(lr.excess(), e);
}

#[test]
fn bad_rates_are_refused() {
    assert!(nginx_rate("r/s").is_err());
    assert!(nginx_rate("-3r/s").is_err());
    assert!(NginxLimitReq::new("abc", 0, None).is_err());
}

#[test]
fn as_a_lab_limiter_an_earlier_now_is_the_latest() {
    let mut lr = NginxLimitReq::new("1r/s", 5, None).unwrap();
    assert!(lr.check(at(100_000), 1).allowed);
    // 70 s back would restart nginx's clock there (and leak 70 s at 100 s); not here
    assert!(lr.check(at(30_000), 1).allowed);
    assert_eq!(lr.excess(), 1000);
    assert!(lr.check(at(100_000), 1).allowed);
    assert_eq!(lr.excess(), 2000);
}
