//! The verdict rule of a comparison: which way each figure is better, and what the paired
//! difference's 95% interval says about B against A.
//!
//! A verdict says "better" or "worse" only when the interval of the difference excludes zero
//! and the figure has a direction (more goodput is better, more latency is worse); a
//! significant change of a figure without one (attempts, admitted) is "higher" or "lower".
//! Kept apart from the page because the rule is the report's one judgement, and is tested on
//! its own.

use crate::tables::FigureDiff;

/// Which way a figure is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Better {
    /// More is better (goodput).
    Higher,
    /// Less is better (latency).
    Lower,
}

/// The direction of a figure (a fleet's `web:goodput_rps` as `goodput_rps`), if it has one.
///
/// ```
/// use report::html::compare_report::{direction, Better};
/// assert_eq!(direction("web:goodput_rps"), Some(Better::Higher));
/// assert_eq!(direction("rejected_429"), Some(Better::Lower));
/// assert_eq!(direction("attempts"), None);
/// ```
pub fn direction(figure: &str) -> Option<Better> {
    let base = figure.rsplit(':').next().unwrap_or(figure);
    const HIGHER: [&str; 7] = [
        "goodput_rps",
        "success_ratio",
        "successes",
        "fairness_clients",
        "fairness_tenants",
        "jain_max_min",
        "recovered",
    ];
    const LOWER_PREFIX: [&str; 9] = [
        "latency_",
        "rejected_",
        "server_errors_",
        "give_ups_",
        "wasted_",
        "hedge_abandoned",
        "duplicates_executed",
        "time_to_recover_s",
        "in_flight_at_end",
    ];
    const LOWER: [&str; 4] = [
        "retry_amplification",
        "rejection_rate",
        "timeouts",
        "retries",
    ];
    if HIGHER.contains(&base) {
        Some(Better::Higher)
    } else if LOWER.contains(&base)
        || (LOWER_PREFIX.iter().any(|p| base.starts_with(p)) && base != "latency_count")
    {
        Some(Better::Lower)
    } else {
        None
    }
}

/// The verdict on one figure, and the row class that colours it.
pub fn verdict(d: &FigureDiff) -> (String, &'static str) {
    let Some((lo, hi)) = d.diff_ci95 else {
        return ("no interval (fewer than 2 pairs)".into(), "");
    };
    if lo <= 0.0 && hi >= 0.0 {
        return ("no significant difference".into(), "");
    }
    let up = lo > 0.0;
    match (direction(&d.figure), up) {
        (Some(Better::Higher), true) | (Some(Better::Lower), false) => {
            ("B better".into(), "better")
        }
        (Some(_), _) => ("B worse".into(), "worse"),
        (None, true) => ("B higher".into(), ""),
        (None, false) => ("B lower".into(), ""),
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    pub(in super::super) fn diff(figure: &str, a: f64, d: f64, ci: (f64, f64)) -> FigureDiff {
        FigureDiff {
            figure: figure.into(),
            a_mean: Some(a),
            b_mean: Some(a + d),
            n: 5,
            diff_mean: Some(d),
            diff_ci95: Some(ci),
        }
    }

    #[test]
    fn verdicts_follow_direction_and_interval() {
        assert_eq!(
            verdict(&diff("goodput_rps", 10.0, 2.0, (1.0, 3.0))).0,
            "B better"
        );
        assert_eq!(
            verdict(&diff("latency_p99_ms", 10.0, 2.0, (1.0, 3.0))).0,
            "B worse"
        );
        assert_eq!(
            verdict(&diff("latency_p99_ms", 10.0, 2.0, (-1.0, 3.0))).0,
            "no significant difference"
        );
        assert_eq!(
            verdict(&diff("attempts", 10.0, -2.0, (-3.0, -1.0))).0,
            "B lower"
        );
        let mut one = diff("goodput_rps", 1.0, 1.0, (0.0, 0.0));
        one.diff_ci95 = None;
        assert!(verdict(&one).0.starts_with("no interval"));
    }
}
