//! `throttlelab compare DIR_A DIR_B`: two run directories side by side, figure by figure, with
//! the relative difference `(B - A) / A`.
//!
//! A directory can be a simulated run (`run`, rebuilt from its scenario copy and seed), a live
//! run (`load`, read from its recorded `result.json`: reality cannot be re-run) or either side
//! of a `check-live` folder. That is how a live run is compared with anything else: the same
//! figures (`recorded::figures`), the same rows and the same verdict rule as `check-live`
//! (a headline figure within 5 % agrees; counts under 20 on both sides are not judged). One
//! run per side has no spread, so there is no confidence interval here: for a verdict with
//! one, compare two scenario files over paired seeds (`compare A.toml B.toml`).

use super::compare_args::CompareArgs;
use super::report::load_run;
use super::CliError;
use crate::recorded::compare::{render_labeled, to_csv_labeled, Judge, Row};
use crate::recorded::figures::Figures;
use anyhow::{anyhow, Context};
use std::path::Path;

/// The verdict rule of `check-live`.
const JUDGE: Judge = Judge {
    tolerance: 0.05,
    min_count: 20,
};

/// One side, sealed whole (`report::files::complete`): its result and whether it was
/// recorded live.
fn side(
    dir: &Path,
    limits: &super::limits::RunLimits,
) -> Result<(sim::RunResult, &'static str), CliError> {
    super::sealed::check_complete(dir)?;
    let recorded = dir.join("result.json");
    if recorded.is_file() {
        // a live run, or a check-live side: the recorded figures are the run
        let text = std::fs::read_to_string(&recorded)
            .with_context(|| format!("reading {}", recorded.display()))?;
        let result = serde_json::from_str(&text).map_err(|e| {
            CliError::BadInput(anyhow!("{}: not a run's result: {e}", recorded.display()))
        })?;
        return Ok((result, "recorded"));
    }
    let run = load_run(dir, None, None, limits)?;
    for w in &run.warnings {
        errln!("warning: {}: {w}", dir.display());
    }
    Ok((run.result, "re-simulated"))
}

/// The comparison rows, grouped by figure as `compare A.toml B.toml` groups them: each
/// figure's total row, then the same figure of every fleet both runs have, then (where
/// tenants split the clients differently from fleets) of every tenant both runs have. Each
/// row keeps its own verdict.
pub(crate) fn rows(a: &sim::RunResult, b: &sim::RunResult) -> Vec<Row> {
    let secs = a.duration_s;
    let mut rows = JUDGE.rows(
        "total",
        &Figures::from_summary(&a.summary),
        &Figures::from_summary(&b.summary),
        secs,
    );
    for (name, fa) in &a.fleets {
        if let Some(fb) = b.fleets.get(name) {
            rows.extend(JUDGE.rows(
                name,
                &Figures::from_summary(fa),
                &Figures::from_summary(fb),
                secs,
            ));
        }
    }
    if report::tables::tenants_differ(a) || report::tables::tenants_differ(b) {
        for ta in &a.tenants {
            if let Some(tb) = b.tenants.iter().find(|t| t.tenant == ta.tenant) {
                rows.extend(tenant_rows(ta, tb, secs));
            }
        }
    }
    by_figure(rows)
}

/// `rows` (scope by scope) reordered figure by figure, figures in order of first appearance,
/// scopes in their order within each figure.
fn by_figure(rows: Vec<Row>) -> Vec<Row> {
    let mut order: Vec<String> = Vec::new();
    for r in &rows {
        if !order.contains(&r.figure) {
            order.push(r.figure.clone());
        }
    }
    let mut rows = rows;
    rows.sort_by_key(|r| order.iter().position(|f| *f == r.figure));
    rows
}

/// The rows of one tenant, the figures its totals hold judged like a fleet's: the fleet rows
/// of [`Judge::rows`] without those the simulator does not count per tenant (admitted,
/// timeouts, hedges).
fn tenant_rows(a: &sim::metrics::TenantRow, b: &sim::metrics::TenantRow, secs: f64) -> Vec<Row> {
    let figures = |t: &sim::metrics::TenantRow| Figures {
        logical: t.demand,
        attempts: t.attempts,
        admitted: None,
        rejected: t.rejected.clone(),
        server_errors: t.server_errors.clone(),
        successes: t.successes,
        p50_ms: t.latency_p50_ms,
        p99_ms: t.latency_p99_ms,
        ..Figures::default()
    };
    let mut rows = JUDGE.rows(
        &format!("tenant {}", a.tenant),
        &figures(a),
        &figures(b),
        secs,
    );
    rows.retain(|r| r.figure != "timeouts");
    rows
}

/// Compare two run directories: print, and write `comparison.csv` under
/// `<out>/compare-runs-<A>-vs-<B>/`.
pub fn run(args: &CompareArgs, quiet: bool) -> Result<(), CliError> {
    let (a, how_a) = side(&args.a, &args.limits)?;
    let (b, how_b) = side(&args.b, &args.limits)?;
    let same = (a.duration_s - b.duration_s).abs() <= 1e-6 * a.duration_s.max(1.0);
    if !same {
        return Err(CliError::BadInput(anyhow!(
            "A ran {} s and B {} s: compare runs of the same length (rates and goodput would not be comparable)",
            a.duration_s,
            b.duration_s
        )));
    }
    let rows = rows(&a, &b);
    let name = |dir: &Path, r: &sim::RunResult| {
        let leaf = dir
            .file_name()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        format!("{}-{leaf}", r.scenario)
    };
    let out = args.out.join(format!(
        "compare-runs-{}-vs-{}",
        name(&args.a, &a),
        name(&args.b, &b)
    ));
    // Written aside and put in place whole, like every results folder.
    let staged = report::files::complete::Staged::begin(&out)
        .with_context(|| format!("creating the comparison's folder beside {}", out.display()))?;
    let csv = to_csv_labeled(&a.scenario, a.seed, a.duration_s, &rows, ["a", "b"]);
    let tmp_csv = staged.dir().join("comparison.csv");
    std::fs::write(&tmp_csv, csv).with_context(|| format!("writing {}", tmp_csv.display()))?;
    let (an, bn) = (name(&args.a, &a), name(&args.b, &b));
    let report_rows = crate::recorded::compare::agreement_rows(&rows);
    report::html::write_agreement_report(
        staged.dir(),
        &report::html::AgreementInput {
            title: format!("{an} vs {bn}"),
            description: format!(
                "Two runs compared figure by figure: A = {} ({how_a}), B = {} ({how_b}).",
                args.a.display(),
                args.b.display()
            ),
            question: format!("Does B ({bn}) do what A ({an}) does, within 5%?"),
            names: ("A".into(), "B".into()),
            phrases: ("B agrees with A".into(), "B differs from A".into()),
            tolerance: JUDGE.tolerance,
            rows: &report_rows,
            caveats: &[],
            meta: vec![
                ("A".into(), args.a.display().to_string()),
                ("B".into(), args.b.display().to_string()),
                ("duration".into(), format!("{} s", a.duration_s)),
            ],
            scenario_text: "",
        },
    )
    .with_context(|| format!("writing the report in {}", out.display()))?;
    staged
        .commit()
        .with_context(|| format!("putting the comparison in place at {}", out.display()))?;
    let csv_path = out.join("comparison.csv");
    if args.json {
        let doc = serde_json::json!({
            "a": { "dir": args.a, "scenario": a.scenario, "seed": a.seed, "how": how_a },
            "b": { "dir": args.b, "scenario": b.scenario, "seed": b.seed, "how": how_b },
            "duration_s": a.duration_s,
            "out": out,
            "rows": rows,
        });
        let text = serde_json::to_string_pretty(&doc).context("encoding the JSON")?;
        return super::write_stdout(&(text + "\n"));
    }
    if !quiet {
        let text = format!(
            "A: {} ({}, {how_a}, seed {})\nB: {} ({}, {how_b}, seed {})\n{} s each; diff = (B - A) / A; verdict: a headline figure within 5% agrees\n\n{}wrote {}\n",
            args.a.display(),
            a.scenario,
            a.seed,
            args.b.display(),
            b.scenario,
            b.seed,
            a.duration_s,
            render_labeled(&rows, ["A", "B"]),
            csv_path.display()
        );
        super::write_stdout(&text)?;
    }
    Ok(())
}
