//! Hand-computed HAProxy cases, from the formulas of freq_ctr.c / freq_ctr.h (module docs).

use super::*;

fn at(ms: u64) -> Nanos {
    Nanos::from_millis(ms)
}

#[test]
fn first_request_on_a_zeroed_entry_starts_the_period_at_an_even_tick() {
    let mut r = HaproxyRate::new(10_000, 100).unwrap();
    r.check(at(1_000_001), 1);
    // 1_000_001 - 0 >= period: rotate, two periods missed: prev 0, tick = now & !1
    assert_eq!((r.curr_tick, r.curr, r.prev), (1_000_000, 1, 0));
}

#[test]
fn previous_period_weighted_by_what_remains() {
    let mut r = HaproxyRate::new(1000, 1000).unwrap();
    for _ in 0..10 {
        r.check(at(100_000), 1);
    }
    // next period: 4 more at 100_600 + 1000 = 101_600? no: at 101_250, tick 101_000,
    // remain = 101_000 + 1000 - 101_250 = 750: 10 * 750 + 4 * 1000 = 11_500 -> 11
    for _ in 0..3 {
        r.check(at(101_250), 1);
    }
    assert_eq!(r.rate_after(at(101_250), 1), 11);
    // without the pending one: 10 * 750 + 3 * 1000 = 10_500 -> 10
    assert_eq!(r.read((r.curr_tick, r.curr, r.prev), 101_250), 10);
}

#[test]
fn more_than_one_period_late_reports_the_last_period_only() {
    let mut r = HaproxyRate::new(1000, 1000).unwrap();
    for _ in 0..8 {
        r.check(at(50_000), 1);
    }
    // at 51_400 with no update: remain = 51_000 - 51_400 = -400 -> +1000 = 600, past = 8,
    // curr = 0: 8 * 600 / 1000 = 4
    assert_eq!(r.read((r.curr_tick, r.curr, r.prev), 51_400), 4);
    // two periods later nothing
    assert_eq!(r.read((r.curr_tick, r.curr, r.prev), 52_001), 0);
}

#[test]
fn anti_flapping_at_one_request() {
    let mut r = HaproxyRate::new(1000, 1000).unwrap();
    r.check(at(10_000), 1);
    // at 11_900: past 1, curr 0 -> past * period / period = 1 (not 1 * 100 / 1000 = 0)
    assert_eq!(r.read((r.curr_tick, r.curr, r.prev), 11_900), 1);
}

#[test]
fn denied_requests_count_too() {
    let mut r = HaproxyRate::new(1000, 2).unwrap();
    let t = at(20_000);
    assert!(r.check(t, 1).allowed);
    assert!(r.check(t, 1).allowed);
    assert!(!r.check(t, 1).allowed);
    assert!(!r.check(t, 1).allowed);
    assert_eq!(r.curr, 4);
}

#[test]
fn retry_after_is_the_first_millisecond_below_the_limit() {
    let mut r = HaproxyRate::new(1000, 2).unwrap();
    let t = at(30_000);
    for _ in 0..3 {
        r.check(t, 1);
    }
    let d = r.peek(t, 1);
    let wait = d.retry_after.unwrap();
    assert!(r.rate_after(t + wait, 1) <= 2);
    assert!(r.rate_after(t + wait - at(1), 1) > 2);
}

#[test]
fn clock_wraps_at_32_bits() {
    let mut r = HaproxyRate::new(1000, 5).unwrap();
    let near = (1u64 << 32) - 10;
    r.check(at(near), 1);
    r.check(at(near), 1);
    // 20 ms later the 32-bit clock has wrapped; still the same period
    assert_eq!(r.rate_after(at(near + 20), 1), 3);
}

#[test]
fn bad_periods_are_refused() {
    assert!(HaproxyRate::new(0, 1).is_err());
}

#[test]
fn a_counter_without_a_limit_never_overflows() {
    // conform's model counts with limit u64::MAX: `limit + 1` and `cost + 1` must not
    // overflow (they did, and panicked, before saturating)
    let mut r = HaproxyRate::new(1000, u64::MAX).unwrap();
    assert!(r.check(at(5_000), 1).allowed);
    assert!(r.check(at(5_000), u32::MAX).allowed);
    assert!(r.peek(at(5_001), 0).allowed);
}
