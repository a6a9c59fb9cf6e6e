//! Arrival processes, prepared once per fleet and driven by each client's own stream.
//!
//! - Poisson: exponential gaps (the first arrival one gap after t = 0, as in the SimPy
//!   reference model).
//! - Constant: a fixed gap, each client at a uniform random phase within the first gap.
//! - On/off: Poisson while "on"; the exponential clock only runs during on-periods, which is
//!   exactly a Poisson process restricted to the on-windows (memorylessness).
//! - Cron: every multiple of the period, plus a uniform offset drawn per firing.
//! - Diurnal and piecewise: non-homogeneous Poisson by thinning (P. A. W. Lewis and
//!   G. S. Shedler, "Simulation of nonhomogeneous Poisson processes by thinning", Naval Research
//!   Logistics Quarterly 26(3), 1979): candidates at the peak rate, each kept with probability
//!   `rate(t) / peak`.
//! - Closed loop: no self-scheduling; the client starts a new request a think time after one
//!   ends.
//! - Trace: the times a log gives ([`trace`]); the client's request count indexes them.

pub mod trace;

use crate::engine::{to_ns, Sampler, Stream};
use crate::model::Arrival;
use limiters::{Nanos, Rate};
use rand::Rng;
use rand_distr::Exp1;
use std::sync::Arc;

/// Mean gap of a rate, in nanoseconds (float: only used to scale an exponential draw).
fn mean_gap(r: &Rate) -> f64 {
    r.period.0 as f64 / r.count as f64
}

/// Events per nanosecond.
fn per_ns(r: &Rate) -> f64 {
    r.count as f64 / r.period.0 as f64
}

/// A prepared arrival process.
#[derive(Clone, Debug, PartialEq)]
pub enum ArrivalGen {
    /// Exponential gaps with this mean (ns).
    Poisson(f64),
    /// A fixed gap (ns).
    Constant(u64),
    /// Poisson with this mean gap while on.
    OnOff {
        /// Mean gap while on (ns).
        gap: f64,
        /// On period (ns).
        on: u64,
        /// Off period (ns).
        off: u64,
    },
    /// Multiples of `period` plus `[0, offset)`.
    Cron {
        /// Period (ns).
        period: u64,
        /// Offset bound (ns).
        offset: u64,
    },
    /// Sinusoidal rate between `low` and `high` (events per ns) over `period`.
    Diurnal {
        /// Lowest rate.
        low: f64,
        /// Highest rate.
        high: f64,
        /// Cycle (ns).
        period: u64,
    },
    /// Piecewise-constant rate: `(from ns, events per ns)`.
    Piecewise {
        /// Points sorted by time.
        points: Vec<(u64, f64)>,
        /// The largest rate.
        peak: f64,
    },
    /// Closed loop: arrivals come from completions.
    Closed {
        /// Requests in flight per client.
        concurrency: u32,
        /// Think time.
        think: Sampler,
    },
    /// Given times per client (a replayed log).
    Trace(Arc<trace::Trace>),
}

fn exp_gap(rng: &mut Stream, mean: f64) -> u64 {
    let e: f64 = rng.sample(Exp1);
    to_ns(e * mean)
}

impl ArrivalGen {
    /// Prepare `a`.
    pub fn new(a: &Arrival) -> ArrivalGen {
        match a {
            Arrival::Poisson { rate } => ArrivalGen::Poisson(mean_gap(rate)),
            Arrival::Constant { rate } => ArrivalGen::Constant(rate.interval().0),
            Arrival::OnOff { rate, on, off } => ArrivalGen::OnOff {
                gap: mean_gap(rate),
                on: on.0,
                off: off.0,
            },
            Arrival::Cron { period, offset } => ArrivalGen::Cron {
                period: period.0.max(1),
                offset: offset.0,
            },
            Arrival::Diurnal { low, high, period } => ArrivalGen::Diurnal {
                low: per_ns(low),
                high: per_ns(high).max(per_ns(low)),
                period: period.0.max(1),
            },
            Arrival::Piecewise { points } => {
                let points: Vec<(u64, f64)> = points
                    .iter()
                    .map(|(t, r)| (t.0, r.as_ref().map_or(0.0, per_ns)))
                    .collect();
                let peak = points.iter().map(|p| p.1).fold(0.0, f64::max);
                ArrivalGen::Piecewise { points, peak }
            }
            Arrival::Closed { concurrency, think } => ArrivalGen::Closed {
                concurrency: *concurrency,
                think: Sampler::new(think),
            },
            Arrival::Trace(t) => ArrivalGen::Trace(Arc::clone(t)),
        }
    }

    /// True for a closed loop.
    pub fn is_closed(&self) -> bool {
        matches!(self, ArrivalGen::Closed { .. })
    }

    /// The rate (events per ns) at `t` of a thinned process.
    fn rate_at(&self, t: u64) -> f64 {
        match self {
            ArrivalGen::Diurnal { low, high, period } => {
                let phase = (t % period) as f64 / *period as f64;
                low + (high - low) * (1.0 - (2.0 * std::f64::consts::PI * phase).cos()) / 2.0
            }
            ArrivalGen::Piecewise { points, .. } => {
                let i = points.partition_point(|p| p.0 <= t);
                if i == 0 {
                    0.0
                } else {
                    points[i - 1].1
                }
            }
            _ => 0.0,
        }
    }

    /// Arrival `k` (from 0) of client `i` of the fleet, for a trace: `None` past its last or at
    /// or after `horizon` (and always for the other processes).
    #[inline]
    pub fn traced(&self, i: u32, k: u32, horizon: Nanos) -> Option<Nanos> {
        match self {
            ArrivalGen::Trace(t) => t.at(i, k).filter(|t| *t < horizon),
            _ => None,
        }
    }

    /// True for a trace.
    pub fn is_trace(&self) -> bool {
        matches!(self, ArrivalGen::Trace(_))
    }

    /// The first arrival of a client (open loop), or `None` if it falls at or after `horizon`.
    /// A trace's first arrival needs the client: [`ArrivalGen::traced`].
    pub fn first(&self, rng: &mut Stream, horizon: Nanos) -> Option<Nanos> {
        match *self {
            ArrivalGen::Constant(gap) => {
                let t = if gap > 1 { rng.gen_range(0..gap) } else { 0 };
                (t < horizon.0).then_some(Nanos(t))
            }
            ArrivalGen::Cron { offset, .. } => {
                let t = if offset > 0 {
                    rng.gen_range(0..offset)
                } else {
                    0
                };
                (t < horizon.0).then_some(Nanos(t))
            }
            ArrivalGen::Closed { .. } | ArrivalGen::Trace(_) => None,
            _ => self.next(Nanos::ZERO, rng, horizon),
        }
    }

    /// The arrival after one at `prev`, or `None` if it falls at or after `horizon`.
    pub fn next(&self, prev: Nanos, rng: &mut Stream, horizon: Nanos) -> Option<Nanos> {
        let t = match *self {
            ArrivalGen::Poisson(gap) => prev.0.saturating_add(exp_gap(rng, gap)),
            ArrivalGen::Constant(gap) => prev.0.saturating_add(gap.max(1)),
            ArrivalGen::OnOff { gap, on, off } => {
                let mut left = exp_gap(rng, gap);
                let cycle = on.saturating_add(off);
                let mut t = prev.0;
                loop {
                    if t >= horizon.0 {
                        break t;
                    }
                    let phase = t % cycle;
                    if phase >= on {
                        t = t.saturating_add(cycle - phase);
                        continue;
                    }
                    let room = on - phase;
                    if left < room {
                        break t.saturating_add(left);
                    }
                    left -= room;
                    t = t.saturating_add(room + off);
                }
            }
            ArrivalGen::Cron { period, offset } => {
                let k = prev.0 / period + 1;
                let o = if offset > 0 {
                    rng.gen_range(0..offset)
                } else {
                    0
                };
                k.saturating_mul(period).saturating_add(o)
            }
            ArrivalGen::Diurnal { high: peak, .. } | ArrivalGen::Piecewise { peak, .. } => {
                if peak <= 0.0 {
                    return None;
                }
                let mut t = prev.0;
                loop {
                    t = t.saturating_add(exp_gap(rng, 1.0 / peak));
                    if t >= horizon.0 {
                        break t;
                    }
                    if rng.unit() * peak < self.rate_at(t) {
                        break t;
                    }
                }
            }
            ArrivalGen::Closed { .. } | ArrivalGen::Trace(_) => return None,
        };
        (t < horizon.0).then_some(Nanos(t))
    }
}

#[cfg(test)]
mod tests;
