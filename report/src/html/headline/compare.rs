//! The answer of a comparison: B against A on the headline figures of the whole run and of
//! every fleet (`quiet:goodput_rps`), counting the figures where the 95% interval of the
//! paired difference excludes zero, better or worse by the figure's direction; the largest
//! relative changes are named with their intervals, so a fleet that changed is not hidden by
//! an all-fleet total that did not.

use super::{noun, Headline};
use crate::html::compare_report::verdict;
use crate::human;
use crate::tables::{CompareManifest, FigureDiff};

/// The figures weighed, per fleet and for the whole run.
const FIGURES: [&str; 7] = [
    "goodput_rps",
    "success_ratio",
    "rejected_total",
    "latency_p99_ms",
    "retry_amplification",
    "give_ups_total",
    "jain_max_min",
];

fn weighed(d: &FigureDiff) -> bool {
    let base = d.figure.rsplit(':').next().unwrap_or(&d.figure);
    FIGURES.contains(&base)
}

/// `quiet goodput (req/s) 4.00 -> 9.00 (+125%, 95% CI +110% to +140%)`.
fn phrase(d: &FigureDiff) -> String {
    let scope = match d.figure.split_once(':') {
        Some((scope, _)) => match scope.strip_prefix("tenant/") {
            Some(tenant) => format!("tenant {tenant} "),
            None => format!("fleet {scope} "),
        },
        None => "all fleets' ".to_owned(),
    };
    let v = |x: Option<f64>| x.map_or_else(|| "-".into(), |x| human::figure(&d.figure, x));
    let change = match (d.change_pct(), d.diff_ci95, d.a_mean) {
        (Some(c), Some((lo, hi)), Some(a)) if a != 0.0 => format!(
            " ({}{}%, 95% CI {}{}% to {}{}%)",
            sign(c),
            human::sig(c),
            sign(100.0 * lo / a.abs()),
            human::sig(100.0 * lo / a.abs()),
            sign(100.0 * hi / a.abs()),
            human::sig(100.0 * hi / a.abs())
        ),
        _ => String::new(),
    };
    format!(
        "{scope}{} {} -> {}{change}",
        noun(&d.figure),
        v(d.a_mean),
        v(d.b_mean)
    )
}

fn sign(v: f64) -> &'static str {
    if v > 0.0 {
        "+"
    } else {
        ""
    }
}

/// The headline of a comparison report.
pub fn compare_headline(m: &CompareManifest, diffs: &[FigureDiff], question: String) -> Headline {
    let judged: Vec<(&FigureDiff, bool)> = diffs
        .iter()
        .filter(|d| weighed(d))
        .filter_map(|d| match verdict(d).1 {
            "better" => Some((d, true)),
            "worse" => Some((d, false)),
            _ => None,
        })
        .collect();
    let nb = judged.iter().filter(|(_, b)| *b).count();
    let nw = judged.len() - nb;
    let by_size = |better: bool| {
        let mut v: Vec<&FigureDiff> = judged
            .iter()
            .filter(|(_, b)| *b == better)
            .map(|(d, _)| *d)
            .collect();
        v.sort_by(|a, b| {
            let size = |d: &FigureDiff| d.change_pct().map_or(0.0, f64::abs);
            size(b).total_cmp(&size(a)).then(a.figure.cmp(&b.figure))
        });
        v
    };
    let (better, worse) = (by_size(true), by_size(false));
    let pairs = diffs.iter().map(|d| d.n).max().unwrap_or(0);
    let answer = if judged.is_empty() {
        format!(
            "The {pairs} paired seeds cannot tell B ({}) from A ({}) on any headline figure at \
             95% confidence.",
            m.b, m.a
        )
    } else {
        // A winner only when every significant change points the same way; otherwise the
        // trade-off is the answer, with the largest change of each kind named.
        let verdict = match (nb > 0, nw > 0) {
            (true, false) => format!("B ({}) is better than A ({})", m.b, m.a),
            (false, true) => format!("A ({}) is better than B ({})", m.a, m.b),
            _ => format!("B ({}) trades against A ({})", m.b, m.a),
        };
        let mut named: Vec<String> = better.iter().take(2).map(|d| phrase(d)).collect();
        named.extend(
            worse
                .iter()
                .take(if better.is_empty() { 2 } else { 1 })
                .map(|d| phrase(d)),
        );
        format!(
            "{verdict}: better on {nb} and worse on {nw} headline figures of the fleets and \
             the whole run (95% CI of the paired difference over {pairs} seeds excludes 0). \
             {}.",
            capitalise(&named.join("; "))
        )
    };
    Headline {
        question,
        answer,
        chart: Some("compare_changes".into()),
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next().map_or_else(String::new, |f| {
        f.to_uppercase().collect::<String>() + c.as_str()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn diff(figure: &str, a: f64, d: f64, ci: (f64, f64)) -> FigureDiff {
        FigureDiff {
            figure: figure.into(),
            a_mean: Some(a),
            b_mean: Some(a + d),
            n: 10,
            diff_mean: Some(d),
            diff_ci95: Some(ci),
        }
    }

    fn manifest() -> CompareManifest {
        CompareManifest {
            kind: CompareManifest::KIND.into(),
            version: "0".into(),
            a: "global".into(),
            b: "tenant".into(),
            a_file: "a.toml".into(),
            b_file: "b.toml".into(),
            seeds: (1..=10).collect(),
        }
    }

    #[test]
    fn a_fleet_that_gained_is_named_before_a_total_that_lost() {
        // The fairness pair: all fleets' goodput -1.5%, the quiet tenant's +125%.
        let diffs = [
            diff("goodput_rps", 100.0, -1.5, (-2.0, -1.0)),
            diff("quiet:goodput_rps", 4.0, 5.0, (4.4, 5.6)),
            diff("noisy:goodput_rps", 96.0, -6.5, (-7.0, -6.0)),
            diff("attempts", 1000.0, 10.0, (5.0, 15.0)),
        ];
        let h = compare_headline(&manifest(), &diffs, "q".into());
        assert!(
            h.answer
                .starts_with("B (tenant) trades against A (global): better on 1 and worse on 2"),
            "{}",
            h.answer
        );
        assert!(
            h.answer.contains(
                "Fleet quiet goodput (req/s) 4.00 -> 9.00 (+125%, 95% CI +110% to +140%)"
            ),
            "{}",
            h.answer
        );
        assert_eq!(h.chart.as_deref(), Some("compare_changes"));
    }

    #[test]
    fn no_significant_change_says_so() {
        let diffs = [diff("goodput_rps", 100.0, 0.1, (-1.0, 1.2))];
        let h = compare_headline(&manifest(), &diffs, "q".into());
        assert!(
            h.answer.starts_with("The 10 paired seeds cannot tell"),
            "{}",
            h.answer
        );
    }
}
