//! The thin adapter from a simulator run (`sim::metrics::RunResult`, plus the validated
//! scenario when it is at hand) to the plain chart data, and the list of charts of a run
//! report. A chart the run has no data for is left out with a note saying what is missing,
//! rather than drawn empty. The adapters of the finer-grained data (latency per bucket, retry
//! delays, arrivals) are in [`super::run_series`].

use super::data::{Mark, Window};
use super::fairness::FairnessBar;
use super::latency::PercentileCurve;
use super::lines::Line;
use super::run_series::{arrival_data, latency_time_data, retry_delay_data};
use super::timeline::{Capacity, TimelineBucket};
use super::{
    fairness, histogram, latency_over_time, latency_percentiles, lines_over_time, timeline, Chart,
    ChartError, Fairness, LatencyPercentiles, LinesOverTime, Palette, Timeline,
};
use sim::metrics::{RunResult, SeriesRow};
use sim::model::{FaultKind, Level, Scenario, Scope};
use std::collections::BTreeMap;

/// Most bars the fairness chart draws per tenant before falling back to one bar per fleet.
pub const MAX_FAIRNESS_BARS: usize = 60;

/// Successes a fleet needs before its p99.99 is drawn: with fewer, the 99.99th percentile is
/// just the largest sample.
pub const MIN_COUNT_P9999: u64 = 10_000;

/// The charts of one run, and notes on the charts left out.
#[derive(Debug, Clone, Default)]
pub struct RunCharts {
    /// Drawn charts, in report order.
    pub charts: Vec<Chart>,
    /// Why a chart is missing, one line each.
    pub notes: Vec<String>,
}

/// Palette keys of the lines that are not fleets.
const GAUGE_KEYS: [&str; 4] = [
    "backend busy",
    "backend queue",
    "limiter limit",
    "limiter remaining",
];

/// The palette of a run: one colour per fleet, then the gauges in the colours left.
pub fn run_palette(r: &RunResult) -> Palette {
    Palette::new(r.fleets.keys()).with_extra(GAUGE_KEYS)
}

/// Draw every chart the run has data for.
pub fn run_charts(r: &RunResult, scenario: Option<&Scenario>) -> Result<RunCharts, ChartError> {
    let palette = run_palette(r);
    let faults = scenario.map(fault_windows).unwrap_or_default();
    let mut out = RunCharts::default();
    let add = |out: &mut RunCharts, what: &str, c: Result<Chart, ChartError>| match c {
        Ok(c) => {
            out.charts.push(c);
            Ok(())
        }
        Err(ChartError::Empty(why)) => {
            out.notes.push(format!("{what}: left out ({why})."));
            Ok(())
        }
        Err(e) => Err(e),
    };
    let cap = scenario.and_then(|s| capacity(s, r.duration_s));
    let total = timeline_data(
        &format!("{}: offered load vs goodput, all fleets", r.scenario),
        r.series.bucket_s,
        &r.series.total,
        cap,
        &faults,
    );
    add(&mut out, "timeline", timeline(&total))?;
    if r.fleets.len() > 1 {
        for (name, rows) in &r.series.fleets {
            let data = timeline_data(
                &format!("fleet {name}: offered load vs goodput"),
                r.series.bucket_s,
                rows,
                None,
                &faults,
            );
            add(
                &mut out,
                "fleet timeline",
                timeline(&data).map(|c| renamed(c, &format!("timeline_{}", file_safe(name)))),
            )?;
        }
    }
    add(
        &mut out,
        "latency percentiles",
        latency_percentiles(&percentile_data(r), &palette),
    )?;
    let s = &r.series;
    let total = latency_time_data(
        &format!("{}: latency over time, all fleets", r.scenario),
        s.bucket_s,
        s.latency_bucket_s,
        &s.total,
        &faults,
    );
    add(&mut out, "latency over time", latency_over_time(&total))?;
    if r.fleets.len() > 1 {
        for (name, rows) in &s.fleets {
            let data = latency_time_data(
                &format!("fleet {name}: latency over time"),
                s.bucket_s,
                s.latency_bucket_s,
                rows,
                &faults,
            );
            add(
                &mut out,
                "fleet latency over time",
                latency_over_time(&data)
                    .map(|c| renamed(c, &format!("latency_time_{}", file_safe(name)))),
            )?;
        }
    }
    add(&mut out, "fairness", fairness(&fairness_data(r), &palette))?;
    let limiter = limiter_data(r, &faults);
    if limiter.lines.is_empty() {
        out.notes.push(
            "limiter state: left out (the scenario has no limiter level, or no request reached \
             it)."
                .to_owned(),
        );
    } else {
        add(
            &mut out,
            "limiter state",
            lines_over_time(&limiter, &palette),
        )?;
    }
    add(
        &mut out,
        "backend state",
        lines_over_time(&backend_data(r, &faults), &palette),
    )?;
    let marks = scenario
        .map(|s| window_resets(s, r.duration_s))
        .unwrap_or_default();
    add(
        &mut out,
        "arrivals",
        histogram(&arrival_data(r, marks), &palette),
    )?;
    let delays = retry_delay_data(r);
    if delays.groups.is_empty() {
        out.notes
            .push("retry delays: left out (no fleet retried in this run).".to_owned());
    } else {
        add(&mut out, "retry delays", histogram(&delays, &palette))?;
    }
    Ok(out)
}

fn renamed(mut c: Chart, name: &str) -> Chart {
    c.name = name.to_owned();
    c
}

/// A name usable as a file stem: ASCII letters, digits, `-` and `_`; anything else becomes `_`.
pub fn file_safe(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// The scenario's fault windows, labelled by kind.
pub fn fault_windows(s: &Scenario) -> Vec<Window> {
    s.faults
        .iter()
        .map(|f| Window {
            start_s: f.start.as_secs_f64(),
            end_s: f.end().as_secs_f64(),
            label: match &f.kind {
                FaultKind::ErrorRate { status, rate } => {
                    format!("errors {status} ({:.0}%)", rate * 100.0)
                }
                FaultKind::Outage { status } => format!("outage {status}"),
                FaultKind::LatencySpike { .. } => "latency spike".to_owned(),
                FaultKind::CapacityDrop { workers } => format!("capacity drop to {workers}"),
            },
        })
        .collect()
}

/// Nominal rate (requests per second) a limiter level admits, from its `rate` parameter or its
/// `limit` per `window`; `None` for algorithms without a rate (concurrency, adaptive, quota).
fn level_rate(level: &Level) -> Option<f64> {
    let params = &level.params;
    if let Ok(rate) = params.rate("rate") {
        return Some(rate.per_sec());
    }
    // Windowed algorithms: `limit` per `window` (sliding) or per `period` (fixed window).
    let limit = params.u64("limit").ok()?;
    let window = params
        .positive_duration("window")
        .or_else(|_| params.positive_duration("period"))
        .ok()?;
    Some(limit as f64 / window.as_secs_f64())
}

/// The capacity line of the whole server: the lowest of the global limiter rates and the
/// backend's throughput (workers / mean service time), as a step line lowered during
/// capacity-drop faults. `None` when neither is known.
pub fn capacity(s: &Scenario, duration_s: f64) -> Option<Capacity> {
    let limit = s
        .server
        .levels
        .iter()
        .filter(|l| l.scope == Scope::Global)
        .filter_map(level_rate)
        .fold(None, |m: Option<f64>, v| Some(m.map_or(v, |m| m.min(v))));
    let mean_s = s.server.backend.service_time.mean().as_secs_f64();
    let backend = |workers: u32| (mean_s > 0.0).then(|| f64::from(workers) / mean_s);
    let base_backend = s.server.backend.workers.and_then(backend);
    let cap_at = |backend: Option<f64>| match (limit, backend) {
        (Some(l), Some(b)) => Some(l.min(b)),
        (l, b) => l.or(b),
    };
    let base = cap_at(base_backend)?;
    let mut points = vec![(0.0, base)];
    let mut drops: Vec<(f64, f64, f64)> =
        s.faults
            .iter()
            .filter_map(|f| match f.kind {
                FaultKind::CapacityDrop { workers } => cap_at(backend(workers))
                    .map(|c| (f.start.as_secs_f64(), f.end().as_secs_f64(), c)),
                _ => None,
            })
            .collect();
    drops.sort_by(|a, b| a.0.total_cmp(&b.0));
    for (a, b, c) in drops {
        points.extend([(a, base), (a, c), (b, c), (b, base)]);
    }
    points.push((duration_s, base));
    let what = match (limit, base_backend) {
        (Some(l), Some(b)) if l <= b => "global limit",
        (Some(_), Some(_)) | (None, Some(_)) => "backend capacity",
        _ => "global limit",
    };
    Some(Capacity {
        label: format!("{what} {base:.0} req/s"),
        points,
    })
}

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

/// Percentile curves per fleet from the summaries' latency figures.
pub fn percentile_data(r: &RunResult) -> LatencyPercentiles {
    let curves = r
        .fleets
        .iter()
        .filter_map(|(name, s)| {
            let l = s.latency.as_ref()?;
            let mut points = vec![
                (50.0, l.p50_ms),
                (90.0, l.p90_ms),
                (99.0, l.p99_ms),
                (99.9, l.p999_ms),
            ];
            if l.count >= MIN_COUNT_P9999 {
                points.push((99.99, l.p9999_ms));
            }
            Some(PercentileCurve {
                name: name.clone(),
                points,
            })
        })
        .collect();
    LatencyPercentiles {
        title: format!("{}: latency percentiles by fleet", r.scenario),
        curves,
    }
}

/// Fairness bars: one per tenant (coloured by the fleet of its clients), or one per fleet when
/// there are more than [`MAX_FAIRNESS_BARS`] tenants.
pub fn fairness_data(r: &RunResult) -> Fairness {
    let mut tenant_fleet: BTreeMap<&str, &str> = BTreeMap::new();
    for c in &r.clients {
        tenant_fleet
            .entry(&*c.tenant)
            .and_modify(|f| {
                if *f != &*c.fleet {
                    *f = "mixed fleets";
                }
            })
            .or_insert(&*c.fleet);
    }
    let per_tenant = r.tenants.len() <= MAX_FAIRNESS_BARS && r.tenants.len() > 1;
    let bars = if per_tenant {
        r.tenants
            .iter()
            .map(|t| FairnessBar {
                label: t.tenant.clone(),
                fleet: tenant_fleet
                    .get(t.tenant.as_str())
                    .copied()
                    .unwrap_or("?")
                    .to_owned(),
                demand: t.demand,
                served: t.successes,
            })
            .collect()
    } else {
        r.fleets
            .iter()
            .map(|(name, s)| FairnessBar {
                label: name.clone(),
                fleet: name.clone(),
                demand: s.logical_requests,
                served: s.successes,
            })
            .collect()
    };
    Fairness {
        title: format!(
            "{}: demand served per {}",
            r.scenario,
            if per_tenant { "tenant" } else { "fleet" }
        ),
        group_kind: if per_tenant { "tenant" } else { "fleet" }.to_owned(),
        bars,
        jain: if per_tenant {
            r.summary.fairness_tenants
        } else {
            None
        },
        jain_clients: r.summary.fairness_clients,
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

/// Window resets of fixed-window levels (`fixed_window`: every `period`, offset by `align`), where
/// clients that were told to come back "at reset" arrive together.
pub fn window_resets(s: &Scenario, duration_s: f64) -> Vec<Mark> {
    let mut xs: Vec<f64> = Vec::new();
    for l in s
        .server
        .levels
        .iter()
        .filter(|l| l.algorithm == "fixed_window")
    {
        if let Ok(w) = l.params.positive_duration("period") {
            let w = w.as_secs_f64();
            // `align` defaults to 0 s; absent or unreadable, windows start at 0.
            let align = l
                .params
                .duration("align")
                .map_or(0.0, |a| a.as_secs_f64() % w);
            let n = ((duration_s - align) / w).floor().max(0.0) as u64;
            xs.extend((0..=n).map(|k| align + k as f64 * w));
        }
    }
    xs.sort_by(f64::total_cmp);
    xs.dedup();
    const MAX_MARKS: usize = 400;
    xs.into_iter()
        .take(MAX_MARKS)
        .map(|x| Mark {
            x,
            label: "window reset".into(),
        })
        .collect()
}
