//! The headline block every report opens with: the question the scenario answers, the answer
//! in one or two sentences with its figures (and their 95% confidence intervals where there
//! are seeds to give one), and the one chart that shows it. The full tables and the other
//! charts follow.
//!
//! Why computed here and not written by hand: the answer must follow the data. Each report
//! kind has its rule, in its own file: a run compares its fleets ([`run`]), a sweep its points
//! for the fleet the swept parameter touches ([`sweep`]), a comparison B against A per fleet
//! ([`compare`]). The question is the scenario's `question` field, else its description.

mod compare;
mod run;
mod sweep;

pub use compare::compare_headline;
pub use run::run_headline;
pub use sweep::sweep_headline;

use super::files::{write, ReportError};
use crate::human;
use std::path::Path;

/// The headline beside `report.html` as JSON, for pages that link a report (the demo index
/// shows each report's question, answer and key chart from it).
pub const HEADLINE_FILE: &str = "headline.json";

/// The headline of a report.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct Headline {
    /// The question (the scenario's `question`, else its description).
    pub question: String,
    /// The answer, computed from the data: one or two sentences with figures.
    pub answer: String,
    /// File stem of the chart that shows it (drawn in the block, not again below).
    pub chart: Option<String>,
}

/// Write `headline.json` into `dir` (nothing without a headline).
pub(crate) fn write_headline(dir: &Path, h: Option<&Headline>) -> Result<(), ReportError> {
    let Some(h) = h else { return Ok(()) };
    let json = serde_json::to_string_pretty(h).unwrap_or_default();
    write(&dir.join(HEADLINE_FILE), format!("{json}\n").as_bytes())
}

/// Read the `headline.json` a report wrote into `dir`.
pub fn read_headline(dir: &Path) -> Option<Headline> {
    let text = std::fs::read_to_string(dir.join(HEADLINE_FILE)).ok()?;
    serde_json::from_str(&text).ok()
}

/// The question of a scenario: its `question` field, else its description.
pub fn question_of(question: &str, description: &str) -> String {
    if question.trim().is_empty() {
        description.trim().to_owned()
    } else {
        question.trim().to_owned()
    }
}

/// A figure's readable name (`latency_p99_ms` -> `p99 latency`).
pub(crate) fn noun(figure: &str) -> String {
    let base = figure.rsplit(':').next().unwrap_or(figure);
    match base {
        "goodput_rps" => "goodput (req/s)".into(),
        "success_ratio" => "success ratio".into(),
        "retry_amplification" => "retry amplification".into(),
        "rejected_total" => "rejected attempts".into(),
        "rejection_rate" => "rejection rate".into(),
        "give_ups_total" => "give-ups".into(),
        "timeouts" => "timeouts".into(),
        "jain_max_min" => "tenant fairness".into(),
        b if b.starts_with("latency_p") && b.ends_with("_ms") => {
            let p = &b["latency_p".len()..b.len() - 3];
            let p = if p.len() > 2 {
                format!("{}.{}", &p[..2], &p[2..])
            } else {
                p.to_owned()
            };
            format!("p{p} latency")
        }
        b if b.starts_with("rejected_") => format!("{} answers", &b["rejected_".len()..]),
        b => b.replace('_', " "),
    }
}

/// `value [lo, hi]` in the figure's human format, or the value alone.
pub(crate) fn with_ci(figure: &str, v: f64, ci: Option<(f64, f64)>) -> String {
    match ci {
        Some((lo, hi)) if lo != hi => format!(
            "{} [{}, {}]",
            human::figure(figure, v),
            human::figure(figure, lo),
            human::figure(figure, hi)
        ),
        _ => human::figure(figure, v),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn question_falls_back_to_the_description() {
        assert_eq!(question_of("", "a storm"), "a storm");
        assert_eq!(question_of(" Does it? ", "a storm"), "Does it?");
    }

    #[test]
    fn nouns_and_intervals() {
        assert_eq!(noun("jitter:latency_p99_ms"), "p99 latency");
        assert_eq!(noun("latency_p999_ms"), "p99.9 latency");
        assert_eq!(noun("rejected_429"), "429 answers");
        assert_eq!(
            with_ci("latency_p99_ms", 47_000.0, Some((46_000.0, 48_000.0))),
            "47.0 s [46.0 s, 48.0 s]"
        );
        assert_eq!(with_ci("rejected_total", 0.0, Some((0.0, 0.0))), "0");
    }
}
