//! `check-live` rows for a deployment: the over-admission figures the simulator prints
//! (`sim::server::deployment::DeploymentFigures`) against the same figures measured live.
//!
//! Judged like the headline figures (within the tolerance), and, because over-admission counts
//! are often small (a few requests over a limit of 20), also accepted when the live count lies
//! inside the 95% interval the simulated value implies:
//! - `admitted over limit`: a proportion of the admissions. With the simulated share
//!   `p = over / admitted` and `n` live admissions, the live count agrees when it is within
//!   `1.96 sqrt(n p (1 - p))` of `n p` (the normal approximation of the binomial interval);
//!   when the simulation has none over, the rule of three bounds `p` by `3 / admitted`.
//! - `refused with room`: a proportion of the attempts, judged the same way where the replicas
//!   decide in memory (local, split, synced). Where Redis decides (central), the row is shown,
//!   not judged: the clients time a verdict by the replica's arrival stamp, Redis decides by its
//!   own `TIME` a store round trip later, so one admission on a window boundary lands in the
//!   exact limiter's other window and every refusal of the next window reads as one with room
//!   (measured: 0 in 4 runs of 5, 21 in the fifth; the simulator's central level is exact by
//!   construction).
//! - `max in a window / limit` (per level): the most admissions in one window is a count `k`
//!   (the ratio times the limit); the live count agrees within `1.96 sqrt(k)` of the simulated
//!   one (the binomial of many requests each admitted with a small probability, i.e. Poisson).
//! - `replicas: Jain's index of attempts`: how evenly the balancer spread the attempts (live,
//!   from each replica's `/metrics`), within the tolerance.

use crate::recorded::compare::{Judge, Row, Verdict};
use sim::server::deployment::DeploymentFigures;

/// Half the width of the 95% interval of a normal approximation.
const Z95: f64 = 1.96;

/// Whether `live` lies in the binomial 95% interval of `sim_over` out of `sim_n`, scaled to
/// `live_n` trials.
pub fn within_binomial(sim_over: u64, sim_n: u64, live_over: u64, live_n: u64) -> bool {
    if sim_n == 0 || live_n == 0 {
        return sim_over == live_over;
    }
    let n = live_n as f64;
    let p = if sim_over == 0 {
        3.0 / sim_n as f64
    } else {
        sim_over as f64 / sim_n as f64
    }
    .min(1.0);
    let mean = if sim_over == 0 { 0.0 } else { n * p };
    let half = Z95 * (n * p * (1.0 - p)).sqrt();
    let hi = if sim_over == 0 { n * p } else { mean + half };
    (live_over as f64) <= hi.max(mean) && (live_over as f64) >= mean - half
}

/// Whether a live window count `live` lies in the Poisson 95% interval of the simulated `sim`.
pub fn within_poisson(sim: f64, live: f64) -> bool {
    (live - sim).abs() <= Z95 * sim.max(1.0).sqrt()
}

fn judged(mut row: Row, inside: bool) -> Row {
    if row.verdict == Verdict::Disagree && inside {
        row.verdict = Verdict::WithinInterval;
    }
    row
}

/// A deployment's rejection counts (the headline rows `rejected ...` of `total`) are small
/// next to the attempts when the limit is generous: one that differs by more than the
/// tolerance still agrees inside the binomial 95% interval of the simulated share of the
/// attempts (which replica a request reaches follows real timing through the balancer).
pub fn widen_rejections(rows: &mut [Row], sim_attempts: u64, live_attempts: u64) {
    for r in rows
        .iter_mut()
        .filter(|r| r.fleet == "total" && r.figure.starts_with("rejected"))
    {
        let inside = within_binomial(
            r.sim.round() as u64,
            sim_attempts,
            r.live.round() as u64,
            live_attempts,
        );
        if r.verdict == Verdict::Disagree && inside {
            r.verdict = Verdict::WithinInterval;
        }
    }
}

/// A count row `figure`, `sim` of `sim_n` against `live` of `live_n`: within the tolerance,
/// or inside the binomial 95% interval (a count under `min_count` is judged on its interval
/// rather than not at all).
fn count_row(
    judge: &Judge,
    figure: &str,
    (sim, sim_n): (u64, u64),
    (live, live_n): (u64, u64),
) -> Row {
    let row = judge.row(
        "deployment",
        figure.into(),
        sim as f64,
        live as f64,
        Some((sim, live)),
    );
    let inside = within_binomial(sim, sim_n, live, live_n);
    match row.verdict {
        Verdict::TooFew if row.rel_diff == Some(0.0) => Row {
            verdict: Verdict::Agree,
            ..row
        },
        Verdict::TooFew if inside => Row {
            verdict: Verdict::WithinInterval,
            ..row
        },
        Verdict::TooFew => Row {
            verdict: Verdict::Disagree,
            ..row
        },
        _ => judged(row, inside),
    }
}

/// The deployment rows of a simulated run against a live one.
pub fn rows(judge: &Judge, sim: &DeploymentFigures, live: &DeploymentFigures) -> Vec<Row> {
    let mut out = vec![count_row(
        judge,
        "admitted over limit",
        (sim.admitted_over_limit, sim.admitted),
        (live.admitted_over_limit, live.admitted),
    )];
    let (sim_n, live_n) = (
        sim.attempts_per_replica.iter().sum::<u64>(),
        live.attempts_per_replica.iter().sum::<u64>(),
    );
    if sim_n > 0 && live_n > 0 {
        let mut room = count_row(
            judge,
            "refused with room",
            (sim.refused_with_room, sim_n),
            (live.refused_with_room, live_n),
        );
        if sim.levels.iter().any(|l| l.state == "central") {
            room.verdict = Verdict::Info;
        }
        out.push(room);
        if let (Some(a), Some(b)) = (sim.replica_jain, live.replica_jain) {
            let basis = Some((sim_n, live_n));
            let figure = "replicas: Jain's index of attempts".to_string();
            out.push(judge.row("deployment", figure, a, b, basis));
        }
    }
    for (s, l) in sim.levels.iter().zip(&live.levels) {
        let (Some(a), Some(b), Some(limit)) =
            (s.max_window_over_limit, l.max_window_over_limit, s.limit)
        else {
            continue;
        };
        let (ka, kb) = (a * limit as f64, b * limit as f64);
        let row = judge.row(
            "deployment",
            format!("level {} ({}) max in a window / limit", s.level, s.state),
            a,
            b,
            Some((ka.round() as u64, kb.round() as u64)),
        );
        out.push(judged(row, within_poisson(ka, kb)));
    }
    out.push(judge.row(
        "deployment",
        "admitted (clients' view)".into(),
        sim.admitted as f64,
        live.admitted as f64,
        None,
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_counts_agree_inside_their_interval_and_not_outside() {
        // 10 over of 1000 simulated; live 14 of 1000 is 40% off but inside the interval
        assert!(within_binomial(10, 1000, 14, 1000));
        assert!(!within_binomial(10, 1000, 40, 1000));
        // none over simulated: a live 1 of 1000 is inside the rule of three, 10 is not
        assert!(within_binomial(0, 1000, 1, 1000));
        assert!(!within_binomial(0, 1000, 10, 1000));
        assert!(within_poisson(24.0, 30.0));
        assert!(!within_poisson(24.0, 40.0));
    }

    #[test]
    fn rows_judge_over_admission_by_tolerance_or_interval() {
        let judge = Judge {
            tolerance: 0.05,
            min_count: 20,
        };
        let fig = |admitted, over, ratio| DeploymentFigures {
            admitted,
            admitted_over_limit: over,
            levels: vec![sim::server::deployment::LevelFigures {
                limit: Some(20),
                max_window_over_limit: Some(ratio),
                state: "synced".into(),
                ..Default::default()
            }],
            ..Default::default()
        };
        let r = rows(&judge, &fig(1000, 100, 1.5), &fig(1000, 103, 1.65));
        assert_eq!(r[0].verdict, Verdict::Agree);
        assert_eq!(r[1].verdict, Verdict::WithinInterval);
        let r = rows(&judge, &fig(1000, 100, 1.5), &fig(1000, 300, 3.0));
        assert_eq!(r[0].verdict, Verdict::Disagree);
        assert_eq!(r[1].verdict, Verdict::Disagree);
    }

    #[test]
    fn refusals_with_room_and_the_replicas_spread_are_judged_when_measured() {
        let judge = Judge {
            tolerance: 0.05,
            min_count: 20,
        };
        let fig = |per: Vec<u64>, room| DeploymentFigures {
            admitted: 800,
            refused_with_room: room,
            replica_jain: sim::server::deployment::replica_jain(&per),
            attempts_per_replica: per,
            ..Default::default()
        };
        let find = |rows: &[Row], name: &str| {
            rows.iter()
                .find(|r| r.figure == name)
                .map(|r| r.verdict)
                .unwrap()
        };
        let sim = fig(vec![500, 500], 10);
        let r = rows(&judge, &sim, &fig(vec![498, 502], 12));
        assert_eq!(find(&r, "refused with room"), Verdict::WithinInterval);
        assert_eq!(
            find(&r, "replicas: Jain's index of attempts"),
            Verdict::Agree
        );
        let r = rows(&judge, &sim, &fig(vec![900, 100], 60));
        assert_eq!(find(&r, "refused with room"), Verdict::Disagree);
        assert_eq!(
            find(&r, "replicas: Jain's index of attempts"),
            Verdict::Disagree
        );
        // decided in Redis: shown, not judged
        let mut central = fig(vec![500, 500], 0);
        central.levels = vec![sim::server::deployment::LevelFigures {
            state: "central".into(),
            ..Default::default()
        }];
        let r = rows(&judge, &central, &fig(vec![500, 500], 21));
        assert_eq!(find(&r, "refused with room"), Verdict::Info);
        // not measured live (no replica counts): no rows rather than a false verdict
        let r = rows(&judge, &sim, &fig(Vec::new(), 0));
        assert!(r.iter().all(|r| r.figure != "refused with room"));
    }
}
