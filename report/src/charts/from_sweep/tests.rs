use super::layout::tests::{manifest, points};
use super::*;

#[test]
fn charts_heatmaps_and_notes() {
    let params = [
        manifest("fleet.web.retry.max_attempts", &["1", "4"]),
        manifest("faults.0.rate", &["0", "0.25", "0.5"]),
    ];
    let drawn = sweep_charts(&SweepInput {
        params: &params,
        points: &points(),
        scenarios: &[],
    })
    .unwrap();
    let names: Vec<&str> = drawn.charts.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "sweep_goodput_rps",
            "amplification_vs_failure",
            "heatmap_goodput_rps",
            "heatmap_retry_amplification"
        ]
    );
    // A fault rate on x: the amplification chart, without model curves when the points'
    // scenarios are not given, and a note saying so.
    assert!(drawn
        .notes
        .iter()
        .any(|n| n.contains("scenarios were not available")));
    assert!(drawn
        .notes
        .iter()
        .any(|n| n.starts_with("Rejection rate is 0")));
    assert_ne!(
        drawn.palette.color("max_attempts=1"),
        drawn.palette.color("max_attempts=4")
    );
}

#[test]
fn a_fleet_parameter_draws_that_fleets_figures_first() {
    let params = [manifest("fleet.jitter.retry.jitter", &["none", "full"])];
    let mut t = Table::new();
    for (i, (j, all, fleet)) in [("none", 162.0, 162.0), ("full", 162.0, 0.0)]
        .into_iter()
        .enumerate()
    {
        t.push([
            ("point", crate::tables::Cell::U64(i as u64)),
            (
                "fleet.jitter.retry.jitter",
                crate::tables::Cell::Str(j.into()),
            ),
            ("goodput_rps_mean", crate::tables::Cell::F64(40.0)),
            (
                "rejection_rate_mean",
                crate::tables::Cell::F64(all / 1000.0),
            ),
            ("jitter:goodput_rps_mean", crate::tables::Cell::F64(20.0)),
            (
                "jitter:rejection_rate_mean",
                crate::tables::Cell::F64(fleet / 500.0),
            ),
            ("nojitter:goodput_rps_mean", crate::tables::Cell::F64(20.0)),
        ]);
    }
    let drawn = sweep_charts(&SweepInput {
        params: &params,
        points: &t,
        scenarios: &[],
    })
    .unwrap();
    let names: Vec<&str> = drawn.charts.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "sweep_fleet_jitter_goodput_rps",
            "sweep_fleet_jitter_rejection_rate",
            "sweep_goodput_rps",
            "sweep_rejection_rate"
        ],
        "the touched fleet first, the untouched one not drawn"
    );
    assert!(drawn.charts[1].title.contains("of fleet jitter"));
}

#[test]
fn long_categories_are_numbered_with_a_key() {
    let long = "[{ algorithm = \"token_bucket\", rate = \"100/s\", burst = 100, window = \"10s\", extra = \"a long value\" }]".to_owned();
    let (labels, key) = axis_labels(&["none".into(), long.clone()]);
    assert_eq!(labels, ["#1", "#2"]);
    assert!(key.unwrap().contains(&format!("#2 = {long}")));
    assert_eq!(axis_labels(&["none".into()]).0, ["none"]);
}

/// The fairness sweep's limiter layouts were `#1`, `#2`, `#3` with a key a reader had to
/// decode (and raw tables on the tenant charts, overlapping): now their short names.
#[test]
fn limiter_layouts_are_named_by_scope_and_rate() {
    let cats: Vec<String> = [
        r#"[{ algorithm = "token_bucket", burst = 100, rate = "100/s", scope = "global" }]"#,
        r#"[{ algorithm = "token_bucket", burst = 70, rate = "70/s", scope = "tenant" }, { algorithm = "token_bucket", burst = 100, rate = "100/s", scope = "global" }]"#,
    ]
    .map(String::from)
    .to_vec();
    let (labels, key) = axis_labels(&cats);
    assert_eq!(labels, ["global 100/s", "tenant 70/s + global 100/s"]);
    assert_eq!(key, None);
}
