//! The answer of one run: with several fleets, the fleet that fares best against the one that
//! fares worst (success ratio first, then rejected attempts, then p99 latency), figure by
//! figure; with one fleet, its headline figures. A run is one seed, so the answer says there
//! is no interval and where to get one. A fault adds the recovery verdict, "did not recover"
//! when any fleet with goodput before the fault did not.

use super::{noun, question_of, Headline};
use crate::human;
use sim::metrics::{RunResult, Summary};
use sim::model::Scenario;
use std::cmp::Ordering;

/// The headline of a run report; `question` from the scenario when it parsed.
pub fn run_headline(r: &RunResult, scenario: Option<&Scenario>) -> Headline {
    let question = scenario
        .map(|s| question_of(&s.question, &s.description))
        .filter(|q| !q.is_empty())
        .unwrap_or_else(|| format!("What happens in {}?", r.scenario));
    let mut answer = if r.fleets.len() > 1 {
        fleets_answer(r)
    } else {
        format!("{}.", one_fleet(&r.summary))
    };
    if let Some(rec) = recovery(r) {
        answer.push(' ');
        answer.push_str(&rec);
    }
    answer.push(' ');
    answer.push_str(&single_run_note(r));
    let chart = if r.fleets.len() > 1 {
        "latency_percentiles"
    } else {
        "timeline"
    };
    Headline {
        question,
        answer,
        chart: Some(chart.into()),
    }
}

/// Why the answer has no interval: a simulated run is one seed, a live run one measurement of
/// real clients against a real server (it has no seed; its `seed` field is the scenario's).
fn single_run_note(r: &RunResult) -> String {
    if r.live {
        "One live measurement (wall-clock, real network): no confidence interval; repeat the \
         load run, or check-live it against the simulation, before trusting a small difference."
            .to_owned()
    } else {
        format!(
            "One seed ({}): no confidence interval (compare or sweep over several seeds for one).",
            r.seed
        )
    }
}

fn p99(s: &Summary) -> Option<f64> {
    s.latency.as_ref().map(|l| l.p99_ms)
}

/// Best first: higher success ratio, fewer rejections, lower p99.
fn rank(a: &Summary, b: &Summary) -> Ordering {
    b.success_ratio
        .total_cmp(&a.success_ratio)
        .then(a.rejected_total.cmp(&b.rejected_total))
        .then(
            p99(a)
                .unwrap_or(f64::INFINITY)
                .total_cmp(&p99(b).unwrap_or(f64::INFINITY)),
        )
}

fn fleets_answer(r: &RunResult) -> String {
    let mut fleets: Vec<(&String, &Summary)> = r.fleets.iter().collect();
    fleets.sort_by(|a, b| rank(a.1, b.1).then(a.0.cmp(b.0)));
    let (best, b) = fleets[0];
    let (worst, w) = fleets[fleets.len() - 1];
    let mut parts = Vec::new();
    if b.rejected_total != w.rejected_total {
        parts.push(format!(
            "{} {} vs {}",
            noun("rejected_total"),
            b.rejected_total,
            w.rejected_total
        ));
    }
    if let (Some(x), Some(y)) = (p99(b), p99(w)) {
        if human::latency_ms(x) != human::latency_ms(y) {
            parts.push(format!(
                "p99 latency {} vs {}",
                human::latency_ms(x),
                human::latency_ms(y)
            ));
        }
    }
    if human::pct(b.success_ratio) != human::pct(w.success_ratio) {
        parts.push(format!(
            "success ratio {} vs {}",
            human::pct(b.success_ratio),
            human::pct(w.success_ratio)
        ));
    }
    if parts.is_empty() {
        return format!(
            "The {} fleets fare alike: {}.",
            fleets.len(),
            one_fleet(&r.summary)
        );
    }
    format!(
        "Fleet {best} fares best of {} and {worst} worst: {}.",
        fleets.len(),
        parts.join(", ")
    )
}

fn one_fleet(s: &Summary) -> String {
    let mut parts = vec![
        format!("goodput {} req/s", human::sig(s.goodput_rps)),
        format!(
            "{} of {} requests succeeded",
            human::pct(s.success_ratio),
            s.logical_requests
        ),
        format!("{} attempts rejected", s.rejected_total),
    ];
    if let Some(p) = p99(s) {
        parts.push(format!("p99 latency {}", human::latency_ms(p)));
    }
    parts.join(", ")
}

/// The recovery verdict: per fleet with goodput before the fault; none without a fault.
fn recovery(r: &RunResult) -> Option<String> {
    let whole = r.summary.recovery.as_ref()?;
    let stuck: Vec<&str> = r
        .fleets
        .iter()
        .filter(|(_, s)| {
            s.recovery
                .as_ref()
                .is_some_and(|x| x.pre_fault_goodput_rps > 0.0 && x.time_to_recover_s.is_none())
        })
        .map(|(n, _)| n.as_str())
        .collect();
    Some(match (whole.time_to_recover_s, stuck.is_empty()) {
        (_, false) if r.fleets.len() > 1 => format!(
            "After the fault, fleet {} did not recover to within 10% of its goodput before it.",
            stuck.join(", ")
        ),
        (Some(t), _) => format!(
            "Goodput was back within 10% of its level before the fault {} s after it ended.",
            human::sig(t)
        ),
        (None, _) => {
            "Goodput did not recover to within 10% of its level before the fault.".to_owned()
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_retry_storm_names_the_jittered_fleet() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../scenarios/retry-storm.toml");
        let text = std::fs::read_to_string(path).unwrap();
        let s = sim::scenario::load_str("retry-storm.toml", &text).unwrap();
        let r = sim::run(&s, s.seed).unwrap();
        let h = run_headline(&r, Some(&s));
        assert!(h.question.contains("full jitter"), "{}", h.question);
        assert!(
            h.answer
                .starts_with("Fleet jitter fares best of 2 and nojitter worst"),
            "{}",
            h.answer
        );
        assert!(h.answer.contains(" s vs "), "latency in s: {}", h.answer);
        assert!(h.answer.contains(&format!("One seed ({})", s.seed)));
    }

    #[test]
    fn a_live_run_has_no_seed_sentence() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../scenarios/retry-storm.toml");
        let text = std::fs::read_to_string(path).unwrap();
        let s = sim::scenario::load_str("retry-storm.toml", &text).unwrap();
        let mut r = sim::run(&s, s.seed).unwrap();
        r.live = true;
        let h = run_headline(&r, Some(&s));
        assert!(!h.answer.contains("seed"), "{}", h.answer);
        assert!(h.answer.contains("One live measurement"), "{}", h.answer);
    }
}
