//! The thin adapter from a simulator run (`sim::metrics::RunResult`, plus the validated
//! scenario when it is at hand) to the plain chart data, and the list of charts of a run
//! report. A chart the run has no data for is left out with a note saying what is missing,
//! rather than drawn empty. The adapters of the finer-grained data (latency per bucket, retry
//! delays, arrivals) are in [`super::run_series`].
//!
//! The adapters themselves are in [`counters`] (per-bucket counters and gauges), [`summaries`]
//! (whole-run figures) and [`scenario`] (what the scenario file says: faults, capacity, window
//! resets); they are re-exported here.

mod counters;
mod scenario;
mod summaries;

use super::run_series::{arrival_data, latency_time_data, retry_delay_data};
use super::{
    fairness, histogram, latency_over_time, latency_percentiles, lines_over_time, timeline, Chart,
    ChartError, Palette,
};
use sim::metrics::RunResult;
use sim::model::Scenario;

pub use counters::{backend_data, limiter_data, timeline_data};
pub use scenario::{capacity, fault_windows, window_resets};
pub use summaries::{fairness_data, percentile_data, MAX_FAIRNESS_BARS, MIN_COUNT_P9999};

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
