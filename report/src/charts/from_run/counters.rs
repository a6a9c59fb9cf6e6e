//! Adapters from a run's per-bucket counters and gauges (`series.total` and `series.fleets`)
//! to the charts over time: offered load against goodput, the first limiter level's state,
//! and the backend's occupancy with the requests in flight per fleet.
//!
//! Kept apart from [`super`]'s chart list: each is a pure function of the run result, public
//! so tests and notebooks can check the data a chart is drawn from; the finer-grained tables
//! (latency per bucket, retry delays, arrivals) are adapted in [`crate::charts::run_series`].

use crate::charts::data::Window;
use crate::charts::lines::Line;
use crate::charts::timeline::{Capacity, TimelineBucket};
use crate::charts::{LinesOverTime, Timeline};
use sim::metrics::{RunResult, SeriesRow};

/// Timeline data from time-series rows.
pub fn timeline_data(
    title: &str,
    bucket_s: f64,
    rows: &[SeriesRow],
    capacity: Option<Capacity>,
    faults: &[Window],
) -> Timeline {
    let per_s = |n: u64| {
        if bucket_s > 0.0 {
            n as f64 / bucket_s
        } else {
            0.0
        }
    };
    let buckets = rows
        .iter()
        .map(|row| {
            let attempts = row.first_attempts + row.retries;
            let refused: u64 =
                row.rejected.values().sum::<u64>() + row.server_errors.values().sum::<u64>();
            TimelineBucket {
                t_s: row.t_s,
                first_tries: per_s(row.first_attempts),
                retries: per_s(row.retries),
                goodput: per_s(row.successes),
                rejected_pct: if attempts == 0 {
                    f64::NAN
                } else {
                    (100.0 * refused as f64 / attempts as f64).min(100.0)
                },
            }
        })
        .collect();
    Timeline {
        title: title.to_owned(),
        bucket_s,
        buckets,
        capacity,
        faults: faults.to_vec(),
    }
}

/// The first limiter level's remaining capacity against its limit: its only state if it is
/// global, else the state of its hottest key or tenant in each bucket.
pub fn limiter_data(r: &RunResult, faults: &[Window]) -> LinesOverTime {
    let scope = r.series.limiter_scope.as_deref().unwrap_or("global");
    let (what, whose) = match scope {
        "global" => (
            "global limiter".to_owned(),
            "the first global limiter level",
        ),
        other => (
            format!("limiter, {other}"),
            "the first limiter level's busiest key or tenant in each bucket (the one with the \
             most attempts arriving; with one key per fleet, the busiest fleet's)",
        ),
    };
    let rows = &r.series.total;
    let pick = |f: fn(&SeriesRow) -> Option<u64>| -> Vec<(f64, f64)> {
        rows.iter()
            .filter_map(|row| f(row).map(|v| (row.t_s + r.series.bucket_s, v as f64)))
            .collect()
    };
    let lines = vec![
        Line {
            name: "limit".into(),
            color_key: "limiter limit".into(),
            dashed: true,
            points: pick(|row| row.limiter_limit),
        },
        Line {
            name: "remaining at bucket end".into(),
            color_key: "limiter remaining".into(),
            dashed: false,
            points: pick(|row| row.limiter_remaining),
        },
    ];
    LinesOverTime {
        name: "limiter_state".into(),
        title: format!("{}: {what}, remaining against limit", r.scenario),
        caption: format!(
            "Remaining capacity of {whose} at the end of each bucket (tokens, or requests left \
             in the window), against its limit (dashed). A line pinned at zero means its clients \
             are being rejected."
        ),
        y_desc: "requests (limiter units)".into(),
        lines: lines.into_iter().filter(|l| !l.points.is_empty()).collect(),
        faults: faults.to_vec(),
        marks: vec![],
    }
}

/// Backend occupancy and logical requests in flight per fleet.
pub fn backend_data(r: &RunResult, faults: &[Window]) -> LinesOverTime {
    let b = r.series.bucket_s;
    let total = &r.series.total;
    let mut lines = vec![
        Line {
            name: "backend busy".into(),
            color_key: "backend busy".into(),
            dashed: true,
            points: total
                .iter()
                .filter_map(|row| row.busy.map(|v| (row.t_s + b, v as f64)))
                .collect(),
        },
        Line {
            name: "backend queue".into(),
            color_key: "backend queue".into(),
            dashed: true,
            points: total
                .iter()
                .filter_map(|row| row.queue_len.map(|v| (row.t_s + b, v as f64)))
                .collect(),
        },
    ];
    for (name, rows) in &r.series.fleets {
        lines.push(Line {
            name: format!("{name}: in flight"),
            color_key: name.clone(),
            dashed: false,
            points: rows
                .iter()
                .map(|row| (row.t_s + b, row.in_flight as f64))
                .collect(),
        });
    }
    LinesOverTime {
        name: "backend_state".into(),
        title: format!("{}: requests in flight and backend occupancy", r.scenario),
        caption: "At the end of each bucket: logical requests in flight per fleet (waiting to \
                  retry included), requests in service on the backend and its queue length (dashed)."
            .into(),
        y_desc: "requests".into(),
        // A gauge that is zero throughout (an instant backend has no queue) is left out.
        lines: lines
            .into_iter()
            .filter(|l| l.points.iter().any(|p| p.1 != 0.0) || !l.dashed)
            .collect(),
        faults: faults.to_vec(),
        marks: vec![],
    }
}
