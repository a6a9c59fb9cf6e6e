//! Header dialects end to end: what a server renders, a client reads back within the rounding
//! rule (never earlier than the truth, less than one unit later); the seed documents' examples
//! parse as they say; a corpus of malformed values is rejected with typed errors; arbitrary
//! input never panics.

use limiters::calendar::UnixTime;
use limiters::headers::{
    parse, render, Dialect, HeaderError, HeaderStyle, ParseOptions, ResetInterpretation,
    RetryAfterFormat,
};
use limiters::{Decision, Nanos};
use proptest::prelude::*;

const SEC: u64 = 1_000_000_000;

fn parse_owned(
    h: &[(&'static str, String)],
    now: UnixTime,
    opts: &ParseOptions,
) -> limiters::headers::RateLimitInfo {
    let pairs: Vec<(&str, &str)> = h.iter().map(|(n, v)| (*n, v.as_str())).collect();
    parse(&pairs, now, opts).unwrap_or_else(|e| panic!("{h:?}: {e}"))
}

/// The interpretation a correct client uses for each dialect.
fn right_reading(d: Dialect) -> ResetInterpretation {
    match d {
        Dialect::XRateLimitDelta => ResetInterpretation::Delta,
        Dialect::XRateLimitEpochMs => ResetInterpretation::EpochMillis,
        _ => ResetInterpretation::Epoch,
    }
}

/// `got` is `truth` rounded up to `unit`: not earlier, less than one unit later.
fn within(got: Nanos, truth: Nanos, unit: u64) -> bool {
    got >= truth && got.as_nanos() - truth.as_nanos() < unit
}

#[test]
fn seed_002_epoch_reset_and_retry_after() {
    let h = [
        ("X-RateLimit-Limit", "60"),
        ("X-RateLimit-Remaining", "47"),
        ("X-RateLimit-Reset", "1716461235"),
    ];
    let now = UnixTime::from_secs(1_716_461_200);
    let info = parse(&h, now, &ParseOptions::default()).unwrap();
    assert_eq!((info.limit, info.remaining), (Some(60), Some(47)));
    assert_eq!(info.reset_after, Some(Nanos::from_secs(35)));
    assert_eq!(info.wait_hint(), None, "47 remain: no reason to wait");
}

#[test]
fn seed_004_delta_reset_and_monthly_quota() {
    let h = [
        ("X-RateLimit-Limit", "10"),
        ("X-RateLimit-Remaining", "0"),
        ("X-RateLimit-Reset", "1"),
        ("Retry-After", "1"),
        ("X-Quota-Monthly-Limit", "50000"),
        ("X-Quota-Monthly-Remaining", "49993"),
        ("X-Quota-Monthly-Reset", "1719792000"),
    ];
    let now = UnixTime::from_secs(1_719_792_000 - 3600);
    let info = parse(&h, now, &ParseOptions::default()).unwrap();
    assert_eq!(info.reset_after, Some(Nanos::from_secs(1)));
    assert_eq!(info.retry_after, Some(Nanos::from_secs(1)));
    let m = info.monthly.unwrap();
    assert_eq!((m.limit, m.remaining), (Some(50_000), Some(49_993)));
    assert_eq!(m.reset_after, Some(Nanos::from_secs(3600)));
    assert_eq!(info.wait_hint(), Some(Nanos::from_secs(1)));
}

#[test]
fn the_wrong_reset_reading_is_harmful_both_ways() {
    let now = UnixTime::from_secs(1_716_461_200);
    let epoch = [
        ("X-RateLimit-Remaining", "0"),
        ("X-RateLimit-Reset", "1716461235"),
    ];
    let as_delta = ParseOptions {
        reset: ResetInterpretation::Delta,
        ..ParseOptions::default()
    };
    let waited = parse(&epoch, now, &as_delta).unwrap().wait_hint().unwrap();
    assert!(
        waited > Nanos::from_secs(50 * 365 * 86_400),
        "decades: {waited}"
    );

    let delta = [("X-RateLimit-Remaining", "0"), ("X-RateLimit-Reset", "30")];
    let as_epoch = ParseOptions {
        reset: ResetInterpretation::Epoch,
        ..ParseOptions::default()
    };
    let waited = parse(&delta, now, &as_epoch).unwrap().wait_hint();
    assert_eq!(waited, Some(Nanos::ZERO), "1970 is past: retries at once");
    let auto = parse(&delta, now, &ParseOptions::default()).unwrap();
    assert_eq!(auto.wait_hint(), Some(Nanos::from_secs(30)));
}

#[test]
fn ietf_picks_the_binding_policy_and_its_quota() {
    let h = [
        (
            "ratelimit-policy",
            r#""burst";q=100;w=60, "day";q=1000;w=86400"#,
        ),
        (
            "RateLimit",
            r#""burst";r=50;t=30, "day";r=0;t=3600;pk=:cHsdsRa894==:"#,
        ),
    ];
    let info = parse(
        &h,
        UnixTime::from_secs(1_700_000_000),
        &ParseOptions::default(),
    )
    .unwrap();
    assert_eq!(info.policy.as_deref(), Some("day"));
    assert_eq!((info.limit, info.remaining), (Some(1000), Some(0)));
    assert_eq!(info.window, Some(Nanos::from_secs(86_400)));
    assert_eq!(info.wait_hint(), Some(Nanos::from_secs(3600)));

    let draft07 = [
        ("RateLimit-Policy", "100;w=60"),
        ("RateLimit", "limit=100, remaining=50, reset=30"),
    ];
    let info = parse(&draft07, UnixTime(0), &ParseOptions::default()).unwrap();
    assert_eq!((info.limit, info.remaining), (Some(100), Some(50)));
    assert_eq!(info.reset_after, Some(Nanos::from_secs(30)));
    assert_eq!(info.window, Some(Nanos::from_secs(60)));
}

#[test]
fn retry_after_http_date_forms() {
    let now = UnixTime::from_secs(784_111_777 - 20);
    for date in [
        "Sun, 06 Nov 1994 08:49:37 GMT",
        "Sunday, 06-Nov-94 08:49:37 GMT",
        "Sun Nov  6 08:49:37 1994",
    ] {
        let info = parse(&[("retry-after", date)], now, &ParseOptions::default()).unwrap();
        assert_eq!(info.retry_after, Some(Nanos::from_secs(20)), "{date}");
    }
    let past = parse(
        &[("Retry-After", "Sun, 06 Nov 1994 08:49:37 GMT")],
        UnixTime::from_secs(1_700_000_000),
        &ParseOptions::default(),
    )
    .unwrap();
    assert_eq!(past.retry_after, Some(Nanos::ZERO));
}

#[test]
fn repeated_single_fields_must_agree() {
    let now = UnixTime(0);
    let same = [("x-ratelimit-limit", "60"), ("X-RateLimit-Limit", " 60")];
    assert!(parse(&same, now, &ParseOptions::default()).is_ok());
    let differ = [("x-ratelimit-limit", "60"), ("X-RateLimit-Limit", "600")];
    assert!(matches!(
        parse(&differ, now, &ParseOptions::default()),
        Err(HeaderError::Conflicting { .. })
    ));
    // List fields combine across lines (RFC 9110 §5.3).
    let split = [("RateLimit", r#""a";r=5"#), ("RateLimit", r#""b";r=1;t=9"#)];
    let info = parse(&split, now, &ParseOptions::default()).unwrap();
    assert_eq!(info.policy.as_deref(), Some("b"));
}

#[test]
fn malformed_corpus_is_rejected_with_typed_errors() {
    let corpus = include_str!("data/malformed_headers.tsv");
    let now = UnixTime::from_secs(1_716_461_200);
    let mut checked = 0;
    for line in corpus.lines().filter(|l| !l.starts_with('#')) {
        let (name, value) = line
            .split_once('\t')
            .expect("corpus lines are name<TAB>value");
        for reading in ResetInterpretation::ALL {
            let opts = ParseOptions {
                reset: *reading,
                quota_reset: *reading,
            };
            let r = parse(&[(name, value)], now, &opts);
            assert!(r.is_err(), "{name}: {value:?} with {reading} gave {r:?}");
            assert!(!r.unwrap_err().to_string().is_empty());
        }
        checked += 1;
    }
    assert!(checked >= 80, "corpus shrank to {checked} lines");
}

fn decision() -> impl Strategy<Value = Decision> {
    let limit = 0u64..1_000_000_000_000_000; // fits a structured-field Integer
    let reset = prop_oneof![
        9 => (0u64..10_000_000 * SEC).prop_map(Nanos),
        1 => Just(Nanos::MAX),
    ];
    (
        limit,
        0u64..=1000,
        reset,
        any::<bool>(),
        0u64..1_000_000 * SEC,
    )
        .prop_map(|(limit, per_mille, reset, allowed, retry)| {
            let remaining = (u128::from(limit) * u128::from(per_mille) / 1000) as u64;
            if allowed {
                Decision::allow(limit, remaining, reset)
            } else {
                Decision::deny(limit, remaining, reset, Nanos(retry))
            }
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn every_dialect_round_trips(
        d in decision(),
        // 2001-09-09 .. 2096: where epoch values are unambiguous for `Auto`.
        now in 1_000_000_000 * SEC..4_000_000_000 * SEC,
        dialect in prop::sample::select(Dialect::ALL),
        http_date in any::<bool>(),
        window in prop::option::of(1u64..1_000_000 * SEC),
    ) {
        let mut style = HeaderStyle::new(dialect);
        if http_date {
            style = style.with_retry_after(RetryAfterFormat::HttpDate);
        }
        if let Some(w) = window {
            style = style.with_window(Nanos(w));
        }
        let now = UnixTime(now);
        let headers = render(&d, &style, now);
        for reading in [right_reading(dialect), ResetInterpretation::Auto] {
            let opts = ParseOptions { reset: reading, quota_reset: reading };
            let info = parse_owned(&headers, now, &opts);
            let unit = if dialect == Dialect::XRateLimitEpochMs { 1_000_000 } else { SEC };
            let (limit, remaining, reset) = match dialect {
                Dialect::XQuotaMonthly => {
                    let m = info.monthly.unwrap();
                    prop_assert_eq!(info.limit, None);
                    (m.limit, m.remaining, m.reset_after)
                }
                _ => (info.limit, info.remaining, info.reset_after),
            };
            prop_assert_eq!(limit, Some(d.limit));
            prop_assert_eq!(remaining, Some(d.remaining));
            if d.reset_after == Nanos::MAX {
                prop_assert_eq!(reset, None);
            } else {
                let got = reset.unwrap();
                prop_assert!(within(got, d.reset_after, unit), "reset {} vs {}", got, d.reset_after);
            }
            match d.retry_after {
                Some(r) if !d.allowed => {
                    let got = info.retry_after.unwrap();
                    prop_assert!(within(got, r, SEC), "retry {} vs {}", got, r);
                    prop_assert!(info.wait_hint().unwrap() >= r);
                }
                _ => prop_assert_eq!(info.retry_after, None),
            }
            if matches!(dialect, Dialect::Ietf | Dialect::IetfDraft07) {
                let w = window.map(|w| Nanos::from_secs(Nanos(w).as_secs_ceil()));
                prop_assert_eq!(info.window, w);
            }
        }
    }

    #[test]
    fn arbitrary_values_never_panic(
        value in any::<String>(),
        name in prop::sample::select(vec![
            "x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset", "retry-after",
            "ratelimit", "ratelimit-policy", "x-quota-monthly-reset", "X-RATELIMIT-RESET",
        ]),
        now in any::<u64>(),
        reading in prop::sample::select(ResetInterpretation::ALL),
    ) {
        let opts = ParseOptions { reset: reading, quota_reset: reading };
        let _ = parse(&[(name, value.as_str())], UnixTime(now), &opts);
    }

    #[test]
    fn structured_looking_garbage_never_panics(
        value in r#"[ "a-z0-9;=,:?*.()\\-]{0,40}"#,
        now in any::<u64>(),
    ) {
        let _ = parse(&[("ratelimit", value.as_str()), ("ratelimit-policy", value.as_str())], UnixTime(now), &ParseOptions::default());
    }

    #[test]
    fn date_like_garbage_never_panics(
        value in r"(Sun|Mon|Sunday)?,? ?[0-9 ]{0,3}[-A-Za-z]{0,4}[-0-9 ]{0,5}[0-9:]{0,9} ?(GMT)?",
        now in any::<u64>(),
    ) {
        let _ = parse(&[("retry-after", value.as_str())], UnixTime(now), &ParseOptions::default());
    }
}
