//! The atlas's charts:
//!
//! - `over_vs_replicas_<balancer>`: the most admitted in any window / the limit against the
//!   replica count, one panel per design (its representative variant: the interval nearest
//!   1 s, the round trip nearest 1 ms), the mean over seeds with its 95% interval;
//! - `synced_intervals`: the same for `synced` at each sync interval (the README's question);
//! - `latency_vs_over`: every point of the grid, p99 decision latency the store added
//!   against the same over-admission figure, one colour per design, the 5% line dashed.

use super::{AtlasPoint, PointStats, FIGURES};
use crate::charts::scatter::{scatter, Scatter, ScatterGroup};
use crate::charts::sweep::{sweep_chart, MeanLine, MeanPoint, SweepChart};
use crate::charts::{Chart, ChartError, Palette};

const WINDOW: &str = "max_window_over_limit";

/// Values of `f` over `points`, deduplicated in first-seen order.
fn distinct<T: PartialEq>(points: &[PointStats], f: impl Fn(&AtlasPoint) -> T) -> Vec<T> {
    let mut out = Vec::new();
    for p in points {
        let v = f(&p.point);
        if !out.contains(&v) {
            out.push(v);
        }
    }
    out
}

/// Milliseconds of a duration as given (`50us`, `1s`), for "nearest" choices; unknown: far.
fn ms(v: Option<&str>) -> f64 {
    v.and_then(|v| limiters::parse_duration(v).ok())
        .map_or(f64::MAX, |n| n.0 as f64 / 1e6)
}

/// The variant that stands for `design` in the per-design charts: the interval nearest 1 s,
/// then the round trip nearest 1 ms (by ratio).
fn representative(points: &[PointStats], design: &str) -> Option<String> {
    let off = |v: Option<&String>, target: f64| match v {
        None => 0.0,
        Some(v) => (ms(Some(v)).max(1e-6) / target).ln().abs(),
    };
    points
        .iter()
        .filter(|p| p.point.design == design)
        .min_by(|a, b| {
            let k = |p: &AtlasPoint| (off(p.interval.as_ref(), 1000.0), off(p.rtt.as_ref(), 1.0));
            k(&a.point)
                .partial_cmp(&k(&b.point))
                .unwrap_or(std::cmp::Ordering::Equal)
        })
        .map(|p| p.point.variant())
}

/// A line of the window figure against the replicas (x = index in `replicas`).
fn line(points: &[PointStats], variant: &str, balancer: &str, replicas: &[u32]) -> MeanLine {
    let i = FIGURES.iter().position(|f| f.0 == WINDOW).unwrap_or(0);
    let points = points
        .iter()
        .filter(|p| p.point.balancer == balancer && p.point.variant() == variant)
        .filter_map(|p| {
            let x = replicas.iter().position(|r| *r == p.point.replicas)?;
            let s = p.figures.get(i)?;
            s.mean.is_finite().then_some(MeanPoint {
                x: x as f64,
                mean: s.mean,
                ci95: s.ci95,
            })
        })
        .collect();
    MeanLine {
        name: variant.to_owned(),
        points,
    }
}

fn against_replicas(
    points: &[PointStats],
    name: String,
    title: String,
    caption: &str,
    variants: &[String],
    balancer: &str,
) -> Result<Chart, ChartError> {
    let mut replicas = distinct(points, |p| p.replicas);
    replicas.sort_unstable();
    let data = SweepChart {
        name,
        title,
        caption: caption.to_owned(),
        x_desc: "replicas".into(),
        // short: in a grid of panels the label must fit one panel's height (it ran into the next row)
        y_desc: "max in a window / limit".into(),
        categories: replicas.iter().map(u32::to_string).collect(),
        lines: variants
            .iter()
            .map(|v| line(points, v, balancer, &replicas))
            .filter(|l| !l.points.is_empty())
            .collect(),
        models: Vec::new(),
    };
    let palette = Palette::new(data.lines.iter().map(|l| l.name.clone()));
    sweep_chart(&data, &palette)
}

/// Every chart of the atlas.
pub(super) fn charts(points: &[PointStats]) -> Result<Vec<Chart>, ChartError> {
    let designs = distinct(points, |p| p.design.clone());
    let reps: Vec<String> = designs
        .iter()
        .filter_map(|d| representative(points, d))
        .collect();
    let mut out = Vec::new();
    for b in distinct(points, |p| p.balancer.clone()) {
        out.push(against_replicas(
            points,
            format!("over_vs_replicas_{b}"),
            format!("Over-admission against replicas, {b} balancer"),
            "The most admitted in any window of the limit's length, divided by the limit \
             (1.0: exact), one panel per design; the mean over the seeds with its 95% \
             interval. 1.05 is 5% over.",
            &reps,
            &b,
        )?);
    }
    let synced: Vec<String> = distinct(points, |p| p.variant())
        .into_iter()
        .filter(|v| v.starts_with("synced"))
        .collect();
    if synced.len() > 1 {
        let b = points[0].point.balancer.clone();
        out.push(against_replicas(
            points,
            "synced_intervals".into(),
            format!("Synced counters: over-admission by sync interval, {b} balancer"),
            "Kong's sync_rate: each replica decides on its own counters plus what it read at \
             its last sync. Mean over the seeds with its 95% interval.",
            &synced,
            &b,
        )?);
    }
    let i = |name: &str| FIGURES.iter().position(|f| f.0 == name).unwrap_or(0);
    let (w, l) = (i(WINDOW), i("decision_latency_p99_ms"));
    let groups = designs
        .iter()
        .map(|d| ScatterGroup {
            name: d.clone(),
            points: points
                .iter()
                .filter(|p| &p.point.design == d)
                .map(|p| (p.figures[w].mean, p.figures[l].mean))
                .filter(|(x, y)| x.is_finite() && y.is_finite())
                .collect(),
        })
        .collect();
    let data = Scatter {
        name: "latency_vs_over".into(),
        title: "Latency cost against over-admission, every point".into(),
        caption: "Each dot one deployment of the grid (design, replicas, interval, round trip, \
                  balancer): the p99 decision latency the store added against the most \
                  admitted in a window / the limit, means over the seeds. Left of the dashed \
                  line: under 5% over the limit."
            .into(),
        x_desc: "most admitted in a window / limit (log scale)".into(),
        y_desc: "p99 decision latency added (ms)".into(),
        groups,
        threshold: Some((super::THRESHOLD, "5% over the limit".into())),
    };
    out.push(scatter(&data, &Palette::new(&designs))?);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::super::point_stats;
    use super::super::tests::run;
    use super::*;

    #[test]
    fn the_representative_is_nearest_one_second_and_one_millisecond() {
        let mut runs = Vec::new();
        for (i, r) in [("0s", Some("20ms")), ("5s", None), ("1s", None)] {
            let mut x = run("synced", 2, "round_robin", 1, 1.0);
            x.point.interval = Some(i.into());
            x.point.rtt = r.map(Into::into);
            runs.push(x);
        }
        let p = point_stats(&runs);
        assert_eq!(representative(&p, "synced").unwrap(), "synced every 1s");
    }

    #[test]
    fn one_chart_per_balancer_and_the_scatter() {
        let runs: Vec<_> = ["round_robin", "hash_key"]
            .iter()
            .flat_map(|b| [run("local", 1, b, 1, 1.0), run("local", 2, b, 1, 2.0)])
            .collect();
        let c = charts(&point_stats(&runs)).unwrap();
        let names: Vec<&str> = c.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "over_vs_replicas_round_robin",
                "over_vs_replicas_hash_key",
                "latency_vs_over"
            ]
        );
    }
}
