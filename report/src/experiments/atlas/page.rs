//! The atlas's page: its first line answers "which designs keep over-admission under 5%, at
//! what latency cost", computed from the points (never written by hand), then the table of
//! variants (each design with its interval and round trip, worst case over replicas and
//! balancers), the charts, and every point.
//!
//! "Under 5%": at every replica count and balancer of the grid, the mean over the seeds of the
//! most admitted in any window stays at most 1.05 times the limit, and the total admitted over
//! the limit at most 5% of what the exact limiter admitted.

use super::{PointStats, FIGURES};
use crate::charts::Chart;
use crate::html::{Grid, GridRow, Headline, Page};

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

fn f2(v: f64) -> String {
    if v.is_finite() {
        format!("{v:.2}")
    } else {
        String::new()
    }
}

/// The page of the atlas.
pub(super) fn page(
    points: &[PointStats],
    workload: &str,
    seeds: usize,
    charts: Vec<Chart>,
) -> Page {
    let rows = variants(points);
    let lo = points.iter().map(|p| p.point.replicas).min().unwrap_or(0);
    let hi = points.iter().map(|p| p.point.replicas).max().unwrap_or(0);
    let replicas = if lo == hi {
        lo.to_string()
    } else {
        format!("{lo} to {hi}")
    };
    let variants_grid = Grid {
        id: "variants".into(),
        heading: "Designs, worst case over replicas and balancers".into(),
        caption: format!(
            "Means over {seeds} seeds; the window figure with the upper end of its 95% \
             interval. Over the limit is in % of what the exact one-server limiter \
             admitted; limit used is what was admitted in % of what the limit allows in the \
             run (lowest over the points); latency is what the store added to a decision."
        ),
        head: [
            "design",
            "under 5%",
            "window / limit",
            "95% upper",
            "worst at",
            "over the limit %",
            "limit used %",
            "p50 ms",
            "p99 ms",
            "store calls/s",
        ]
        .map(String::from)
        .to_vec(),
        rows: rows
            .iter()
            .map(|r| GridRow {
                cells: vec![
                    r.variant.clone(),
                    if r.passes() { "yes" } else { "no" }.into(),
                    f2(r.window.0),
                    r.window.1.map(f2).unwrap_or_default(),
                    format!("{} {}", r.worst_at.0, r.worst_at.1),
                    format!("{:.1}", r.over_pct),
                    format!("{:.1}", r.used_pct),
                    format!("{:.3}", r.p50_ms),
                    format!("{:.3}", r.p99_ms),
                    format!("{:.1}", r.store_calls),
                ],
                class: if r.passes() { "better" } else { "worse" }.into(),
            })
            .collect(),
    };
    let mut head: Vec<String> = ["design", "replicas", "balancer", "runs"]
        .map(String::from)
        .to_vec();
    head.extend(FIGURES.iter().map(|f| f.0.to_string()));
    let points_grid = Grid {
        id: "points".into(),
        heading: "Every point".into(),
        caption: "Means over the seeds (95% intervals in atlas.csv / atlas.parquet).".into(),
        head,
        rows: points
            .iter()
            .map(|p| {
                let mut cells = vec![
                    p.point.variant(),
                    p.point.replicas.to_string(),
                    p.point.balancer.clone(),
                    p.runs.to_string(),
                ];
                cells.extend(p.figures.iter().map(|s| format!("{:.3}", s.mean)));
                GridRow {
                    cells,
                    class: String::new(),
                }
            })
            .collect(),
    };
    let first = charts.first().map(|c| c.name.clone());
    Page {
        title: "Over-admission atlas".into(),
        description: String::new(),
        meta: Vec::new(),
        headline: Some(Headline {
            question: "Which designs keep over-admission under 5%, at what latency cost?".into(),
            answer: answer(&rows, &replicas),
            chart: first,
        }),
        grids: vec![variants_grid, points_grid],
        charts,
        notes: vec![
            format!("Workload: {workload}"),
            "Over-admission: the most admitted in any window of the limit's length divided by \
             the limit (1.0 is exact), and the total admitted that the exact one-server \
             limiter, charged with every admission, refused. Models and sources: \
             docs/deployments.md and sim/src/server/deployment/."
                .into(),
        ],
        footer: format!("throttlelab {} atlas", env!("CARGO_PKG_VERSION")),
        ..Page::default()
    }
}

#[cfg(test)]
mod tests {
    use super::super::point_stats;
    use super::super::tests::run;
    use super::*;

    #[test]
    fn a_variant_is_its_worst_point() {
        let runs = [
            run("local", 1, "round_robin", 1, 1.0),
            run("local", 4, "round_robin", 1, 3.5),
            run("local", 4, "hash_key", 1, 1.0),
            run("central", 4, "round_robin", 1, 1.0),
        ];
        let v = variants(&point_stats(&runs));
        assert_eq!(v.len(), 2);
        assert_eq!(v[0].window.0, 3.5);
        assert_eq!(v[0].worst_at, (4, "round_robin".into()));
        assert!(!v[0].passes() && v[1].passes());
        assert_eq!(v[1].p99_ms, 1.0);
    }

    #[test]
    fn the_page_opens_with_the_answer() {
        let runs = [
            run("local", 2, "round_robin", 1, 2.0),
            run("central", 2, "round_robin", 1, 1.0),
        ];
        let p = page(&point_stats(&runs), "w", 1, Vec::new());
        let a = &p.headline.as_ref().unwrap().answer;
        assert!(
            a.starts_with("Under 5% over the limit at 2 replicas"),
            "{a}"
        );
        assert!(a.contains("central at rtt 1ms (+1.0 ms p99)"), "{a}");
        assert!(a.contains("Over 5%: local (up to 2.00x"), "{a}");
    }
}
