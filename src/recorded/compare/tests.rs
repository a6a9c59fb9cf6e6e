use super::*;
use std::collections::BTreeMap;

/// A figure off by more than the tolerance agrees when the simulated replicas spread that
/// far; one beyond the spread (widened by the tolerance) still differs; other rows keep
/// their verdicts.
#[test]
fn a_disagreeing_figure_within_the_simulated_spread_agrees() {
    let j = Judge {
        tolerance: 0.05,
        min_count: 20,
    };
    let rows = |sim: f64, live: f64| {
        vec![
            j.row("lab", "attempts".into(), sim, live, None),
            j.row(
                "lab",
                "admitted".into(),
                sim,
                live,
                Some((sim as u64, live as u64)),
            ),
        ]
    };
    let replicas = vec![rows(118.0, 0.0), rows(126.0, 0.0), rows(122.0, 0.0)];
    let mut inside = rows(119.0, 132.0);
    assert_eq!(inside[1].verdict, Verdict::Disagree);
    widen_by_spread(&mut inside, &replicas, 0.05);
    assert_eq!(inside[1].verdict, Verdict::WithinSpread);
    assert_eq!(inside[1].sim_range, Some((118.0, 126.0)));
    assert_eq!(inside[0].verdict, Verdict::Info);
    let mut outside = rows(119.0, 133.0); // > 126 x 1.05 = 132.3
    widen_by_spread(&mut outside, &replicas, 0.05);
    assert_eq!(outside[1].verdict, Verdict::Disagree);
    let mut below = rows(119.0, 111.0); // < 118 x 0.95 = 112.1
    widen_by_spread(&mut below, &replicas, 0.05);
    assert_eq!(below[1].verdict, Verdict::Disagree);
    // without replicas nothing changes
    let mut none = rows(119.0, 132.0);
    widen_by_spread(&mut none, &[], 0.05);
    assert_eq!(
        (none[1].verdict, none[1].sim_range),
        (Verdict::Disagree, None)
    );
}

fn figures(attempts: u64, successes: u64, r429: u64) -> Figures {
    Figures {
        logical: 100,
        attempts,
        admitted: Some(successes),
        rejected: BTreeMap::from([(429, r429)]),
        successes,
        ..Figures::default()
    }
}

const JUDGE: Judge = Judge {
    tolerance: 0.05,
    min_count: 20,
};

fn verdict(rows: &[Row], figure: &str) -> Verdict {
    rows.iter()
        .find(|r| r.figure == figure)
        .map(|r| r.verdict)
        .unwrap()
}

#[test]
fn headline_figures_are_judged_against_the_tolerance() {
    let rows = JUDGE.rows("total", &figures(150, 100, 50), &figures(152, 96, 56), 10.0);
    assert_eq!(verdict(&rows, "admitted"), Verdict::Agree); // -4 %
    assert_eq!(verdict(&rows, "rejected 429"), Verdict::Disagree); // +12 %
    assert_eq!(verdict(&rows, "retry amplification"), Verdict::Agree);
    assert_eq!(verdict(&rows, "goodput /s"), Verdict::Agree);
    assert_eq!(verdict(&rows, "attempts"), Verdict::Info);
    let g = rows.iter().find(|r| r.figure == "goodput /s").unwrap();
    assert_eq!((g.sim, g.live), (10.0, 9.6));
    assert!(rows.iter().all(|r| !r.figure.starts_with("hedge")));
}

#[test]
fn hedges_are_shown_when_either_side_hedged() {
    let hedged = |hedges, hedge_wins| Figures {
        hedges,
        hedge_wins,
        ..figures(110, 100, 0)
    };
    let rows = JUDGE.rows("web", &hedged(10, 7), &hedged(12, 0), 10.0);
    let h = rows.iter().find(|r| r.figure == "hedges").unwrap();
    assert_eq!((h.sim, h.live, h.verdict), (10.0, 12.0, Verdict::Info));
    assert_eq!(verdict(&rows, "hedge wins"), Verdict::Info);
}

#[test]
fn small_counts_are_not_judged_and_zero_against_nonzero_is_unbounded() {
    let rows = JUDGE.rows("web", &figures(100, 100, 0), &figures(103, 97, 3), 1.0);
    let r = rows.iter().find(|r| r.figure == "rejected 429").unwrap();
    assert_eq!((r.rel_diff, r.verdict), (None, Verdict::TooFew));
    let strict = Judge {
        min_count: 0,
        ..JUDGE
    };
    let rows = strict.rows("web", &figures(100, 100, 0), &figures(103, 97, 3), 1.0);
    assert_eq!(verdict(&rows, "rejected 429"), Verdict::Disagree);
    assert_eq!(rel_diff(0.0, 0.0), Some(0.0));
}

#[test]
fn table_and_csv_carry_every_row() {
    let rows = JUDGE.rows(
        "total",
        &figures(150, 100, 50),
        &figures(150, 100, 50),
        10.0,
    );
    let text = render(&rows);
    assert!(
        text.contains("rejected 429") && text.contains("+0.0%"),
        "{text}"
    );
    let csv = to_csv("calm", 42, 10.0, &rows);
    assert_eq!(csv.lines().count(), rows.len() + 1);
    assert!(
        csv.contains("calm,42,10,total,admitted,100,100,0,agree"),
        "{csv}"
    );
}
