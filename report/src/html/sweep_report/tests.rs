use super::*;
use crate::tables::ParamManifest;

#[test]
fn page_has_parameters_points_and_charts() {
    let m = SweepManifest {
        kind: SweepManifest::KIND.into(),
        version: "0".into(),
        scenario: "s".into(),
        hash: "h".into(),
        params: vec![ParamManifest {
            path: "fleet.web.count".into(),
            values: vec!["10".into(), "20".into()],
        }],
        seeds: vec![1, 2],
        points: 2,
        jobs: 4,
        shard: None,
        jobs_here: 4,
        timeseries: false,
        bucket_s: None,
    };
    let mut t = Table::new();
    for (i, n) in [10i64, 20].iter().enumerate() {
        t.push([
            ("point", Cell::U64(i as u64)),
            ("fleet.web.count", Cell::I64(*n)),
            ("runs", Cell::U64(2)),
            ("goodput_rps_mean", Cell::F64(*n as f64)),
            ("goodput_rps_ci95_lo", Cell::F64(*n as f64 - 1.0)),
            ("goodput_rps_ci95_hi", Cell::F64(*n as f64 + 1.0)),
        ]);
    }
    let page = build_sweep_report(&SweepReportInput {
        manifest: &m,
        points: &t,
        scenario_text: "name = \"s\"\n",
        scenarios: &[],
    })
    .unwrap();
    assert_eq!(
        page.grids[1].rows[1].cells,
        ["1", "20", "2", "20.0 [19.0, 21.0]"]
    );
    assert_eq!(page.charts[0].name, "sweep_goodput_rps");
    let html = render_page(&page);
    assert!(html.contains("data:image/png;base64,"));
    assert!(html.contains("<h1>s (sweep)</h1>"));
}

#[test]
fn points_grid_has_a_row_per_point_and_fleet_touched_fleet_first() {
    let m = SweepManifest {
        kind: SweepManifest::KIND.into(),
        version: "0".into(),
        scenario: "s".into(),
        hash: "h".into(),
        params: vec![ParamManifest {
            path: "fleet.web.count".into(),
            values: vec!["10".into()],
        }],
        seeds: vec![1],
        points: 1,
        jobs: 1,
        shard: None,
        jobs_here: 1,
        timeseries: false,
        bucket_s: None,
    };
    let mut t = Table::new();
    t.push([
        ("point", Cell::U64(0)),
        ("fleet.web.count", Cell::I64(10)),
        ("runs", Cell::U64(1)),
        ("goodput_rps_mean", Cell::F64(30.0)),
        ("batch:goodput_rps_mean", Cell::F64(20.0)),
        ("web:goodput_rps_mean", Cell::F64(10.0)),
    ]);
    let g = points_grid(&m, &t);
    assert_eq!(g.head[2], "fleet");
    let cells: Vec<Vec<String>> = g.rows.iter().map(|r| r.cells.clone()).collect();
    assert_eq!(
        cells,
        [
            ["0", "10", "web", "1", "10.0"],
            ["0", "10", "batch", "1", "20.0"],
            ["0", "10", "all", "1", "30.0"],
        ]
    );
}
