//! Side by side: one row per figure with the simulated value, the live value, their relative
//! difference `(live - sim) / sim`, and a verdict against the tolerance.
//!
//! Headline figures (the ones the 5 % target is about) are judged: admitted, each
//! rejection status, retry amplification, goodput. Latency, server errors and timeouts are
//! shown for information only: the simulated network delay is not the loopback's, so latency
//! is expected to differ. A count so small that one request either way moves it past the
//! tolerance (both sides under `min_count`) is shown but not judged: its relative difference
//! measures noise, not disagreement.
//!
//! A headline figure outside the tolerance is judged again against the simulated spread
//! ([`widen_by_spread`]): the same run simulated with other draws of the network's timing noise
//! (`sim::Simulation::network_replica`). A scenario whose client reacts to timing (seed 000's
//! AWS adaptive rate: a CUBIC rate capped at twice the measured response rate) moves by several
//! percent with a millisecond of delay (`lab` attempts at 45 s: 118 to 126 simulated for constant
//! delays of 0 to 25 ms), and a live run, whose timing is the machine's, is one more draw of that
//! noise: it agrees when it lies within the simulated range widened by the tolerance.

use super::figures::Figures;
use serde::Serialize;

/// What a row's difference means.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// A headline figure within the tolerance.
    Agree,
    /// A headline figure outside the tolerance.
    Disagree,
    /// A headline figure outside the tolerance of the simulated value, but within the
    /// simulated spread (over network-noise replicas) widened by the tolerance.
    WithinSpread,
    /// A count off by more than the tolerance but inside the binomial 95% interval of the
    /// simulated proportion (deployment figures on small counts, see `deployment_rows`).
    WithinInterval,
    /// A headline count below `min_count` on both sides: not judged.
    TooFew,
    /// Shown for information only.
    Info,
}

impl Verdict {
    /// The word printed in the table.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Agree => "ok",
            Verdict::Disagree => "DIFFERS",
            Verdict::WithinSpread => "ok (spread)",
            Verdict::WithinInterval => "ok (95% CI)",
            Verdict::TooFew => "too few",
            Verdict::Info => "info",
        }
    }
}

/// One figure of one fleet (or `total`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Row {
    /// `total` or a fleet name.
    pub fleet: String,
    /// The figure, e.g. `admitted`, `rejected 429`, `retry amplification`.
    pub figure: String,
    /// Simulated value.
    pub sim: f64,
    /// Live value.
    pub live: f64,
    /// `(live - sim) / sim`; `None` when sim is 0 and live is not (unbounded).
    pub rel_diff: Option<f64>,
    /// Whether it is judged and how it came out.
    pub verdict: Verdict,
    /// The smallest and largest simulated value over the run and its network-noise replicas,
    /// when replicas were run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sim_range: Option<(f64, f64)>,
}

/// The rows as the report crate draws them ([`report::html::AgreementRow`]).
pub fn agreement_rows(rows: &[Row]) -> Vec<report::html::AgreementRow> {
    rows.iter()
        .map(|r| report::html::AgreementRow {
            fleet: r.fleet.clone(),
            figure: r.figure.clone(),
            a: r.sim,
            b: r.live,
            rel_diff: r.rel_diff,
            judged: !matches!(r.verdict, Verdict::Info | Verdict::TooFew),
            agrees: r.verdict != Verdict::Disagree,
            verdict: r.verdict.as_str().to_owned(),
        })
        .collect()
}

/// How rows are judged.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Judge {
    /// Largest accepted `|rel_diff|` of a headline figure, e.g. 0.05.
    pub tolerance: f64,
    /// Headline counts below this on both sides are not judged.
    pub min_count: u64,
}

/// `(live - sim) / sim`, 0 when both are 0, `None` when only sim is 0.
pub fn rel_diff(sim: f64, live: f64) -> Option<f64> {
    if sim == 0.0 {
        (live == 0.0).then_some(0.0)
    } else {
        Some((live - sim) / sim)
    }
}

impl Judge {
    /// One row; `basis` is the pair of counts behind a headline figure (`None`: information
    /// only, not judged).
    pub fn row(
        &self,
        fleet: &str,
        figure: String,
        sim: f64,
        live: f64,
        basis: Option<(u64, u64)>,
    ) -> Row {
        let d = rel_diff(sim, live);
        let verdict = match basis {
            None => Verdict::Info,
            Some((a, b)) if a.max(b) < self.min_count => Verdict::TooFew,
            Some(_) => match d {
                Some(x) if x.abs() <= self.tolerance => Verdict::Agree,
                _ => Verdict::Disagree,
            },
        };
        Row {
            fleet: fleet.to_string(),
            figure,
            sim,
            live,
            rel_diff: d,
            verdict,
            sim_range: None,
        }
    }

    /// The rows of one fleet (or the total) over a run of `secs` seconds.
    pub fn rows(&self, fleet: &str, sim: &Figures, live: &Figures, secs: f64) -> Vec<Row> {
        let c = |x: u64| x as f64;
        let mut rows = Vec::new();
        rows.push(self.row(
            fleet,
            "logical requests".into(),
            c(sim.logical),
            c(live.logical),
            None,
        ));
        rows.push(self.row(
            fleet,
            "attempts".into(),
            c(sim.attempts),
            c(live.attempts),
            None,
        ));
        if let (Some(a), Some(b)) = (sim.admitted, live.admitted) {
            rows.push(self.row(fleet, "admitted".into(), c(a), c(b), Some((a, b))));
        }
        let statuses: std::collections::BTreeSet<u16> = sim
            .rejected
            .keys()
            .chain(live.rejected.keys())
            .copied()
            .collect();
        for s in statuses {
            let a = sim.rejected.get(&s).copied().unwrap_or(0);
            let b = live.rejected.get(&s).copied().unwrap_or(0);
            rows.push(self.row(fleet, format!("rejected {s}"), c(a), c(b), Some((a, b))));
        }
        let (ra, rb) = (sim.rejected_total(), live.rejected_total());
        rows.push(self.row(fleet, "rejected (all)".into(), c(ra), c(rb), Some((ra, rb))));
        let att = Some((sim.attempts, live.attempts));
        rows.push(self.row(
            fleet,
            "retry amplification".into(),
            sim.amplification(),
            live.amplification(),
            att,
        ));
        let ok = Some((sim.successes, live.successes));
        rows.push(self.row(
            fleet,
            "goodput /s".into(),
            sim.goodput(secs),
            live.goodput(secs),
            ok,
        ));
        let errors: std::collections::BTreeSet<u16> = sim
            .server_errors
            .keys()
            .chain(live.server_errors.keys())
            .copied()
            .collect();
        for s in errors {
            let a = sim.server_errors.get(&s).copied().unwrap_or(0);
            let b = live.server_errors.get(&s).copied().unwrap_or(0);
            rows.push(self.row(fleet, format!("server errors {s}"), c(a), c(b), None));
        }
        rows.push(self.row(
            fleet,
            "timeouts".into(),
            c(sim.timeouts),
            c(live.timeouts),
            None,
        ));
        if sim.hedges + live.hedges > 0 {
            // Shown, not judged: how many first copies are slow is a draw on each side
            // (retry amplification, judged, includes the hedges).
            for (name, a, b) in [
                ("hedges", sim.hedges, live.hedges),
                ("hedge wins", sim.hedge_wins, live.hedge_wins),
            ] {
                rows.push(self.row(fleet, name.into(), c(a), c(b), None));
            }
        }
        for (name, a, b) in [
            ("latency p50 ms", sim.p50_ms, live.p50_ms),
            ("latency p99 ms", sim.p99_ms, live.p99_ms),
        ] {
            if let (Some(a), Some(b)) = (a, b) {
                rows.push(self.row(fleet, name.into(), a, b, None));
            }
        }
        rows
    }
}

/// Set each row's simulated range over `replicas` (the rows of the same comparison with a
/// replica's simulated values), and judge a disagreeing headline figure again: within
/// `[min x (1 - tolerance), max x (1 + tolerance)]` it is [`Verdict::WithinSpread`].
pub fn widen_by_spread(rows: &mut [Row], replicas: &[Vec<Row>], tolerance: f64) {
    if replicas.is_empty() {
        return;
    }
    for r in rows.iter_mut() {
        let (mut lo, mut hi) = (r.sim, r.sim);
        for rep in replicas {
            if let Some(x) = rep
                .iter()
                .find(|x| x.fleet == r.fleet && x.figure == r.figure)
            {
                lo = lo.min(x.sim);
                hi = hi.max(x.sim);
            }
        }
        r.sim_range = Some((lo, hi));
        let inside = r.live >= lo * (1.0 - tolerance) && r.live <= hi * (1.0 + tolerance);
        if r.verdict == Verdict::Disagree && inside {
            r.verdict = Verdict::WithinSpread;
        }
    }
}

mod render;

pub use render::{render, render_labeled, to_csv, to_csv_labeled};

#[cfg(test)]
mod tests;
