//! The bound check of the conformance suite: what an algorithm admits over any interval, in
//! effective time (the latest `now` seen), against the bound its row in the table documents.

use super::stream::Run;
use super::table::{Bound, Case};

/// Never admits more than its documented bound over any interval (in effective time).
pub fn bounded(case: &Case, r: &Run) -> Result<(), String> {
    if let Some(full) = case.full {
        if let Some(e) = r.events.iter().find(|e| e.d.limit != full) {
            return Err(format!(
                "decision reports limit {} != {full}: {e:?}",
                e.d.limit
            ));
        }
    }
    let adm = &r.admissions;
    let charged = |i: usize, window: Option<(u64, u64)>| -> u64 {
        let a = &adm[i];
        let refunded = case.refunds
            && match (a.failed_at, window) {
                (Some(f), Some((p, al))) => idx(f.0, p, al) == idx(a.eff.0, p, al),
                _ => false,
            };
        if refunded {
            0
        } else {
            a.cost
        }
    };
    match case.bound {
        Bound::Rolling { limit, window } => {
            for i in 0..adm.len() {
                let sum: u64 = (i..adm.len())
                    .take_while(|&j| adm[j].eff.0 - adm[i].eff.0 < window)
                    .map(|j| charged(j, None))
                    .sum();
                if sum > limit {
                    return Err(format!(
                        "{sum} admitted in a {window}ns window from {}",
                        adm[i].eff
                    ));
                }
            }
        }
        Bound::Aligned {
            limit,
            period,
            align,
            rolling_max,
        } => {
            let w = Some((period, align));
            for i in 0..adm.len() {
                let k = idx(adm[i].eff.0, period, align);
                let aligned: u64 = (0..adm.len())
                    .filter(|&j| idx(adm[j].eff.0, period, align) == k)
                    .map(|j| charged(j, w))
                    .sum();
                if aligned > limit {
                    return Err(format!(
                        "{aligned} > {limit} admitted in aligned window {k}"
                    ));
                }
                let rolling: u64 = (i..adm.len())
                    .take_while(|&j| adm[j].eff.0 - adm[i].eff.0 < period)
                    .map(|j| charged(j, w))
                    .sum();
                if rolling > rolling_max {
                    return Err(format!(
                        "{rolling} > {rolling_max} admitted in the rolling window from {}",
                        adm[i].eff
                    ));
                }
            }
        }
        Bound::Bucket { burst, interval } => bucket(r, burst, interval, 0)?,
        Bound::Millis { burst, interval } => bucket(r, burst, interval, 1_000_000)?,
        Bound::Leaky {
            burst,
            interval,
            spaced,
        } => {
            // delayed admissions are admissions: they count where they were admitted
            bucket(r, burst + 1, interval, 0)?;
            let real: Vec<_> = adm.iter().filter(|a| a.cost > 0).collect();
            for w in real.windows(2) {
                let (s0, s1) = (w[0].eff + w[0].d.delay, w[1].eff + w[1].d.delay);
                if spaced && s1.0 < s0.0 + w[1].cost * interval {
                    return Err(format!(
                        "served at {s0:?} then {s1:?} (cost {}): closer than the drain rate",
                        w[1].cost
                    ));
                }
            }
            if !spaced {
                if let Some(a) = adm.iter().find(|a| !a.d.delay.is_zero()) {
                    return Err(format!("nodelay admitted with a delay: {a:?}"));
                }
            }
        }
        Bound::Stepped {
            max,
            per_fill,
            interval,
        } => {
            for i in 0..adm.len() {
                let mut sum = 0;
                for a in &adm[i..] {
                    sum += a.cost;
                    let ticks = a.eff.0 / interval - adm[i].eff.0 / interval;
                    if sum > max + per_fill * ticks {
                        return Err(format!(
                            "{sum} admitted in [{}, {}] across {ticks} ticks",
                            adm[i].eff, a.eff
                        ));
                    }
                }
            }
        }
        Bound::InFlight { ceiling } => {
            // a cost-0 request charges nothing (a query), so only real admissions count
            for e in r.events.iter().filter(|e| e.d.allowed && e.cost > 0) {
                if e.in_flight > e.d.limit || e.d.limit > ceiling {
                    return Err(format!(
                        "{} in flight after admission with limit {} (ceiling {ceiling})",
                        e.in_flight, e.d.limit
                    ));
                }
            }
        }
    }
    Ok(())
}

/// Index of the aligned window `[align + kP, align + (k+1)P)` holding `t`.
fn idx(t: u64, period: u64, align: u64) -> u64 {
    (t + period - align % period) / period
}

fn bucket(r: &Run, burst: u64, interval: u64, slack: u64) -> Result<(), String> {
    let adm = &r.admissions;
    for i in 0..adm.len() {
        let mut sum = 0;
        for a in &adm[i..] {
            sum += a.cost;
            let bound = burst + (a.eff.0 - adm[i].eff.0 + slack) / interval;
            if sum > bound {
                return Err(format!(
                    "{sum} admitted in [{}, {}] > {bound}",
                    adm[i].eff, a.eff
                ));
            }
        }
    }
    Ok(())
}
