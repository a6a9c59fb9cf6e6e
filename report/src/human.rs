//! Numbers for people: what the HTML reports and printed tables show. Exact values stay in the
//! CSV/Parquet/JSON files; these functions only decide how a value reads on screen.
//!
//! Rules (issue #12): three significant digits everywhere (thousands shown whole, never in
//! scientific notation, so `-7.821e-4` reads `-0.000782`); latency in ms below 10 s and in s
//! from 10 s on (`850 ms`, `47.0 s`); a figure's unit beside its value when the unit changes
//! with the value.

/// `v` with three significant digits, whole from 1000 on, never scientific.
///
/// ```
/// use report::human::sig;
/// assert_eq!(sig(-7.821e-4), "-0.000782");
/// assert_eq!(sig(12345.6), "12346");
/// assert_eq!(sig(40.0), "40.0");
/// assert_eq!(sig(1.0), "1.00");
/// assert_eq!(sig(0.0), "0");
/// ```
pub fn sig(v: f64) -> String {
    if !v.is_finite() {
        return "-".into();
    }
    if v == 0.0 {
        return "0".into();
    }
    let a = v.abs();
    if a >= 999.5 {
        return format!("{v:.0}");
    }
    // Digits after the point for three significant digits, rounding to 1000 handled above.
    let mag = a.log10().floor() as i32;
    let mut decimals = (2 - mag).max(0) as usize;
    // 9.996 rounds to 10.00 with two decimals: one fewer keeps three digits.
    let digits = format!("{a:.decimals$}").replace('.', "");
    if digits.trim_start_matches('0').len() > 3 && decimals > 0 {
        decimals -= 1;
    }
    format!("{v:.decimals$}")
}

/// A latency in milliseconds: `850 ms`, `1.25 s` is shown as `1250 ms`, from 10 s on in
/// seconds (`47.0 s`).
///
/// ```
/// use report::human::latency_ms;
/// assert_eq!(latency_ms(47_012.0), "47.0 s");
/// assert_eq!(latency_ms(850.4), "850 ms");
/// assert_eq!(latency_ms(3.214), "3.21 ms");
/// ```
pub fn latency_ms(ms: f64) -> String {
    if ms.abs() >= 10_000.0 {
        format!("{} s", sig(ms / 1000.0))
    } else {
        format!("{} ms", sig(ms))
    }
}

/// A signed difference of latencies in milliseconds, in the unit [`latency_ms`] would use for
/// `scale` (the larger of the two values compared), so a row reads in one unit.
pub fn latency_ms_in(ms: f64, scale: f64) -> String {
    if scale.abs() >= 10_000.0 {
        format!("{} s", sig(ms / 1000.0))
    } else {
        format!("{} ms", sig(ms))
    }
}

/// A share in [0, 1] as a percentage with up to three significant digits: `0.5` -> `50.0%`.
pub fn pct(share: f64) -> String {
    format!("{}%", sig(100.0 * share))
}

/// A count: whole, with no decimals when it is whole (`162`), else three significant digits
/// (a mean over seeds, `161.5`).
pub fn count(v: f64) -> String {
    if v == v.trunc() && v.abs() < 1e15 {
        format!("{v:.0}")
    } else {
        sig(v)
    }
}

/// A figure's value as shown in a report, by the figure's column name: latencies (`*_ms`) with
/// their unit, counts whole, ratios and rates with three significant digits.
pub fn figure(name: &str, v: f64) -> String {
    let base = name.rsplit(':').next().unwrap_or(name);
    if base.starts_with("latency_") && base.ends_with("_ms") {
        latency_ms(v)
    } else if is_count(base) {
        count(v)
    } else {
        sig(v)
    }
}

/// Whether a figure is a count of things (attempts, rejections, give-ups).
pub fn is_count(base: &str) -> bool {
    const COUNTS: [&str; 16] = [
        "clients",
        "logical_requests",
        "attempts",
        "first_attempts",
        "retries",
        "hedges",
        "hedge_wins",
        "hedge_abandoned",
        "admitted",
        "timeouts",
        "successes",
        "in_flight_at_end",
        "latency_count",
        "duplicates_executed",
        "wasted_attempts",
        "recovered",
    ];
    COUNTS.contains(&base)
        || base.starts_with("rejected_") && base != "rejection_rate"
        || base.starts_with("server_errors_")
        || base.starts_with("give_ups_")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_significant_digits_without_exponents() {
        assert_eq!(sig(0.12345), "0.123");
        assert_eq!(sig(9.996), "10.0");
        assert_eq!(sig(99.96), "100");
        assert_eq!(sig(-1.5), "-1.50");
        assert_eq!(sig(123.4), "123");
        assert_eq!(sig(1e-7), "0.000000100");
        assert_eq!(sig(f64::NAN), "-");
        for v in [1e-9, -3e-5, 2.5e5, 7.3e12] {
            assert!(!sig(v).contains('e'), "{v} -> {}", sig(v));
        }
    }

    #[test]
    fn latency_switches_to_seconds_at_ten() {
        assert_eq!(latency_ms(9_999.0), "9999 ms");
        assert_eq!(latency_ms(10_000.0), "10.0 s");
        assert_eq!(latency_ms(39_123.0), "39.1 s");
        assert_eq!(latency_ms_in(-8_000.0, 47_000.0), "-8.00 s");
    }

    #[test]
    fn figures_by_name() {
        assert_eq!(figure("jitter:latency_p99_ms", 47_000.0), "47.0 s");
        assert_eq!(figure("rejected_429", 162.0), "162");
        assert_eq!(figure("rejected_total", 161.5), "162");
        assert_eq!(figure("rejection_rate", 0.0123456), "0.0123");
        assert_eq!(figure("goodput_rps", 40.0), "40.0");
        assert_eq!(count(3.0), "3");
    }
}
