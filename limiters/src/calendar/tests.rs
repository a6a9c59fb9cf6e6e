use super::*;

#[test]
fn known_dates() {
    assert_eq!(DateTime::from_unix(0).to_unix(), Some(0));
    let leap = days_from_civil(2000, 2, 29);
    assert_eq!(civil_from_days(leap), (2000, 2, 29));
    assert_eq!(civil_from_days(leap + 1), (2000, 3, 1));
    assert!(!is_valid_date(1900, 2, 29));
    assert!(is_valid_date(2024, 2, 29));
    assert_eq!(next_month_start(1_703_980_800), 1_704_067_200); // 2023-12-31 -> 2024-01-01
}

#[test]
fn seed_004_rollover_and_leap_day_and_1970() {
    // Seed 004: X-Quota-Monthly-Reset: 1719792000 is 2024-07-01T00:00:00Z.
    let t = DateTime::from_unix(1_719_792_000);
    assert_eq!(
        (t.year, t.month, t.day, t.hour, t.minute, t.second),
        (2024, 7, 1, 0, 0, 0)
    );
    assert_eq!(month_start(1_719_792_000), 1_719_792_000);
    assert_eq!(next_month_start(1_719_792_000), 1_722_470_400); // 2024-08-01
                                                                // 2000-02-29 (a leap day: divisible by 400) was a Tuesday.
    let leap_day = 951_782_400;
    assert_eq!(weekday(leap_day), 2);
    assert_eq!(next_day_start(leap_day + 5), 951_868_800); // 2000-03-01
    assert_eq!(month_start(leap_day + 5), 949_363_200); // 2000-02-01
    assert_eq!(next_month_start(leap_day), 951_868_800);
    assert!(!is_leap_year(2100) && !is_leap_year(1900) && is_leap_year(2000));
    // 1970: the epoch itself.
    assert_eq!((month_start(0), next_month_start(0)), (0, 2_678_400));
    assert_eq!((day_start(86_399), next_day_start(86_399)), (0, 86_400));
    assert_eq!(next_day_start(u64::MAX), u64::MAX);
    assert_eq!(next_month_start(u64::MAX), u64::MAX);
}

proptest::proptest! {
    #[test]
    fn boundaries_bracket_every_instant(t in 0u64..400_000_000_000) {
        let (m0, m1) = (month_start(t), next_month_start(t));
        proptest::prop_assert!(m0 <= t && t < m1);
        let a = DateTime::from_unix(m0);
        proptest::prop_assert_eq!((a.day, a.hour, a.minute, a.second), (1, 0, 0, 0));
        let days = u64::from(days_in_month(a.year, a.month));
        proptest::prop_assert_eq!(m1 - m0, days * SECS_PER_DAY);
        proptest::prop_assert!(day_start(t) <= t && t < next_day_start(t));
        proptest::prop_assert_eq!(DateTime::from_unix(t).to_unix(), Some(t));
    }
}

#[test]
fn round_trip_days_over_a_wide_range() {
    for z in (-1_000_000..1_000_000).step_by(997) {
        let (y, m, d) = civil_from_days(z);
        assert!(is_valid_date(y, m, d));
        assert_eq!(days_from_civil(y, m, d), z);
    }
}
