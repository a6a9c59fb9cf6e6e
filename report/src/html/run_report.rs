//! The report of one run: charts and `report.html`, from a `RunResult` and the text of the
//! scenario file it ran. The scenario text is parsed again (with the built-in limiter
//! registry) only to decorate charts: fault windows, the capacity line, window resets. If it
//! does not parse, the report is still written, without those decorations, and says so.

use super::files::{write, write_charts, ReportError};
use super::page::{render_page, Page};
use super::summary::summary_table;
use crate::charts::from_run::{run_charts, run_palette};
use crate::charts::Chart;
use sim::metrics::RunResult;
use std::path::{Path, PathBuf};

/// The built report, before it is written.
#[derive(Debug, Clone)]
pub struct RunReport {
    /// The page data.
    pub page: Page,
    /// The rendered `report.html`.
    pub html: String,
}

impl RunReport {
    /// The charts on the page.
    pub fn charts(&self) -> &[Chart] {
        &self.page.charts
    }
}

/// Build the report of `result` (pure: no I/O).
pub fn build_run_report(result: &RunResult, scenario_text: &str) -> Result<RunReport, ReportError> {
    let parsed = sim::scenario::load_str("scenario.toml", scenario_text);
    let scenario = parsed.as_ref().ok();
    let drawn = run_charts(result, scenario)?;
    let mut notes = Vec::new();
    if let Err(e) = &parsed {
        notes.push(format!(
            "The scenario text did not parse, so fault windows and limits are not drawn: {e}"
        ));
    }
    notes.extend(drawn.notes);
    let palette = run_palette(result);
    let mut meta = vec![
        ("seed".to_owned(), result.seed.to_string()),
        (
            // A live run's horizon is wall-clock time, never "simulated".
            if result.live { "live" } else { "simulated" }.to_owned(),
            format!("{} s", trim_float(result.duration_s)),
        ),
        (
            "bucket".to_owned(),
            format!("{} s", trim_float(result.series.bucket_s)),
        ),
        ("fleets".to_owned(), result.fleets.len().to_string()),
        ("clients".to_owned(), result.summary.clients.to_string()),
        (
            if result.live { "attempts" } else { "events" }.to_owned(),
            result.events.to_string(),
        ),
    ];
    if let Some(s) = scenario {
        meta.push(("faults".to_owned(), s.faults.len().to_string()));
    }
    let page = Page {
        title: result.scenario.clone(),
        description: scenario.map(|s| s.description.clone()).unwrap_or_default(),
        meta,
        headline: Some(super::headline::run_headline(result, scenario)),
        table: summary_table(result, &palette),
        scenario_text: scenario_text.to_owned(),
        charts: drawn.charts,
        notes,
        footer: format!(
            "throttlelab report {} (deterministic: same run, same bytes)",
            env!("CARGO_PKG_VERSION")
        ),
        ..Page::default()
    };
    let html = render_page(&page);
    Ok(RunReport { page, html })
}

/// File name of the copy of the scenario text kept beside the report, so that
/// `throttlelab report DIR` can rebuild the report later.
pub const SCENARIO_COPY: &str = "scenario.toml";

/// Write `charts/<name>.svg`, `charts/<name>.png`, `report.html` and a copy of the scenario
/// text ([`SCENARIO_COPY`]) into `dir` (created if missing). Returns the path of `report.html`.
pub fn write_run_report(
    dir: &Path,
    result: &RunResult,
    scenario_text: &str,
) -> Result<PathBuf, ReportError> {
    let report = build_run_report(result, scenario_text)?;
    write_charts(dir, report.charts())?;
    write(&dir.join(SCENARIO_COPY), scenario_text.as_bytes())?;
    super::headline::write_headline(dir, report.page.headline.as_ref())?;
    let html = dir.join("report.html");
    write(&html, report.html.as_bytes())?;
    Ok(html)
}

fn trim_float(v: f64) -> String {
    if v == v.trunc() {
        format!("{v:.0}")
    } else {
        format!("{v}")
    }
}
