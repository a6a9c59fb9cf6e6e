//! The atlas's answer, computed from its points: each variant (a design with its interval
//! and round trip) at its worst over replicas and balancers, and the sentence that says which
//! keep over-admission under 5% and at what latency cost.
//!
//! "Under 5%": at every replica count and balancer of the grid, the mean over the seeds of the
//! most admitted in any window stays at most 1.05 times the limit, and the total admitted over
//! the limit at most 5% of what the exact limiter admitted.

use super::{PointStats, FIGURES};

/// Over-admission accepted: the most admitted in a window / the limit.
pub const THRESHOLD: f64 = 1.05;
/// The same for the total over the limit, in %.
const TOTAL_PCT: f64 = 5.0;

/// A variant (a design with its interval and round trip), worst case over its points.
#[derive(Clone, Debug, PartialEq)]
pub struct VariantRow {
    /// `synced every 1s`.
    pub variant: String,
    /// Worst mean window / limit, with the upper end of its 95% interval.
    pub window: (f64, Option<f64>),
    /// Worst mean total over the limit (%).
    pub over_pct: f64,
    /// Lowest mean share of the limit admitted (%): under 100, the limit was not used.
    pub used_pct: f64,
    /// Largest mean p50 and p99 decision latency added (ms).
    pub p50_ms: f64,
    /// See [`VariantRow::p50_ms`].
    pub p99_ms: f64,
    /// Largest mean store calls per second.
    pub store_calls: f64,
    /// Where the worst window was: (replicas, balancer).
    pub worst_at: (u32, String),
}

impl VariantRow {
    /// Whether it keeps over-admission under 5% everywhere.
    pub fn passes(&self) -> bool {
        self.window.0 <= THRESHOLD && self.over_pct <= TOTAL_PCT
    }
}

fn idx(name: &str) -> usize {
    FIGURES.iter().position(|f| f.0 == name).unwrap_or(0)
}

/// The variants of `points`, in first-seen order, each its worst case.
pub fn variants(points: &[PointStats]) -> Vec<VariantRow> {
    let mut out: Vec<VariantRow> = Vec::new();
    let max = |a: f64, b: f64| if b > a { b } else { a };
    for p in points {
        let v = p.point.variant();
        let w = &p.figures[idx("max_window_over_limit")];
        let at = (p.point.replicas, p.point.balancer.clone());
        let i = match out.iter().position(|r| r.variant == v) {
            Some(i) => i,
            None => {
                out.push(VariantRow {
                    variant: v,
                    window: (f64::NEG_INFINITY, None),
                    over_pct: 0.0,
                    used_pct: f64::INFINITY,
                    p50_ms: 0.0,
                    p99_ms: 0.0,
                    store_calls: 0.0,
                    worst_at: at.clone(),
                });
                out.len() - 1
            }
        };
        let r = &mut out[i];
        if w.mean > r.window.0 {
            r.window = (w.mean, w.ci95.map(|c| c.1));
            r.worst_at = at;
        }
        r.over_pct = max(r.over_pct, p.mean("over_limit_pct"));
        r.used_pct = r.used_pct.min(p.mean("limit_used_pct"));
        r.p50_ms = max(r.p50_ms, p.mean("decision_latency_p50_ms"));
        r.p99_ms = max(r.p99_ms, p.mean("decision_latency_p99_ms"));
        r.store_calls = max(r.store_calls, p.mean("store_calls_per_s"));
    }
    out
}

fn ms(v: f64) -> String {
    if v == 0.0 {
        "0 ms".into()
    } else if v < 0.1 {
        format!("{v:.3} ms")
    } else {
        format!("{v:.1} ms")
    }
}

/// The answer in one paragraph: the variants under 5% with their p99 latency cost (and the
/// share of the limit they admit, where it is under 95%), then those over it with their worst
/// figure.
///
/// ```
/// use report::experiments::{answer, VariantRow};
/// let row = |v: &str, w: f64, p99: f64| VariantRow {
///     variant: v.into(), window: (w, None), over_pct: (w - 1.0) * 100.0, used_pct: 100.0,
///     p50_ms: p99, p99_ms: p99, store_calls: 0.0, worst_at: (8, "round_robin".into()),
/// };
/// let rows = [row("central, rtt 1ms", 1.0, 1.0), row("central, rtt 20ms", 1.0, 20.0),
///     row("local", 8.0, 0.0)];
/// let a = answer(&rows, "1 to 64");
/// assert!(a.starts_with("Under 5% over the limit at 1 to 64 replicas"), "{a}");
/// assert!(a.contains("central at rtt 1ms / 20ms (+1.0 ms / +20.0 ms p99)"), "{a}");
/// assert!(a.contains("Over 5%: local (up to 8.00x the limit, 8 replicas round_robin)"), "{a}");
/// ```
pub fn answer(rows: &[VariantRow], replicas: &str) -> String {
    // variants that differ only in their round trip read as one: `central at rtt 50us / 1ms`
    let base = |r: &VariantRow| match r.variant.split_once(", rtt ") {
        Some((b, rtt)) => (b.to_string(), Some(rtt.to_string())),
        None => (r.variant.clone(), None),
    };
    let mut groups: Vec<(String, bool, Vec<&VariantRow>)> = Vec::new();
    for r in rows {
        let b = base(r).0;
        match groups.iter_mut().find(|g| g.0 == b && g.1 == r.passes()) {
            Some(g) => g.2.push(r),
            None => groups.push((b, r.passes(), vec![r])),
        }
    }
    let pass: Vec<String> = groups
        .iter()
        .filter(|g| g.1)
        .map(|(b, _, rs)| {
            let used = rs.iter().map(|r| r.used_pct).fold(f64::INFINITY, f64::min);
            let room = if used < 100.0 - TOTAL_PCT {
                format!(", but admits as little as {used:.0}% of the limit")
            } else {
                String::new()
            };
            let rtts: Vec<String> = rs.iter().filter_map(|r| base(r).1).collect();
            let cost: Vec<String> = rs.iter().map(|r| format!("+{}", ms(r.p99_ms))).collect();
            let at = if rtts.is_empty() {
                String::new()
            } else {
                format!(" at rtt {}", rtts.join(" / "))
            };
            format!("{b}{at} ({} p99{room})", cost.join(" / "))
        })
        .collect();
    let fail: Vec<String> = groups
        .iter()
        .filter(|g| !g.1)
        .map(|(b, _, rs)| {
            let worst = rs
                .iter()
                .max_by(|x, y| x.window.0.total_cmp(&y.window.0))
                .copied();
            let any = if rs.len() > 1 { " (any rtt)" } else { "" };
            match worst {
                Some(r) => format!(
                    "{b}{any} (up to {:.2}x the limit, {} replicas {})",
                    r.window.0, r.worst_at.0, r.worst_at.1
                ),
                None => b.clone(),
            }
        })
        .collect();
    let list = |v: &[String]| {
        if v.is_empty() {
            "none".to_string()
        } else {
            v.join("; ")
        }
    };
    format!(
        "Under 5% over the limit at {replicas} replicas and every balancer: {}. Over 5%: {}.",
        list(&pass),
        list(&fail)
    )
}
