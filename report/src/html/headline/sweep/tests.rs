use super::*;
use crate::tables::Cell;

fn jitter_points() -> (Vec<ParamManifest>, Table) {
    let params = vec![ParamManifest {
        path: "fleet.jitter.retry.jitter".into(),
        values: vec!["none".into(), "full".into()],
    }];
    let mut t = Table::new();
    for (i, (j, rej, p99)) in [("none", 162.0, 47_000.0), ("full", 0.0, 39_000.0)]
        .into_iter()
        .enumerate()
    {
        t.push([
            ("point", Cell::U64(i as u64)),
            ("fleet.jitter.retry.jitter", Cell::Str(j.into())),
            ("rejected_total_mean", Cell::F64(162.0)),
            ("rejected_total_ci95_lo", Cell::F64(160.0)),
            ("rejected_total_ci95_hi", Cell::F64(164.0)),
            ("jitter:goodput_rps_mean", Cell::F64(20.0)),
            ("jitter:rejected_total_mean", Cell::F64(rej)),
            ("jitter:rejected_total_ci95_lo", Cell::F64(rej * 0.9)),
            ("jitter:rejected_total_ci95_hi", Cell::F64(rej * 1.1)),
            ("jitter:latency_p99_ms_mean", Cell::F64(p99)),
            ("jitter:latency_p99_ms_ci95_lo", Cell::F64(p99 - 500.0)),
            ("jitter:latency_p99_ms_ci95_hi", Cell::F64(p99 + 500.0)),
        ]);
    }
    (params, t)
}

#[test]
fn names_the_winner_by_the_changed_fleets_figures() {
    let (params, t) = jitter_points();
    let (h, fig) = sweep_headline(&params, &t, "q".into());
    assert_eq!(fig, "jitter:rejected_total");
    assert_eq!(
        h.chart.as_deref(),
        Some("sweep_fleet_jitter_rejected_total")
    );
    assert!(
        h.answer.starts_with("Fleet jitter (the one the sweep changes): jitter=full is best on rejected attempts: rejected attempts 0 at jitter=full vs 162 [146, 178] at jitter=none; p99 latency 39.0 s [38.5 s, 39.5 s] at jitter=full vs 47.0 s [46.5 s, 47.5 s] at jitter=none."),
        "{}",
        h.answer
    );
}

#[test]
fn overlapping_intervals_decide_nothing() {
    let (params, mut t) = jitter_points();
    t = {
        let mut u = Table::new();
        for r in 0..t.len() {
            u.push([
                ("point", Cell::U64(r as u64)),
                (
                    "fleet.jitter.retry.jitter",
                    t.column("fleet.jitter.retry.jitter").unwrap()[r].clone(),
                ),
                ("goodput_rps_mean", Cell::F64(40.0 + r as f64 * 0.01)),
                ("goodput_rps_ci95_lo", Cell::F64(39.0)),
                ("goodput_rps_ci95_hi", Cell::F64(41.0)),
            ]);
        }
        u
    };
    let (h, _) = sweep_headline(&params, &t, "q".into());
    assert!(
        h.answer
            .starts_with("All fleets: the seeds cannot tell the points apart"),
        "{}",
        h.answer
    );
}

#[test]
fn a_server_sweep_is_answered_for_the_fleet_that_changed_most() {
    let params = vec![ParamManifest {
        path: "server.limiters".into(),
        values: vec!["global".into(), "tenant".into()],
    }];
    let mut t = Table::new();
    for (i, (quiet, noisy)) in [(341.0, 2194.0), (0.0, 3492.0)].into_iter().enumerate() {
        let mut row = vec![
            ("point".to_owned(), Cell::U64(i as u64)),
            (
                "server.limiters".to_owned(),
                Cell::Str(["global", "tenant"][i].into()),
            ),
        ];
        for (fleet, v) in [("quiet", quiet), ("noisy", noisy)] {
            row.push((format!("{fleet}:goodput_rps_mean"), Cell::F64(10.0)));
            row.push((format!("{fleet}:rejected_total_mean"), Cell::F64(v)));
            row.push((
                format!("{fleet}:rejected_total_ci95_lo"),
                Cell::F64(v * 0.95),
            ));
            row.push((
                format!("{fleet}:rejected_total_ci95_hi"),
                Cell::F64(v * 1.05),
            ));
        }
        t.push(row);
    }
    let (h, fig) = sweep_headline(&params, &t, "q".into());
    assert_eq!(fig, "quiet:rejected_total");
    assert!(
        h.answer
            .starts_with("Fleet quiet (changed most): limiters=tenant is best"),
        "{}",
        h.answer
    );
}
