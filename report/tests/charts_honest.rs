//! Sweep charts draw only what was measured (issue #12, item 3): a categorical parameter gets
//! dots with whiskers and every label, never a line through the categories; a numeric sweep
//! with few points shows its points as markers, the line between them only a faint guide; a
//! heatmap whose cells the seeds cannot tell apart is not painted in dramatic colours, and its
//! colour bar states the scale's range.

use report::charts::from_sweep::{sweep_charts, SweepInput};
use report::tables::{Cell, ParamManifest, Table};

fn param(path: &str, values: &[&str]) -> ParamManifest {
    ParamManifest {
        path: path.into(),
        values: values.iter().map(|s| s.to_string()).collect(),
    }
}

/// One row per (x value, y value): goodput mean and its 95% interval.
fn points(
    x: &ParamManifest,
    y: Option<&ParamManifest>,
    f: impl Fn(usize, usize) -> (f64, f64),
) -> Table {
    let mut t = Table::new();
    let ys = y.map_or(1, |y| y.values.len());
    let mut k = 0u64;
    for j in 0..ys {
        for (i, xv) in x.values.iter().enumerate() {
            let (m, half) = f(i, j);
            let xc = xv
                .parse::<f64>()
                .map_or_else(|_| Cell::Str(xv.clone()), Cell::F64);
            let mut row = vec![
                ("point", Cell::U64(k)),
                (x.path.as_str(), xc),
                ("runs", Cell::U64(5)),
                ("goodput_rps_mean", Cell::F64(m)),
                ("goodput_rps_ci95_lo", Cell::F64(m - half)),
                ("goodput_rps_ci95_hi", Cell::F64(m + half)),
            ];
            if let Some(y) = y {
                row.push((y.path.as_str(), Cell::Str(y.values[j].clone())));
            }
            t.push(row);
            k += 1;
        }
    }
    t
}

/// The trimmed content of every `<text>` element.
fn texts(svg: &str) -> Vec<String> {
    svg.split("<text")
        .skip(1)
        .filter_map(|t| t.split_once('>')?.1.split("</text>").next())
        .map(|t| t.trim().to_owned())
        .collect()
}

/// `points="x,y x,y ..."` of every polyline with more than two vertices.
fn long_polylines(svg: &str) -> Vec<String> {
    svg.split("<polyline")
        .skip(1)
        .filter_map(|p| p.split("points=\"").nth(1)?.split('"').next())
        .filter(|pts| pts.split_whitespace().count() > 2)
        .map(str::to_owned)
        .collect()
}

#[test]
fn categorical_sweep_is_dots_with_every_label_and_no_line() {
    let x = param(
        "fleet.jitter.retry.jitter",
        &["none", "full", "equal", "decorrelated"],
    );
    let t = points(&x, None, |i, _| (10.0 + i as f64, 0.5));
    let drawn = sweep_charts(&SweepInput {
        params: &[x],
        points: &t,
        scenarios: &[],
    })
    .unwrap();
    let svg = &drawn.charts[0].svg;
    let texts = texts(svg);
    for label in ["none", "full", "equal", "decorrelated"] {
        assert!(
            texts.iter().any(|t| t == label),
            "category label {label} missing from {texts:?}"
        );
    }
    assert!(
        long_polylines(svg).is_empty(),
        "a line joins the categories: {:?}",
        long_polylines(svg)
    );
}

#[test]
fn two_point_numeric_sweep_shows_markers_and_at_most_a_faint_guide() {
    let x = param("fleet.web.count", &["10", "190"]);
    let t = points(&x, None, |i, _| (10.0 + 5.0 * i as f64, 0.5));
    let drawn = sweep_charts(&SweepInput {
        params: &[x],
        points: &t,
        scenarios: &[],
    })
    .unwrap();
    let svg = &drawn.charts[0].svg;
    assert!(svg.matches("<circle").count() >= 2, "no markers");
    // The band between the two points would claim values at x never run.
    assert!(!svg.contains("<polygon"), "a CI band between two points");
    for p in svg.split("<polyline").skip(1) {
        let tag = p.split("/>").next().unwrap_or(p);
        let opacity = tag
            .split("stroke-opacity=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .and_then(|s| s.parse::<f64>().ok())
            .unwrap_or(1.0);
        let width = tag
            .split("stroke-width=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .and_then(|s| s.parse::<f64>().ok())
            .unwrap_or(1.0);
        let xs: Vec<f64> = tag
            .split("points=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .map(|s| {
                s.split_whitespace()
                    .filter_map(|p| p.split(',').next()?.parse().ok())
                    .collect()
            })
            .unwrap_or_default();
        // A line across x (not a whisker, whose points share their x).
        let across = xs.len() >= 2 && (xs[xs.len() - 1] - xs[0]).abs() > 50.0;
        if across && tag.contains("stroke=\"#") && width >= 2.0 {
            assert!(opacity <= 0.5, "a bold line between two runs: {tag}");
        }
    }
}

#[test]
fn heatmap_greys_cells_the_seeds_cannot_tell_apart_and_states_its_range() {
    // A 0.07% spread with intervals ten times wider: no cell differs from the others.
    let x = param("fleet.web.count", &["10", "20", "30"]);
    let y = param("fleet.web.retry.jitter", &["none", "full"]);
    let t = points(&x, Some(&y), |i, j| {
        (1000.0 + 0.7 * (i + 3 * j) as f64 / 5.0, 5.0)
    });
    let drawn = sweep_charts(&SweepInput {
        params: &[x, y],
        points: &t,
        scenarios: &[],
    })
    .unwrap();
    let heat = drawn
        .charts
        .iter()
        .find(|c| c.name == "heatmap_goodput_rps")
        .expect("heatmap drawn");
    let svg = &heat.svg;
    // Viridis ends (dark purple, yellow) paint cells: none may be used for a cell.
    let cells: Vec<&str> = svg
        .split("<rect")
        .skip(1)
        .filter(|r| r.contains("fill=\"#"))
        .collect();
    let painted = cells
        .iter()
        .filter(|r| r.contains("#440154") || r.contains("#FDE725") || r.contains("#440154"))
        .count();
    assert!(
        painted <= 2,
        "cells within each other's 95% CI are painted at the ends of the scale ({painted} rects)"
    );
    assert!(
        texts(svg).iter().any(|t| t.contains("spread 0.07%")),
        "the colour bar does not state the scale's range"
    );
}
