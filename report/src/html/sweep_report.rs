//! The report of a sweep: its scenario and parameters, the points table (each headline
//! figure's mean and 95% interval per point), and the sweep charts
//! ([`crate::charts::from_sweep`]), in one self-contained `report.html` whose charts are PNG
//! `data:` URIs (no network, no side files needed).

use super::files::{write, write_charts, ReportError};
use super::headline::{noun, question_of, sweep_headline, with_ci};
use super::page::{render_page, Embed, Grid, GridRow, Page};
use super::run_report::SCENARIO_COPY;
use crate::charts::from_sweep::{figure_chart, show_cell, sweep_charts, SweepInput, SWEEP_FIGURES};
use crate::tables::{
    lead_with, scopes_of, touched_fleets, Cell, ParamManifest, SweepManifest, Table,
};
use crate::value_label::short_value;
use sim::model::Scenario;
use std::path::{Path, PathBuf};

/// What a sweep report is built from.
#[derive(Debug, Clone, Copy)]
pub struct SweepReportInput<'a> {
    /// `sweep.json`.
    pub manifest: &'a SweepManifest,
    /// The `points` table.
    pub points: &'a Table,
    /// The scenario file's text (with its `[sweep]` table).
    pub scenario_text: &'a str,
    /// Each point's scenario, by point index, for model curves (may be empty).
    pub scenarios: &'a [&'a Scenario],
}

/// Build the page (pure: no I/O).
pub fn build_sweep_report(input: &SweepReportInput<'_>) -> Result<Page, ReportError> {
    let m = input.manifest;
    let drawn = sweep_charts(&SweepInput {
        params: &m.params,
        points: input.points,
        scenarios: input.scenarios,
    })?;
    let (description, question) = sim::scenario::load_str(
        "scenario.toml",
        &sim::sweep::without_sweep(input.scenario_text),
    )
    .map(|s| (s.description, s.question))
    .unwrap_or_default();
    let question = match question_of(&question, &description) {
        q if q.is_empty() => format!("What does each point of the {} sweep give?", m.scenario),
        q => q,
    };
    let (headline, column) = sweep_headline(&m.params, input.points, question);
    let mut drawn = drawn;
    // The headline's chart: the deciding figure of the fleet the sweep changes, drawn here
    // when the sweep charts (whole-run figures) do not have it.
    if let Some(name) = &headline.chart {
        if !drawn.charts.iter().any(|c| &c.name == name) {
            let title = match column.split_once(':') {
                Some((fleet, _)) => format!("Fleet {fleet}: {}", noun(&column)),
                None => capital(&noun(&column)),
            };
            let input = SweepInput {
                params: &m.params,
                points: input.points,
                scenarios: input.scenarios,
            };
            if let Some(c) = figure_chart(&input, &column, &title, name)? {
                drawn.charts.insert(0, c);
            }
        }
    }
    let seeds = match (m.seeds.first(), m.seeds.last()) {
        (Some(a), Some(b)) => format!("{} ({a}..={b})", m.seeds.len()),
        _ => "0".into(),
    };
    let meta = vec![
        ("points".to_owned(), m.points.to_string()),
        ("seeds per point".to_owned(), seeds),
        ("runs".to_owned(), m.jobs.to_string()),
        ("sweep".to_owned(), m.hash.clone()),
    ];
    let params = Grid {
        id: "parameters".into(),
        heading: "Parameters".into(),
        caption: "Every combination of these values is a point; each point runs with the same \
                  seeds."
            .into(),
        head: vec!["path".into(), "value".into(), "as written".into()],
        rows: m.params.iter().flat_map(param_rows).collect(),
    };
    let page = Page {
        title: format!("{} (sweep)", m.scenario),
        description,
        meta,
        headline: Some(headline),
        grids: vec![params, points_grid(m, input.points)],
        embed: Embed::PngDataUri,
        scenario_text: input.scenario_text.to_owned(),
        charts: drawn.charts,
        notes: drawn.notes,
        footer: format!(
            "throttlelab {} sweep report (deterministic: same sweep, same bytes)",
            env!("CARGO_PKG_VERSION")
        ),
        ..Page::default()
    };
    Ok(page)
}

/// The parameters table's rows of one parameter: plain values (numbers, names) on one row;
/// whole tables (a limiter layout) one per row, each by its short name beside what was written.
fn param_rows(p: &ParamManifest) -> Vec<GridRow> {
    let row = |path: &str, value: String, written: String| GridRow {
        cells: vec![path.to_owned(), value, written],
        class: String::new(),
    };
    if p.values.iter().all(|v| short_value(v) == *v) {
        return vec![row(&p.path, p.values.join(", "), String::new())];
    }
    p.values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let path = if i == 0 { p.path.as_str() } else { "" };
            row(path, short_value(v), v.clone())
        })
        .collect()
}

/// `12.3 [11.9, 12.7]` in the figure's human format ([`crate::human::figure`]: latency in s
/// from 10 s, counts whole), or the mean alone without an interval.
fn mean_ci(points: &Table, fig: &str, r: usize) -> String {
    let get = |s: &str| {
        points
            .column(&format!("{fig}{s}"))
            .and_then(|c| c[r].as_f64())
    };
    match get("_mean") {
        None => "-".into(),
        Some(m) => with_ci(fig, m, get("_ci95_lo").zip(get("_ci95_hi"))),
    }
}

/// `text` with its first letter in capitals.
fn capital(text: &str) -> String {
    let mut c = text.chars();
    c.next().map_or_else(String::new, |f| {
        f.to_uppercase().collect::<String>() + c.as_str()
    })
}

/// The points: parameters, runs, and each headline figure's mean with its 95% interval; with
/// several fleets, one row per point and fleet (tenant, whole run), in the printed table's
/// order (the fleets the parameters touch first).
fn points_grid(m: &SweepManifest, points: &Table) -> Grid {
    let figs: Vec<(&str, &str, &str)> = SWEEP_FIGURES
        .iter()
        .filter(|(f, ..)| {
            points
                .column(&format!("{f}_mean"))
                .is_some_and(|c| c.iter().any(|v| v.as_f64().is_some()))
        })
        .map(|(f, n, u, _)| (*f, *n, *u))
        .collect();
    let found = scopes_of(
        points.names().iter().map(String::as_str),
        "goodput_rps_mean",
    );
    let paths: Vec<&str> = m.params.iter().map(|p| p.path.as_str()).collect();
    let touched = touched_fleets(&paths).filter(|t| !t.is_empty());
    let scopes = lead_with(&found, touched.as_deref());
    let many = scopes.len() > 1;
    let mut head = vec!["point".to_owned()];
    head.extend(m.params.iter().map(|p| p.path.clone()));
    if many {
        head.push("fleet".into());
    }
    head.push("runs".into());
    head.extend(figs.iter().map(|(f, ..)| noun(f)));
    let cell = |col: &str, r: usize| points.column(col).map_or(Cell::Null, |c| c[r].clone());
    let rows = scopes
        .iter()
        .flat_map(|scope| (0..points.len()).map(move |r| (scope, r)))
        .map(|(scope, r)| {
            let mut cells = vec![cell("point", r).text()];
            cells.extend(
                m.params
                    .iter()
                    .map(|p| short_value(&show_cell(&cell(&p.path, r)))),
            );
            if many {
                cells.push(scope.label());
            }
            cells.push(cell("runs", r).text());
            let prefix = scope.prefix();
            cells.extend(
                figs.iter()
                    .map(|(f, ..)| mean_ci(points, &format!("{prefix}{f}"), r)),
            );
            GridRow {
                cells,
                class: String::new(),
            }
        })
        .collect();
    Grid {
        id: "points".into(),
        heading: "Points".into(),
        caption: if crate::tables::PARQUET {
            "Mean over the seeds [95% confidence interval of the mean, Student's t]. \
             Every figure of every point is in points.csv / points.parquet, every run in \
             runs.csv / runs.parquet."
        } else {
            "Mean over the seeds [95% confidence interval of the mean, Student's t]. \
             Every figure of every point is in points.csv, every run in runs.csv."
        }
        .into(),
        head,
        rows,
    }
}

/// Write `charts/*.svg`, `charts/*.png`, a copy of the scenario text and `report.html` into
/// the sweep folder `dir`; returns the path of `report.html`.
pub fn write_sweep_report(
    dir: &Path,
    input: &SweepReportInput<'_>,
) -> Result<PathBuf, ReportError> {
    let page = build_sweep_report(input)?;
    write_charts(dir, &page.charts)?;
    write(&dir.join(SCENARIO_COPY), input.scenario_text.as_bytes())?;
    super::headline::write_headline(dir, page.headline.as_ref())?;
    let html = dir.join("report.html");
    write(&html, render_page(&page).as_bytes())?;
    Ok(html)
}

#[cfg(test)]
mod tests;
