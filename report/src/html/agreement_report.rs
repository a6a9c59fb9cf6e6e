//! The report of one run checked against another, figure by figure (`check-live`: the
//! simulation against the live server on loopback), that opens with the verdict.
//!
//! A check's outcome is a yes or a no with the figures that decide it: a reviewer must see
//! "live differs on 2 of 14 judged figures: nojitter rejected 429 162 -> 201 (+24%)" before
//! the table of every figure, and must see a caveat (a fault the check's duration cut off)
//! beside the verdict it qualifies, not under it.

use super::files::{write, write_charts, ReportError};
use super::headline::{write_headline, Headline};
use super::page::{render_page, Embed, Grid, GridRow, Page};
use crate::charts::compare::{forest, Forest, ForestRow};
use crate::charts::palette::Palette;
use crate::human;
use std::path::{Path, PathBuf};

/// One figure of one fleet (or `total`) on both sides.
#[derive(Debug, Clone, PartialEq)]
pub struct AgreementRow {
    /// `total` or a fleet name.
    pub fleet: String,
    /// The figure, e.g. `rejected 429`.
    pub figure: String,
    /// Side A's value (the simulation).
    pub a: f64,
    /// Side B's value (the live run).
    pub b: f64,
    /// `(b - a) / a`; `None` when unbounded.
    pub rel_diff: Option<f64>,
    /// Whether the figure is judged (headline figures with enough counts) or shown only.
    pub judged: bool,
    /// Whether a judged figure agrees.
    pub agrees: bool,
    /// The verdict word of the printed table (`ok`, `DIFFERS`, `ok (spread)`, `too few`).
    pub verdict: String,
}

/// What the report shows.
#[derive(Debug, Clone, PartialEq)]
pub struct AgreementInput<'a> {
    /// Heading (`retry-storm: simulated vs live`).
    pub title: String,
    /// One line under the heading.
    pub description: String,
    /// The question the check answers.
    pub question: String,
    /// Side A's name (`simulated`), side B's (`live`).
    pub names: (String, String),
    /// How the answer says each outcome: (`live agrees with the simulation`, `live differs
    /// from the simulation`).
    pub phrases: (String, String),
    /// The tolerance, as a fraction.
    pub tolerance: f64,
    /// Every row, in the printed table's order.
    pub rows: &'a [AgreementRow],
    /// What qualifies the verdict (a fault cut off by the duration, the real network).
    pub caveats: &'a [String],
    /// Facts under the heading.
    pub meta: Vec<(String, String)>,
    /// The scenario file.
    pub scenario_text: &'a str,
}

/// The verdict in one or two sentences.
///
/// ```
/// use report::html::agreement_report::{answer, AgreementRow};
/// let row = |figure: &str, a: f64, b: f64, agrees: bool| AgreementRow {
///     fleet: "total".into(), figure: figure.into(), a, b, rel_diff: Some((b - a) / a),
///     judged: true, agrees, verdict: if agrees { "ok".into() } else { "DIFFERS".into() },
/// };
/// let rows = [row("admitted", 800.0, 804.0, true), row("rejected 429", 162.0, 201.0, false)];
/// let a = answer(&rows, 0.05, &[], ("live agrees with the simulation", "live differs from the simulation"));
/// assert!(a.starts_with("No: live differs from the simulation by more than 5% on 1 of 2"), "{a}");
/// assert!(a.contains("total rejected 429 162 -> 201 (+24.1%)"), "{a}");
/// ```
pub fn answer(
    rows: &[AgreementRow],
    tolerance: f64,
    caveats: &[String],
    (agrees, differs): (&str, &str),
) -> String {
    let judged: Vec<&AgreementRow> = rows.iter().filter(|r| r.judged).collect();
    let differ: Vec<&AgreementRow> = judged.iter().copied().filter(|r| !r.agrees).collect();
    let tol = percent(tolerance);
    let mut text = if judged.is_empty() {
        "Nothing to judge: every headline count is too small on both sides to tell a difference \
         from noise."
            .to_owned()
    } else if differ.is_empty() {
        // figures that agree only inside their interval (or the simulated spread) are named,
        // so "within 5%" is never said of a figure 15% off
        let wide: Vec<String> = judged
            .iter()
            .filter(|r| r.rel_diff.is_none_or(|d| d.abs() > tolerance + 1e-12))
            .take(3)
            .map(|r| named(r))
            .collect();
        if wide.is_empty() {
            format!(
                "Yes: {agrees} within {tol} on all {} judged figures.",
                judged.len()
            )
        } else {
            let n_wide = judged
                .iter()
                .filter(|r| r.rel_diff.is_none_or(|d| d.abs() > tolerance + 1e-12))
                .count();
            let more = if n_wide > 3 { ", ..." } else { "" };
            format!(
                "Yes: {agrees} on all {} judged figures, {} within {tol} and {n_wide} inside \
                 the 95% interval or the spread of the simulated value: {}{more}.",
                judged.len(),
                judged.len() - n_wide,
                wide.join("; ")
            )
        }
    } else {
        let named: Vec<String> = differ.iter().take(3).map(|r| named(r)).collect();
        let more = if differ.len() > 3 { ", ..." } else { "" };
        format!(
            "No: {differs} by more than {tol} on {} of {} judged figures: {}{more}.",
            differ.len(),
            judged.len(),
            named.join("; ")
        )
    };
    if let Some(c) = caveats.first() {
        text.push_str(&format!(" Caveat: {c}."));
    }
    text
}

/// `fleet figure a -> b (+d%)`.
fn named(r: &AgreementRow) -> String {
    let pct = r
        .rel_diff
        .map_or_else(|| "from 0".to_owned(), |d| format!("{:+.1}%", d * 100.0));
    format!(
        "{} {} {} -> {} ({pct})",
        r.fleet,
        r.figure,
        human::sig(r.a),
        human::sig(r.b)
    )
}

/// A tolerance as people write it: `5%`, `2.5%`.
fn percent(fraction: f64) -> String {
    let p = fraction * 100.0;
    if (p - p.round()).abs() < 1e-9 {
        format!("{p:.0}%")
    } else {
        format!("{p:.1}%")
    }
}

/// Build the page (pure: no I/O).
pub fn build_agreement_report(input: &AgreementInput<'_>) -> Result<Page, ReportError> {
    let (a, b) = &input.names;
    let palette = Palette::new([a, b]);
    let rows: Vec<ForestRow> = input
        .rows
        .iter()
        .filter(|r| r.judged)
        .filter_map(|r| {
            Some(ForestRow {
                label: format!("{}: {}", r.fleet, r.figure),
                change_pct: r.rel_diff? * 100.0,
                ci_pct: None,
                significant: !r.agrees,
                verdict: if r.agrees {
                    String::new()
                } else {
                    r.verdict.clone()
                },
            })
        })
        .collect();
    let mut charts = Vec::new();
    let mut notes = Vec::new();
    if rows.is_empty() {
        notes.push("No judged figure has a bounded difference: no chart.".into());
    } else {
        charts.push(forest(
            &Forest {
                title: format!("{b} against {a}: difference of each judged figure"),
                caption: format!(
                    "Each row: ({b} - {a}) / {a} of a judged headline figure, in %. In {b}'s \
                     colour where it is outside the tolerance ({}) and the simulated spread; \
                     grey where it agrees.",
                    percent(input.tolerance)
                ),
                b_name: b.clone(),
                rows,
                x_desc: format!("({b} - {a}) / {a}, %"),
                legend: ("outside the tolerance".into(), "agrees".into()),
            },
            &palette,
        )?);
    }
    let grid = Grid {
        id: "figures".into(),
        heading: "Every figure".into(),
        caption: format!(
            "diff = ({b} - {a}) / {a}. Judged: admitted, rejections by status, retry \
             amplification, goodput (within the tolerance, or the simulated spread over network \
             noise replicas when there are any); counts too small on both sides are not judged; \
             latency, server errors and timeouts are shown for information (the network is real \
             on one side only)."
        ),
        head: ["fleet", "figure", a.as_str(), b.as_str(), "diff", "verdict"]
            .map(String::from)
            .to_vec(),
        rows: input
            .rows
            .iter()
            .map(|r| GridRow {
                cells: vec![
                    r.fleet.clone(),
                    r.figure.clone(),
                    human::sig(r.a),
                    human::sig(r.b),
                    r.rel_diff
                        .map_or_else(|| "-".to_owned(), |d| format!("{:+.1}%", d * 100.0)),
                    r.verdict.clone(),
                ],
                class: match (r.judged, r.agrees) {
                    (true, true) => "better".into(),
                    (true, false) => "worse".into(),
                    _ => String::new(),
                },
            })
            .collect(),
    };
    Ok(Page {
        title: input.title.clone(),
        description: input.description.clone(),
        meta: input.meta.clone(),
        headline: Some(Headline {
            question: input.question.clone(),
            answer: answer(
                input.rows,
                input.tolerance,
                input.caveats,
                (&input.phrases.0, &input.phrases.1),
            ),
            chart: charts.first().map(|c| c.name.clone()),
        }),
        grids: vec![grid],
        embed: Embed::PngDataUri,
        scenario_text: input.scenario_text.to_owned(),
        charts,
        notes: input.caveats.iter().cloned().chain(notes).collect(),
        footer: format!(
            "throttlelab {} check report (one live measurement: wall clock, real network)",
            env!("CARGO_PKG_VERSION")
        ),
        ..Page::default()
    })
}

/// Write the charts, `headline.json` and `report.html` into `dir`; returns the report's path.
pub fn write_agreement_report(
    dir: &Path,
    input: &AgreementInput<'_>,
) -> Result<PathBuf, ReportError> {
    let page = build_agreement_report(input)?;
    write_charts(dir, &page.charts)?;
    write_headline(dir, page.headline.as_ref())?;
    let html = dir.join("report.html");
    write(&html, render_page(&page).as_bytes())?;
    Ok(html)
}

#[cfg(test)]
mod tests;
