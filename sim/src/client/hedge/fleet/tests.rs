use super::*;

#[test]
fn validation_names_the_field() {
    let ok = HedgeConfig::new(HedgeDelay::Fixed(Nanos::from_millis(5)), 4);
    assert!(ok.validate("h").is_ok());
    let many = HedgeConfig::new(HedgeDelay::Fixed(Nanos::from_millis(5)), 5);
    assert_eq!(
        many.validate("f.hedge").unwrap_err().field(),
        "f.hedge.max_hedges"
    );
    let none = HedgeConfig::new(HedgeDelay::Fixed(Nanos::from_millis(5)), 0);
    assert!(none.validate("h").is_err());
    let zero = HedgeConfig::new(HedgeDelay::Fixed(Nanos::ZERO), 1);
    assert_eq!(
        zero.validate("f.hedge").unwrap_err().field(),
        "f.hedge.delay"
    );
    let p100 = HedgeConfig::new(HedgeDelay::Percentile(100.0), 1);
    assert!(p100.validate("h").is_err());
}

#[test]
fn fixed_delay_is_ready_at_once_and_ignores_samples() {
    let mut h = HedgeRt::new(HedgeConfig::new(
        HedgeDelay::Fixed(Nanos::from_millis(50)),
        2,
    ));
    assert_eq!(h.delay(), Some(Nanos::from_millis(50)));
    h.observe(Nanos::from_secs(9));
    let p = h.policy().unwrap();
    assert_eq!(p.delay, Nanos::from_millis(50));
    assert_eq!(p.max_attempts, 3);
    assert!(p.non_fatal.contains(503) && !p.non_fatal.contains(429));
}

#[test]
fn percentile_delay_tracks_the_samples_after_warmup() {
    let mut h = HedgeRt::new(HedgeConfig::new(HedgeDelay::Percentile(95.0), 1));
    for _ in 0..WARMUP_SAMPLES - 1 {
        h.observe(Nanos::from_millis(10));
    }
    assert_eq!(h.delay(), None);
    h.observe(Nanos::from_millis(10));
    let ten = h.delay().unwrap();
    assert!(ten.as_nanos().abs_diff(10_000_000) < 10_000, "{ten}");
    // 100 more at 1 s: half the samples are slow, so the p95 moves to ~1 s, but only at
    // the next refresh.
    for i in 0..100 {
        h.observe(Nanos::from_secs(1));
        let refreshed = (i + 1) % REFRESH_EVERY == 0;
        if i + 1 < REFRESH_EVERY {
            assert_eq!(h.delay(), Some(ten));
        } else if refreshed && i + 1 >= 64 {
            let d = h.delay().unwrap();
            assert!(d >= Nanos::from_millis(999) && d <= Nanos::from_millis(1001));
        }
    }
}
