//! The atlas's page: its first line answers "which designs keep over-admission under 5%, at
//! what latency cost", computed from the points (never written by hand), then the table of
//! variants (each design with its interval and round trip, worst case over replicas and
//! balancers), the charts, and every point.
//! The answer's rule is in [`super::answer`].

use super::answer::{answer, variants};
use super::{PointStats, FIGURES};
use crate::charts::Chart;
use crate::html::{Grid, GridRow, Headline, Page};

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
        caption: if crate::tables::PARQUET {
            "Means over the seeds (95% intervals in atlas.csv / atlas.parquet)."
        } else {
            "Means over the seeds (95% intervals in atlas.csv)."
        }
        .into(),
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
