use super::*;

fn rec(seed: u64, goodput: f64, p99: Option<f64>) -> RunRecord {
    RunRecord {
        keys: vec![("seed".into(), Cell::U64(seed))],
        figures: vec![
            ("goodput_rps".into(), Cell::F64(goodput)),
            ("latency_p99_ms".into(), p99.into()),
            ("rejected_429".into(), Cell::U64(0)),
        ],
        series: Table::new(),
    }
}

#[test]
fn paired_by_seed() {
    let a = [
        rec(1, 10.0, Some(5.0)),
        rec(2, 12.0, None),
        rec(3, 11.0, Some(7.0)),
    ];
    let b = [
        rec(1, 11.0, Some(6.0)),
        rec(2, 14.0, Some(9.0)),
        rec(3, 12.0, Some(8.0)),
    ];
    let d = compare(&a, &b);
    assert_eq!(
        d.iter().map(|d| d.figure.as_str()).collect::<Vec<_>>(),
        ["rejected_429", "goodput_rps", "latency_p99_ms"]
    );
    let g = &d[1];
    assert_eq!(
        (g.a_mean, g.b_mean, g.n),
        (Some(11.0), Some(12.333333333333334), 3)
    );
    // differences 1, 2, 1: mean 4/3, s = 0.57735, t(2) = 4.3026527: half = 1.434218
    let (lo, hi) = g.diff_ci95.unwrap();
    assert!((lo - (4.0 / 3.0 - 1.434218)).abs() < 1e-5, "{lo}");
    assert!((hi - (4.0 / 3.0 + 1.434218)).abs() < 1e-5, "{hi}");
    assert!(!g.significant());
    assert!((g.change_pct().unwrap() - 100.0 * (4.0 / 3.0) / 11.0).abs() < 1e-9);
    assert_eq!(d[2].n, 2);
    let text = render(&d, "a", "b", false);
    assert!(text.contains("goodput_rps"), "{text}");
    let goodput = text.lines().find(|l| l.starts_with("goodput_rps")).unwrap();
    assert!(
        !goodput.contains('*'),
        "no verdict without significance: {text}"
    );
    let p99 = text.lines().find(|l| l.starts_with("latency_p99")).unwrap();
    assert!(p99.ends_with("* B worse"), "{text}");
    assert!(!text.contains("rejected_429"), "{text}");
    assert!(render(&d, "a", "b", true).contains("rejected_429"));
}

#[test]
fn cells_are_for_people() {
    let d = FigureDiff {
        figure: "latency_p99_ms".into(),
        a_mean: Some(47_012.0),
        b_mean: Some(39_100.0),
        n: 5,
        diff_mean: Some(-7_912.0),
        diff_ci95: Some((-8_500.0, -7_300.0)),
    };
    assert_eq!(
        diff_cells(&d),
        [
            "latency_p99_ms",
            "47.0 s",
            "39.1 s",
            "-7.91 s",
            "[-8.50 s, -7.30 s]",
            "-16.8%"
        ]
    );
    let tiny = FigureDiff {
        figure: "rejection_rate".into(),
        a_mean: Some(0.01),
        b_mean: Some(0.0092179),
        n: 5,
        diff_mean: Some(-7.821e-4),
        diff_ci95: Some((-9e-4, -6e-4)),
    };
    let cells = diff_cells(&tiny);
    assert_eq!(cells[3], "-0.000782");
    assert!(cells.iter().all(|c| !c.contains("e-")), "{cells:?}");
}

#[test]
fn significance_needs_an_interval_away_from_zero() {
    let a = [rec(1, 10.0, None), rec(2, 10.0, None), rec(3, 10.0, None)];
    let b = [rec(1, 20.0, None), rec(2, 21.0, None), rec(3, 20.5, None)];
    let d = compare(&a, &b);
    assert!(d[1].significant());
    let t = compare_table(&d);
    assert_eq!(t.column("significant").unwrap()[1], Cell::Bool(true));
    assert_eq!(diffs_from_table(&t), d);
}

#[test]
fn scoped_rows_follow_their_total_with_their_own_verdict() {
    // The fairness pair in miniature: the total barely moves, the quiet tenant doubles.
    let rec = |seed: u64, total: f64, quiet: f64| RunRecord {
        keys: vec![("seed".into(), Cell::U64(seed))],
        figures: vec![
            ("goodput_rps".into(), Cell::F64(total)),
            ("attempts".into(), Cell::U64(10)),
            ("tenant/quiet-0:goodput_rps".into(), Cell::F64(quiet)),
            ("noisy:goodput_rps".into(), Cell::F64(total - quiet)),
        ],
        series: Table::new(),
    };
    let a = [rec(1, 100.0, 4.0), rec(2, 100.5, 4.5), rec(3, 99.5, 4.2)];
    let b = [rec(1, 99.0, 9.8), rec(2, 99.6, 10.0), rec(3, 98.4, 9.9)];
    let d = compare(&a, &b);
    let names: Vec<&str> = d.iter().map(|d| d.figure.as_str()).collect();
    assert_eq!(
        names,
        [
            "attempts",
            "goodput_rps",
            "noisy:goodput_rps",
            "tenant/quiet-0:goodput_rps"
        ]
    );
    let t = compare_table(&d);
    assert_eq!(t.column("scope").unwrap()[3], Cell::Str("tenant".into()));
    assert_eq!(t.column("name").unwrap()[3], Cell::Str("quiet-0".into()));
    assert_eq!(t.column("name").unwrap()[1], Cell::Str("all".into()));
    let text = render(&d, "global", "hierarchy", false);
    let quiet = text
        .lines()
        .find(|l| l.starts_with("tenant/quiet-0:goodput_rps"))
        .unwrap();
    assert!(quiet.contains("* B better"), "{text}");
    let total = text.lines().find(|l| l.starts_with("goodput_rps")).unwrap();
    assert!(total.contains("* B worse"), "{text}");
}
