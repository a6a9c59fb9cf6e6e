//! The report of a comparison of two variants run with the same seeds: the verdict table
//! (per figure: each variant's mean, the paired difference `B - A` with its 95% confidence
//! interval, and the verdict), the forest plot of the headline figures' relative changes, and
//! both scenario files, in one self-contained `report.html`.
//!
//! The verdict rule (directions of figures, B better or worse) is in [`verdict`].

mod verdict;

use super::files::{write, write_charts, ReportError};
use super::headline::compare_headline;
use super::page::{render_page, Embed, Grid, GridRow, Page};
use crate::charts::compare::{forest, Forest, ForestRow};
use crate::charts::Palette;
use crate::tables::{diff_cells, split_scope, CompareManifest, FigureDiff, Scope};
use std::path::{Path, PathBuf};

pub use verdict::{direction, verdict, Better};

/// What a comparison report is built from.
#[derive(Debug, Clone, Copy)]
pub struct CompareReportInput<'a> {
    /// `compare.json`: names, files, seeds.
    pub manifest: &'a CompareManifest,
    /// Every figure compared.
    pub diffs: &'a [FigureDiff],
    /// A's scenario text.
    pub a_text: &'a str,
    /// B's scenario text.
    pub b_text: &'a str,
}

/// Headline figures: the forest plot's rows and the top of the verdict table.
const HEADLINE: [(&str, &str); 12] = [
    ("goodput_rps", "goodput, req/s"),
    ("success_ratio", "success ratio"),
    ("retry_amplification", "retry amplification"),
    ("latency_p50_ms", "p50 latency, ms"),
    ("latency_p99_ms", "p99 latency, ms"),
    ("rejection_rate", "rejection rate"),
    ("rejected_total", "rejected attempts"),
    ("server_errors_total", "server errors"),
    ("timeouts", "timeouts"),
    ("give_ups_total", "give-ups"),
    ("jain_max_min", "tenant fairness (max-min)"),
    ("wasted_work_s", "wasted work, s"),
];

/// The headline figures drawn for each fleet and tenant too (a tenant has no latency or
/// rejection counts of its own: those rows are simply absent).
const SCOPED: [&str; 4] = [
    "goodput_rps",
    "success_ratio",
    "latency_p99_ms",
    "rejected_total",
];

/// The verdict table: headline figures first, each with its per-fleet and per-tenant rows
/// right after the whole run's, then every other figure that is not zero in every run of
/// both variants.
fn verdict_grid(m: &CompareManifest, diffs: &[FigureDiff]) -> Grid {
    let head_pos = |f: &str| HEADLINE.iter().position(|(h, _)| *h == split_scope(f).1);
    let mut ordered: Vec<&FigureDiff> = diffs.iter().filter(|d| !d.is_zero()).collect();
    ordered.sort_by_key(|d| head_pos(&d.figure).unwrap_or(usize::MAX));
    let rows = ordered
        .into_iter()
        .map(|d| {
            let (v, class) = verdict(d);
            let mut cells = diff_cells(d);
            cells.extend([d.n.to_string(), v]);
            GridRow {
                cells,
                class: class.into(),
            }
        })
        .collect();
    Grid {
        id: "verdicts".into(),
        heading: "Verdicts".into(),
        caption: format!(
            "A = {}, B = {}. B - A is the mean paired difference over the seeds (common random \
             numbers: each seed draws the same arrivals in both); the 95% confidence interval \
             is Student's t over the pairs. \"B better\" or \"B worse\" only when the interval \
             excludes 0. Figures zero in every run are left out (all are in compare.csv).",
            m.a, m.b
        ),
        head: [
            "figure",
            &format!("A: {}", m.a),
            &format!("B: {}", m.b),
            "B - A",
            "95% CI of B - A",
            "change",
            "pairs",
            "verdict",
        ]
        .map(|s| s.to_string())
        .to_vec(),
        rows,
    }
}

/// The forest plot's rows: headline figures whose A mean is not zero, for the whole run;
/// then the [`SCOPED`] figures of each fleet and tenant, labelled with it.
fn forest_rows(diffs: &[FigureDiff]) -> Vec<ForestRow> {
    let mut scopes: Vec<Scope> = diffs
        .iter()
        .map(|d| split_scope(&d.figure).0)
        .filter(|s| *s != Scope::All)
        .collect();
    scopes.sort();
    scopes.dedup();
    let total = HEADLINE
        .iter()
        .map(|(fig, label)| ((*fig).to_owned(), (*label).to_owned()));
    let scoped = scopes.iter().flat_map(|s| {
        HEADLINE
            .iter()
            .filter(|(f, _)| SCOPED.contains(f))
            .map(move |(f, label)| {
                (
                    format!("{}{f}", s.prefix()),
                    format!("{}: {label}", s.label()),
                )
            })
    });
    total
        .chain(scoped)
        .filter_map(|(fig, label)| {
            let d = diffs.iter().find(|d| d.figure == fig)?;
            let a = d.a_mean.filter(|a| *a != 0.0)?;
            let change = d.change_pct()?;
            Some(ForestRow {
                label,
                change_pct: change,
                ci_pct: d
                    .diff_ci95
                    .map(|(lo, hi)| (100.0 * lo / a.abs(), 100.0 * hi / a.abs())),
                significant: d.significant(),
                verdict: verdict(d)
                    .0
                    .strip_prefix("B ")
                    .unwrap_or_default()
                    .to_owned(),
            })
        })
        .collect()
}

/// Build the page (pure: no I/O).
pub fn build_compare_report(input: &CompareReportInput<'_>) -> Result<Page, ReportError> {
    let m = input.manifest;
    let palette = Palette::new([&m.a, &m.b]);
    let mut charts = Vec::new();
    let mut notes = Vec::new();
    let rows = forest_rows(input.diffs);
    if rows.is_empty() {
        notes.push("No headline figure has a non-zero mean in A: no forest plot.".into());
    } else {
        charts.push(forest(
            &Forest {
                title: format!("{} against {}: change of each figure", m.b, m.a),
                caption: format!(
                    "Each row: the mean paired change of B ({}) against A ({}) as a percentage \
                     of A's mean, with its 95% confidence interval. In B's colour where the \
                     interval excludes 0; grey where the seeds cannot tell the variants apart.",
                    m.b, m.a
                ),
                b_name: m.b.clone(),
                rows,
                x_desc: Forest::paired_seeds().0,
                legend: Forest::paired_seeds().1,
            },
            &palette,
        )?);
    }
    let seeds = match (m.seeds.first(), m.seeds.last()) {
        (Some(a), Some(b)) => format!("{} ({a}..={b})", m.seeds.len()),
        _ => "0".into(),
    };
    let scenario_text = format!(
        "# A: {} ({})\n{}\n\n# B: {} ({})\n{}",
        m.a,
        m.a_file,
        input.a_text.trim_end(),
        m.b,
        m.b_file,
        input.b_text.trim_end()
    );
    let question = [input.b_text, input.a_text]
        .iter()
        .filter_map(|t| {
            sim::scenario::load_str("scenario.toml", &sim::sweep::without_sweep(t)).ok()
        })
        .map(|s| s.question)
        .find(|q| !q.is_empty())
        .unwrap_or_else(|| format!("Is B ({}) better than A ({})?", m.b, m.a));
    Ok(Page {
        title: format!("{} vs {}", m.a, m.b),
        headline: Some(compare_headline(m, input.diffs, question)),
        description: format!(
            "Comparison of B ({}) against the baseline A ({}), run with the same seeds.",
            m.b, m.a
        ),
        meta: vec![
            ("A".into(), m.a_file.clone()),
            ("B".into(), m.b_file.clone()),
            ("seeds".into(), seeds),
        ],
        grids: vec![verdict_grid(m, input.diffs)],
        embed: Embed::PngDataUri,
        scenario_text,
        charts,
        notes,
        footer: format!(
            "throttlelab {} comparison report (deterministic: same runs, same bytes)",
            env!("CARGO_PKG_VERSION")
        ),
        ..Page::default()
    })
}

/// Write the charts, both scenario copies and `report.html` into the comparison folder.
pub fn write_compare_report(
    dir: &Path,
    input: &CompareReportInput<'_>,
) -> Result<PathBuf, ReportError> {
    let page = build_compare_report(input)?;
    write_charts(dir, &page.charts)?;
    write(&dir.join(CompareManifest::A_COPY), input.a_text.as_bytes())?;
    write(&dir.join(CompareManifest::B_COPY), input.b_text.as_bytes())?;
    super::headline::write_headline(dir, page.headline.as_ref())?;
    let html = dir.join("report.html");
    write(&html, render_page(&page).as_bytes())?;
    Ok(html)
}

#[cfg(test)]
mod tests {
    use super::verdict::tests::diff;
    use super::*;

    #[test]
    fn page_has_verdicts_and_forest() {
        let m = CompareManifest {
            kind: CompareManifest::KIND.into(),
            version: "0".into(),
            a: "none".into(),
            b: "budget".into(),
            a_file: "a.toml".into(),
            b_file: "b.toml".into(),
            seeds: vec![1, 2, 3],
        };
        let diffs = [
            diff("attempts", 100.0, -5.0, (-6.0, -4.0)),
            diff("goodput_rps", 10.0, 2.0, (1.0, 3.0)),
            diff("timeouts", 0.0, 0.0, (0.0, 0.0)),
            diff("tenant/quiet-0:goodput_rps", 4.0, 5.0, (4.5, 5.5)),
            diff("noisy:goodput_rps", 96.0, -6.5, (-7.0, -6.0)),
        ];
        let page = build_compare_report(&CompareReportInput {
            manifest: &m,
            diffs: &diffs,
            a_text: "name = \"none\"",
            b_text: "name = \"budget\"",
        })
        .unwrap();
        let g = &page.grids[0];
        assert_eq!(g.rows.len(), 4, "all-zero timeouts left out");
        assert_eq!(g.rows[0].cells[0], "goodput_rps", "headline first");
        assert_eq!(g.rows[0].class, "better");
        // each scope's row right after the total's, with its own verdict
        assert_eq!(g.rows[1].cells[0], "tenant/quiet-0:goodput_rps");
        assert_eq!(g.rows[1].class, "better");
        assert_eq!(g.rows[2].cells[0], "noisy:goodput_rps");
        assert_eq!(g.rows[2].class, "worse");
        assert_eq!(page.charts[0].name, "compare_changes");
        assert!(page.charts[0]
            .svg
            .contains("tenant quiet-0: goodput, req/s"));
        assert!(page.charts[0].svg.contains("noisy: goodput, req/s"));
        assert!(page.scenario_text.contains("# B: budget (b.toml)"));
    }
}
