use super::*;

#[test]
fn viridis_ends_and_clamps() {
    assert_eq!(viridis(0.0), RGBColor(0x44, 0x01, 0x54));
    assert_eq!(viridis(1.0), RGBColor(0xFD, 0xE7, 0x25));
    assert_eq!(viridis(2.0), viridis(1.0));
    assert_eq!(viridis(f64::NAN), viridis(0.0));
    let RGBColor(_, g_lo, _) = viridis(0.25);
    let RGBColor(_, g_hi, _) = viridis(0.75);
    assert!(g_hi > g_lo, "greener towards the top");
}

#[test]
fn cells_are_checked_and_drawn_with_values() {
    let h = Heatmap {
        name: "heat".into(),
        title: "t".into(),
        caption: "c".into(),
        x_desc: "x".into(),
        y_desc: "y".into(),
        x_labels: vec!["1".into(), "2".into()],
        y_labels: vec!["a".into()],
        cells: vec![vec![Some(1.5), None]],
        ci: vec![],
        unit: "goodput, req/s".into(),
    };
    let c = heatmap(&h).unwrap();
    assert!(c.svg.contains("1.50"), "value printed in its cell");
    let mut bad = h.clone();
    bad.cells = vec![vec![Some(1.0)]];
    assert!(heatmap(&bad).is_err());
    assert_eq!(cell_text(12345.0), "12k");
    assert_eq!(cell_text(0.5), "0.50");
}

#[test]
fn cells_within_the_others_interval_are_flagged() {
    let h = Heatmap {
        name: "heat".into(),
        title: "t".into(),
        caption: "c".into(),
        x_desc: "x".into(),
        y_desc: "y".into(),
        x_labels: vec!["1".into(), "2".into(), "3".into()],
        y_labels: vec!["a".into()],
        cells: vec![vec![Some(10.0), Some(10.1), Some(20.0)]],
        ci: vec![vec![
            Some((9.0, 16.0)),
            Some((10.0, 10.2)),
            Some((19.0, 21.0)),
        ]],
        unit: "u".into(),
    };
    // others' means: 15.05 (inside), 15.0 (outside), 10.05 (outside)
    assert!(h.within_ci(0, 0));
    assert!(!h.within_ci(0, 1));
    assert!(!h.within_ci(0, 2));
    assert_eq!(pct(0.0007), "0.07%");
    assert_eq!(pct(0.25), "25%");
    assert_eq!(pct(0.034), "3.4%");
}
