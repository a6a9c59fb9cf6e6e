//! Running many simulations over all cores, for `sweep` and `compare`: rayon's indexed
//! parallel iterator collects results in job order whatever the thread count or the order in
//! which runs finish, and each run is reduced to table rows as soon as it ends. A progress bar
//! (stderr, hidden with `--quiet` or when stderr is not a terminal) shows runs and groups
//! (points, variants) done and the time left.

use super::CliError;
use anyhow::anyhow;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;
use report::tables::{Cell, RunRecord};
use sim::model::Scenario;
use std::io::IsTerminal;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// One run to do.
#[derive(Debug)]
pub struct JobSpec<'a> {
    /// The scenario.
    pub scenario: &'a Scenario,
    /// The seed.
    pub seed: u64,
    /// The group it counts towards (a sweep point, a compared variant).
    pub group: usize,
    /// The group in words, for errors.
    pub label: String,
    /// Key columns of its rows.
    pub keys: Vec<(String, Cell)>,
}

/// Run every job (on `threads` threads, default all cores) and reduce each to a
/// [`RunRecord`], in job order.
pub fn run_jobs(
    jobs: &[JobSpec<'_>],
    with_series: bool,
    threads: Option<usize>,
    quiet: bool,
    what: &str,
    noun: &str,
) -> Result<Vec<RunRecord>, CliError> {
    let pool = {
        let mut b = rayon::ThreadPoolBuilder::new();
        if let Some(n) = threads {
            if n == 0 {
                return Err(CliError::BadInput(anyhow!("--threads must be at least 1")));
            }
            b = b.num_threads(n);
        }
        b.build()
            .map_err(|e| anyhow!("starting worker threads: {e}"))?
    };
    let groups = jobs.iter().map(|j| j.group + 1).max().unwrap_or(0);
    let mut per_group = vec![0usize; groups];
    for j in jobs {
        per_group[j.group] += 1;
    }
    let left: Vec<AtomicUsize> = per_group.iter().map(|n| AtomicUsize::new(*n)).collect();
    let groups_total = per_group.iter().filter(|n| **n > 0).count();
    let groups_done = AtomicUsize::new(0);
    let bar = progress_bar(jobs.len() as u64, quiet, what, noun, groups_total);

    let results: Vec<Result<RunRecord, String>> = pool.install(|| {
        jobs.par_iter()
            .map(|j| {
                let out = sim::run(j.scenario, j.seed)
                    .map(|r| RunRecord::of(j.keys.clone(), &r, with_series))
                    .map_err(|e| format!("{} seed {}: {e}", j.label, j.seed));
                if left[j.group].fetch_sub(1, Ordering::AcqRel) == 1 {
                    let done = groups_done.fetch_add(1, Ordering::AcqRel) + 1;
                    bar.set_message(format!("{done}/{groups_total}"));
                }
                bar.inc(1);
                out
            })
            .collect()
    });
    bar.finish_and_clear();
    results
        .into_iter()
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| CliError::Failed(anyhow!("run failed: {e}")))
}

pub(super) fn progress_bar(
    len: u64,
    quiet: bool,
    what: &str,
    noun: &str,
    groups: usize,
) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
    let style = ProgressStyle::with_template(&format!(
        "{what} {{wide_bar}} {{pos}}/{{len}} runs, {{msg}} {noun}, ~{{eta}} left"
    ))
    .unwrap_or_else(|_| ProgressStyle::default_bar())
    .progress_chars("=> ");
    bar.set_style(style);
    bar.set_message(format!("0/{groups}"));
    bar.enable_steady_tick(Duration::from_millis(500));
    bar
}
