//! Random request streams, scaled to each algorithm's time scale and capacity, and the driver
//! that runs one through a limiter, recording every call so any prefix can be replayed on a
//! fresh limiter (the probes never touch the limiter under test).

use super::table::Case;
use limiters::{Decision, Limiter, Nanos, Outcome, OutcomeKind};
use proptest::prelude::*;

/// How far the clock moves before a call.
#[derive(Clone, Copy, Debug)]
pub enum Gap {
    /// Same instant.
    Zero,
    /// A few nanoseconds (boundary effects).
    Tiny(u64),
    /// Per-mille of the case's `max_gap`.
    Scaled(u32),
}

/// A request's cost, relative to the case's capacity.
#[derive(Clone, Copy, Debug)]
pub enum Cost {
    Zero,
    One,
    /// Per-mille of the capacity, rounded up.
    Part(u32),
    /// One above the capacity: must be `never`.
    Over,
}

/// One step of a stream.
#[derive(Clone, Copy, Debug)]
pub enum Op {
    /// A request; `back` moves the clock backwards by the gap instead (clock skew).
    Req { gap: Gap, back: bool, cost: Cost },
    /// The in-flight request `pick % len` completes with outcome kind `kind % 4`, at the latest
    /// time seen (a completion reported with a later `now` than any check would make "the
    /// latest time seen" depend on whether the algorithm reads `release`'s `now`).
    Done { pick: usize, kind: u8 },
}

fn gap() -> impl Strategy<Value = Gap> {
    prop_oneof![
        2 => Just(Gap::Zero),
        1 => (1u64..1_000).prop_map(Gap::Tiny),
        5 => (0u32..=1_000).prop_map(Gap::Scaled),
    ]
}

fn cost() -> impl Strategy<Value = Cost> {
    prop_oneof![
        1 => Just(Cost::Zero),
        6 => Just(Cost::One),
        3 => (1u32..=1_000).prop_map(Cost::Part),
        1 => Just(Cost::Over),
    ]
}

/// A stream of up to `max_len` steps.
pub fn ops(max_len: usize) -> impl Strategy<Value = Vec<Op>> {
    let op = prop_oneof![
        3 => (gap(), prop::bool::weighted(0.1), cost())
            .prop_map(|(gap, back, cost)| Op::Req { gap, back, cost }),
        1 => (any::<usize>(), any::<u8>()).prop_map(|(pick, kind)| Op::Done { pick, kind }),
    ];
    prop::collection::vec(op, 1..max_len)
}

/// A call as made on the limiter under test (peeks are not calls: they must not matter).
#[derive(Clone, Copy, Debug)]
pub enum Call {
    Check {
        now: Nanos,
        cost: u32,
    },
    Release {
        now: Nanos,
        cost: u32,
        outcome: Outcome,
    },
}

/// A `check` and its answer.
#[derive(Clone, Copy, Debug)]
pub struct Event {
    /// Index of the call in [`Run::calls`].
    pub call: usize,
    /// The `now` passed.
    pub now: Nanos,
    /// The latest `now` seen including this one: the time the decision is about.
    pub eff: Nanos,
    pub cost: u32,
    pub d: Decision,
    /// Cost in flight after this decision (admitted and not yet released).
    pub in_flight: u64,
}

/// An admission.
#[derive(Clone, Copy, Debug)]
pub struct Admission {
    pub eff: Nanos,
    pub cost: u64,
    pub d: Decision,
    /// Released with a failure inside the same aligned window (refunded, for quotas).
    pub failed_at: Option<Nanos>,
    pub released: bool,
}

/// What happened when a stream ran through one limiter.
#[derive(Debug, Default)]
pub struct Run {
    pub calls: Vec<Call>,
    pub events: Vec<Event>,
    pub admissions: Vec<Admission>,
    pub latest: Nanos,
}

impl Run {
    /// Indices of admissions still in flight.
    pub fn in_flight(&self) -> Vec<usize> {
        (0..self.admissions.len())
            .filter(|&i| !self.admissions[i].released && self.admissions[i].cost > 0)
            .collect()
    }
}

fn advance(case: &Case, gap: Gap) -> u64 {
    match gap {
        Gap::Zero => 0,
        Gap::Tiny(n) => n,
        Gap::Scaled(pm) => (u128::from(case.max_gap.as_nanos()) * u128::from(pm) / 1_000) as u64,
    }
}

fn concrete_cost(case: &Case, c: Cost) -> u32 {
    let v = match c {
        Cost::Zero => 0,
        Cost::One => 1,
        Cost::Part(pm) => (case.capacity * u64::from(pm)).div_ceil(1_000),
        Cost::Over => case.capacity + 1,
    };
    u32::try_from(v).unwrap_or(u32::MAX)
}

fn outcome_kind(k: u8) -> OutcomeKind {
    match k % 4 {
        0 => OutcomeKind::Success,
        1 => OutcomeKind::Failure,
        2 => OutcomeKind::Timeout,
        _ => OutcomeKind::Dropped,
    }
}

/// Run `ops` through a fresh limiter of `case`. Before every check it peeks (at the same
/// instant, later, and above capacity); the peek at the same instant must predict the check.
pub fn run(case: &Case, ops: &[Op]) -> Result<Run, String> {
    let mut lim = case.build();
    let mut r = Run::default();
    let mut t = 0u64;
    for op in ops {
        match *op {
            Op::Req { gap, back, cost } => {
                let g = advance(case, gap);
                t = if back { t.saturating_sub(g) } else { t + g };
                let now = Nanos(t);
                r.latest = r.latest.max(now);
                let cost = concrete_cost(case, cost);
                let predicted = lim.peek(now, cost);
                let _ = lim.peek(now + case.max_gap, cost);
                let _ = lim.peek(now, cost.saturating_add(1));
                let d = lim.check(now, cost);
                if predicted != d {
                    return Err(format!(
                        "peek_predicts_check: at {now} cost {cost} peek said {predicted:?}, check said {d:?}"
                    ));
                }
                r.calls.push(Call::Check { now, cost });
                if d.allowed {
                    r.admissions.push(Admission {
                        eff: r.latest,
                        cost: u64::from(cost),
                        d,
                        failed_at: None,
                        released: cost == 0,
                    });
                }
                let in_flight = r.in_flight().iter().map(|&i| r.admissions[i].cost).sum();
                r.events.push(Event {
                    call: r.calls.len() - 1,
                    now,
                    eff: r.latest,
                    cost,
                    d,
                    in_flight,
                });
            }
            Op::Done { pick, kind } => {
                let open = r.in_flight();
                if open.is_empty() {
                    continue;
                }
                let now = r.latest;
                let a = &mut r.admissions[open[pick % open.len()]];
                a.released = true;
                let kind = outcome_kind(kind);
                if kind == OutcomeKind::Failure {
                    a.failed_at = Some(now);
                }
                let outcome = Outcome {
                    kind,
                    latency: now - a.eff,
                };
                let cost = a.cost as u32;
                lim.release(now, cost, outcome);
                r.calls.push(Call::Release { now, cost, outcome });
            }
        }
    }
    Ok(r)
}

/// A fresh limiter of `case` after `calls`, and the decisions its checks returned.
pub fn replay(case: &Case, calls: &[Call]) -> (Box<dyn Limiter>, Vec<Decision>) {
    let mut lim = case.build();
    let mut out = Vec::new();
    for c in calls {
        match *c {
            Call::Check { now, cost } => out.push(lim.check(now, cost)),
            Call::Release { now, cost, outcome } => lim.release(now, cost, outcome),
        }
    }
    (lim, out)
}
