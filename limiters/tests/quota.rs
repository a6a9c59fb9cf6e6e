//! Behaviour of the calendar quota and the credit balance: monthly rollover exactly at the
//! boundary (seed 004), refunds of failed requests (seed 000), 402-style exhaustion of a
//! balance that never resets (seed 003), and costs above the limit.

use limiters::calendar::{next_month_start, Epoch};
use limiters::quota::Period;
use limiters::{Limiter, Nanos, Outcome, OutcomeKind, Params, Quota, Registry};
use proptest::prelude::*;

/// 2024-06-30T00:00:00Z: one day before seed 004's rollover 1719792000 (2024-07-01).
const JUNE_30: u64 = 1_719_705_600;
const JULY_1: u64 = 1_719_792_000;

#[test]
fn monthly_quota_rolls_over_exactly_at_the_boundary() {
    let epoch = Epoch::from_unix_secs(JUNE_30);
    let mut q = Quota::new(50_000, Period::Month, epoch, false).unwrap();
    let d = q.check(Nanos::ZERO, 49_993);
    assert!(d.allowed);
    assert_eq!(d.remaining, 7);
    assert_eq!(d.reset_after, Nanos::from_secs(JULY_1 - JUNE_30));

    let day = Nanos::from_secs(JULY_1 - JUNE_30);
    let just_before = day - Nanos(1);
    let denied = q.check(just_before, 8);
    assert!(!denied.allowed);
    assert_eq!(denied.remaining, 7);
    assert_eq!(
        denied.retry_after,
        Some(Nanos(1)),
        "truthful: passes one ns later"
    );

    let at = q.check(day, 8);
    assert!(at.allowed, "new month, fresh quota");
    assert_eq!(at.remaining, 49_992);
    // July has 31 days: the next reset is 2024-08-01.
    assert_eq!(at.reset_after, Nanos::from_secs(31 * 86_400));
}

#[test]
fn december_rolls_over_into_january() {
    let dec_31 = 1_703_980_800; // 2023-12-31T00:00:00Z
    let mut q = Quota::new(1, Period::Month, Epoch::from_unix_secs(dec_31), false).unwrap();
    assert!(q.check(Nanos::ZERO, 1).allowed);
    let d = q.check(Nanos::from_secs(100), 1);
    assert_eq!(d.retry_after, Some(Nanos::from_secs(86_400 - 100)));
    assert!(q.check(Nanos::from_secs(86_400), 1).allowed);
}

#[test]
fn failed_requests_are_refunded_only_when_asked() {
    for refund in [false, true] {
        let mut q = Quota::new(10, Period::Month, Epoch::default(), refund).unwrap();
        assert!(q.check(Nanos::ZERO, 10).allowed);
        q.release(
            Nanos::from_secs(1),
            10,
            Outcome {
                kind: OutcomeKind::Timeout,
                latency: Nanos::from_secs(1),
            },
        );
        assert!(
            !q.check(Nanos::from_secs(1), 1).allowed,
            "timeouts never refund"
        );
        q.release(
            Nanos::from_secs(2),
            10,
            Outcome::failure(Nanos::from_secs(2)),
        );
        assert_eq!(q.check(Nanos::from_secs(2), 1).allowed, refund);
    }
}

#[test]
fn a_failure_from_the_previous_month_refunds_nothing() {
    let epoch = Epoch::from_unix_secs(JULY_1 - 10);
    let mut q = Quota::new(5, Period::Month, epoch, true).unwrap();
    assert!(q.check(Nanos::ZERO, 5).allowed); // charged in June
    let july = Nanos::from_secs(20);
    assert!(q.check(july, 5).allowed); // July's quota spent
    q.release(july, 5, Outcome::failure(Nanos::from_secs(20))); // admitted in June
    assert!(
        !q.check(july, 1).allowed,
        "June's refund must not credit July"
    );
}

#[test]
fn spent_balance_is_never_and_keeps_what_is_left() {
    // Seed 003: 500 free credits, then 402. Seed 000: "Required 1000, available 200".
    let mut q = Quota::new(500, Period::None, Epoch::default(), false).unwrap();
    assert!(q.check(Nanos::ZERO, 300).allowed);
    let d = q.check(Nanos::from_secs(1), 1000);
    assert!(d.is_never(), "cost above the limit");
    let d = q.check(Nanos::from_secs(1), 201);
    assert!(d.is_never(), "a balance does not come back by waiting");
    assert_eq!(d.remaining, 200);
    assert_eq!(d.reset_after, Nanos::MAX, "a balance never resets");
    assert!(q.check(Nanos::from_secs(10_000_000), 200).allowed);
    assert!(q.check(Nanos::MAX, 1).is_never());
}

#[test]
fn cost_above_a_periodic_limit_is_never() {
    let mut q = Quota::new(100, Period::Day, Epoch::default(), false).unwrap();
    let d = q.check(Nanos::ZERO, 101);
    assert!(d.is_never());
    assert_eq!(q.used(), 0, "a never is not charged");
}

#[test]
fn registry_builds_quota_and_rejects_typos() {
    let reg = Registry::builtin();
    let p = Params::new()
        .with("limit", 3i64)
        .with("period", "day")
        .with("epoch", JUNE_30 as i64)
        .with("refund_on_failure", true);
    let mut q = reg.build("quota", &p).unwrap();
    assert_eq!(q.name(), "quota");
    assert!(q.check(Nanos::ZERO, 3).allowed);
    assert_eq!(
        q.check(Nanos::ZERO, 1).retry_after,
        Some(Nanos::from_secs(86_400))
    );
    assert!(reg
        .build(
            "quota",
            &Params::new().with("limit", 3i64).with("perod", "day")
        )
        .is_err());
}

proptest! {
    /// Never more than `limit` admitted within one calendar month, and every periodic denial's
    /// retry_after is truthful: the same request passes at `now + retry_after`.
    #[test]
    fn monthly_usage_bounded_and_retry_truthful(
        epoch in 0u64..4_000_000_000,
        limit in 1u64..50,
        steps in prop::collection::vec((0u64..5 * 86_400, 1u32..10), 1..60),
    ) {
        let e = Epoch::from_unix_secs(epoch);
        let mut q = Quota::new(limit, Period::Month, e, false).unwrap();
        let mut now = Nanos::ZERO;
        let mut month_end = next_month_start(epoch);
        let mut spent = 0u64;
        for (gap, cost) in steps {
            now += Nanos::from_secs(gap);
            let unix = e.unix_secs_at(now);
            if unix >= month_end {
                month_end = next_month_start(unix);
                spent = 0;
            }
            let probe = q.peek(now, cost);
            let d = q.check(now, cost);
            prop_assert_eq!(probe, d);
            if d.allowed {
                spent += u64::from(cost);
                prop_assert!(spent <= limit);
                prop_assert_eq!(d.remaining, limit - spent);
            } else if let Some(wait) = d.retry_after {
                prop_assert!(q.peek(now + wait, cost).allowed);
                prop_assert_eq!(e.unix_secs_at(now + wait), month_end);
            } else {
                prop_assert!(u64::from(cost) > limit);
            }
        }
    }
}

#[test]
fn aws_weekly_quota_with_an_offset_resets_on_sunday_to_the_full_limit() {
    // Wednesday 2024-07-03 00:00 UTC; the week ends Sunday 2024-07-07 00:00 (4 days later).
    // AWS: limit 10 per WEEK, offset 4 subtracted in the first period.
    let p = limiters::Params::new()
        .with("limit", 10i64)
        .with("period", "week")
        .with("epoch", 1_719_964_800i64)
        .with("used_at_start", 4i64);
    let mut q = Quota::from_params(&p).unwrap();
    let sunday = Nanos::from_secs(4 * 86_400);
    assert!(
        q.check(Nanos::ZERO, 6).allowed,
        "10 - 4 left in the first week"
    );
    let d = q.check(sunday - Nanos(1), 1);
    assert!(
        !d.allowed,
        "Saturday 23:59:59.999999999 is still the first week"
    );
    assert_eq!(d.retry_after, Some(Nanos(1)));
    assert!(
        q.check(sunday, 10).allowed,
        "a new week starts from zero, not from the offset"
    );
    assert!(!q.check(sunday, 1).allowed);
}
