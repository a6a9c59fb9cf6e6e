//! What `check-live` writes and prints: the judged rows (the totals with the server's own
//! admitted count, each fleet, a deployment's figures) and the comparison's files and report.

use crate::live::check::live_side::LiveSide;
use crate::live::load::write_live_run;
use crate::recorded::compare::{to_csv, Judge, Row, Verdict};
use crate::recorded::figures::Figures;
use sim::metrics::RunResult;

/// The judged rows of a simulated run against the live one: the total (with the server's
/// admitted count) and, with several fleets, each fleet.
pub(super) fn headline_rows(
    judge: &Judge,
    scenario: &sim::model::Scenario,
    sim: &RunResult,
    live_total: &Figures,
    live: &RunResult,
    secs: f64,
) -> Vec<Row> {
    let mut rows = judge.rows(
        "total",
        &Figures::from_summary(&sim.summary),
        live_total,
        secs,
    );
    if scenario.fleets.len() > 1 {
        for (name, s) in &sim.fleets {
            let Some(l) = live.fleets.get(name) else {
                continue;
            };
            let mut live_fleet = Figures::from_summary(l);
            live_fleet.admitted = None;
            rows.extend(judge.rows(name, &Figures::from_summary(s), &live_fleet, secs));
        }
    }
    rows
}

#[allow(clippy::too_many_arguments)]
pub(super) fn write(
    dir: &std::path::Path,
    (file, text): (&str, &str),
    scenario: &str,
    seed: u64,
    secs: f64,
    tolerance: f64,
    rows: &[Row],
    caveats: &[String],
    sim: &sim::RunResult,
    live: &LiveSide,
) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir)?;
    std::fs::write(
        dir.join("comparison.csv"),
        to_csv(scenario, seed, secs, rows),
    )?;
    let json = serde_json::json!({
        "scenario": scenario,
        "seed": seed,
        "duration_s": secs,
        "tolerance": tolerance,
        "agree": rows.iter().all(|r| r.verdict != Verdict::Disagree),
        "rows": rows,
        "caveats": caveats,
    });
    std::fs::write(
        dir.join("comparison.json"),
        serde_json::to_string_pretty(&json)?,
    )?;
    // both runs in `throttlelab run`'s layout, so `report DIR` and table tooling read them
    let file_name = std::path::Path::new(file)
        .file_name()
        .map_or_else(|| file.to_owned(), |n| n.to_string_lossy().into_owned());
    let sim_dir = dir.join("sim");
    std::fs::create_dir_all(&sim_dir)?;
    let manifest = report::files::Manifest::new(
        scenario,
        &file_name,
        text.as_bytes(),
        seed,
        env!("CARGO_PKG_VERSION"),
        sim.events,
    );
    report::files::write_run(&sim_dir, sim, &manifest)?;
    // the whole result, as a live run keeps it: arrivals at 100 ms, retry delays, series
    std::fs::write(sim_dir.join("result.json"), serde_json::to_string(sim)?)?;
    // sealed like a `run` folder, so `report DIR/sim` takes it for complete
    report::files::complete::seal(&sim_dir)?;
    let live_dir = dir.join("live");
    std::fs::create_dir_all(&live_dir)?;
    write_live_run(&live_dir, &live.run, text, &file_name, false)?;
    report::files::complete::seal(&live_dir)?;
    let report_rows = crate::recorded::compare::agreement_rows(rows);
    report::html::write_agreement_report(
        dir,
        &report::html::AgreementInput {
            title: format!("{scenario}: simulated vs live"),
            description: format!(
                "The scenario simulated and run live on loopback (a real server and client \
                 fleet) for {secs} s with seed {seed}, figure by figure."
            ),
            question: format!(
                "Does the simulation of {scenario} predict what the live server does, within \
                 {:.1}%?",
                tolerance * 100.0
            ),
            names: ("simulated".into(), "live".into()),
            phrases: (
                "live agrees with the simulation".into(),
                "live differs from the simulation".into(),
            ),
            tolerance,
            rows: &report_rows,
            caveats,
            meta: vec![
                ("seed".into(), seed.to_string()),
                ("duration".into(), format!("{secs} s")),
                ("tolerance".into(), format!("{:.1}%", tolerance * 100.0)),
            ],
            scenario_text: text,
        },
    )?;
    let sim_json = serde_json::json!({ "summary": sim.summary, "fleets": sim.fleets });
    std::fs::write(
        dir.join("sim.json"),
        serde_json::to_string_pretty(&sim_json)?,
    )?;
    let live_json = serde_json::json!({
        "summary": live.run.result.summary,
        "fleets": live.run.result.fleets,
        "info": live.run.info,
        "server_metrics": live.metrics,
    });
    std::fs::write(
        dir.join("live.json"),
        serde_json::to_string_pretty(&live_json)?,
    )?;
    Ok(())
}
