//! `throttlelab compare A.toml B.toml [--seeds N]`: run two scenarios with the same seeds
//! (common random numbers: each seed draws the same arrivals, service times and jitter
//! streams in both, so the paired difference isolates the change), print every figure with
//! the mean difference `B - A` and its 95% confidence interval over the seeds, and write
//! `runs`, `compare` and `timeseries` tables under `<out>/compare-<a>-vs-<b>/`, with
//! `compare.json`, both scenario texts, and the verdict report (`report.html`, charts) unless
//! `--no-report`. Given two run directories instead (e.g. a simulated and a live run), it
//! compares them figure by figure (`compare_runs`).

pub use super::compare_args::CompareArgs;
use super::sweep_jobs::{run_jobs, JobSpec};
use super::CliError;
use anyhow::{anyhow, Context};
use report::tables::{
    compare, compare_table, rank, render_compare, runs_table, series_table, write_both, Cell,
    CompareManifest, COMPARE_COLUMNS, FIGURES, SERIES,
};
use sim::sweep::load_base;
use std::path::{Path, PathBuf};

/// Names for the two variants: the scenario names, else the file stems, else `-b` appended.
fn names(a: &str, b: &str, pa: &Path, pb: &Path) -> (String, String) {
    if a != b {
        return (a.to_string(), b.to_string());
    }
    let stem = |p: &Path| p.file_stem().map(|s| s.to_string_lossy().into_owned());
    match (stem(pa), stem(pb)) {
        (Some(x), Some(y)) if x != y => (x, y),
        _ => (a.to_string(), format!("{b}-b")),
    }
}

/// Run both variants, print, write.
pub fn run(args: CompareArgs, quiet: bool) -> Result<(), CliError> {
    match (args.a.is_dir(), args.b.is_dir()) {
        (true, true) => return super::compare_runs::run(&args, quiet),
        (true, false) | (false, true) => {
            let (a, b) = (args.a.display(), args.b.display());
            let what = "compare takes two scenario files or two run directories, not one of each";
            return Err(CliError::BadInput(anyhow!("{what} ({a} and {b})")));
        }
        (false, false) => {}
    }
    if args.seeds == 0 {
        return Err(CliError::BadInput(anyhow!("--seeds must be at least 1")));
    }
    let registry = limiters::Registry::builtin();
    let load = |path: &Path| -> Result<(String, String, _), CliError> {
        let (display, text) = super::limits::read_user_scenario(path)?;
        let s = load_base(&display, &text, &registry)
            .map_err(|e| CliError::BadInput(anyhow!("{e}")))?;
        Ok((display, text, s))
    };
    // both files are read before either error is reported: two bad files, two messages
    let ((da, ta, sa), (db, tb, sb)) = match (load(&args.a), load(&args.b)) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(e), Ok(_)) | (Ok(_), Err(e)) => return Err(e),
        (Err(ea), Err(eb)) => {
            let text = |e: CliError| match e {
                CliError::BadInput(e) | CliError::Failed(e) => format!("{e:#}"),
            };
            return Err(CliError::BadInput(anyhow!(
                "{}\n\nerror: {}",
                text(ea),
                text(eb)
            )));
        }
    };
    let (na, nb) = names(&sa.name, &sb.name, &args.a, &args.b);
    // Every job is planned up front: `--seeds 4294967295` would allocate tens of GB.
    if args.seeds as usize > sim::sweep::MAX_RUNS / 2 {
        return Err(CliError::BadInput(anyhow!(
            "--seeds {}: at most {} seeds per variant",
            args.seeds,
            sim::sweep::MAX_RUNS / 2
        )));
    }
    let at_once = args
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .min(2 * args.seeds.max(1) as usize) as u64;
    args.limits.check(&da, &sa, at_once)?;
    args.limits.check(&db, &sb, at_once)?;
    let first = args.seed.unwrap_or(sa.seed);
    let seeds: Vec<u64> = (0..u64::from(args.seeds))
        .map(|i| first.wrapping_add(i))
        .collect();

    let mut jobs = Vec::new();
    for (group, (s, name)) in [(&sa, &na), (&sb, &nb)].into_iter().enumerate() {
        for &seed in &seeds {
            jobs.push(JobSpec {
                scenario: s,
                seed,
                group,
                label: name.clone(),
                keys: vec![
                    ("variant".into(), Cell::Str(name.clone())),
                    ("seed".into(), Cell::U64(seed)),
                ],
            });
        }
    }
    let records = run_jobs(
        &jobs,
        !args.no_timeseries,
        args.threads,
        quiet,
        &format!("compare {na} vs {nb}"),
        "variants",
    )?;
    let (ra, rb) = records.split_at(seeds.len());
    let diffs = compare(ra, rb);

    let dest = args.out.join(format!("compare-{na}-vs-{nb}"));
    // Written aside and put in place whole (report::files::complete): a killed compare leaves
    // no half-written folder under `dest`, a rerun no file of an earlier one.
    let staged = report::files::complete::Staged::begin(&dest)
        .with_context(|| format!("creating the comparison's folder beside {}", dest.display()))?;
    let dir = staged.dir().to_path_buf();
    let keys = ["variant", "seed"];
    let meta = report::tables::bucket_meta(report::tables::common_bucket(
        [&sa, &sb].map(|s| s.bucket.as_secs_f64()),
    ));
    let runs = runs_table(&records);
    write_both(
        &dir,
        "runs",
        &runs.frame(|n| rank(n, &keys, FIGURES)),
        &meta,
    )
    .context("writing runs")?;
    let cmp = compare_table(&diffs);
    let cmp = cmp.frame(|n| {
        COMPARE_COLUMNS
            .iter()
            .position(|c| *c == n)
            .unwrap_or(usize::MAX)
    });
    write_both(&dir, "compare", &cmp, &meta).context("writing compare")?;
    let series = series_table(&records);
    if !series.is_empty() {
        let skeys = ["variant", "seed", "fleet", report::tables::BUCKET_START];
        write_both(
            &dir,
            "timeseries",
            &series.frame(|n| rank(n, &skeys, SERIES)),
            &meta,
        )
        .context("writing timeseries")?;
    }

    let manifest = CompareManifest {
        kind: CompareManifest::KIND.to_string(),
        version: env!("CARGO_PKG_VERSION").to_string(),
        a: na.clone(),
        b: nb.clone(),
        a_file: da.clone(),
        b_file: db.clone(),
        seeds: seeds.clone(),
    };
    let path = dir.join("compare.json");
    let mut bytes = serde_json::to_vec_pretty(&manifest).context("encoding compare.json")?;
    bytes.push(b'\n');
    std::fs::write(&path, bytes).with_context(|| format!("writing {}", path.display()))?;
    for (name, text) in [
        (CompareManifest::A_COPY, &ta),
        (CompareManifest::B_COPY, &tb),
    ] {
        let p = dir.join(name);
        std::fs::write(&p, text).with_context(|| format!("writing {}", p.display()))?;
    }
    let html = if args.no_report {
        None
    } else {
        write_report(&dir, &manifest, &diffs, &ta, &tb)?;
        Some(dest.join("report.html"))
    };
    staged
        .commit()
        .with_context(|| format!("putting the comparison in place at {}", dest.display()))?;

    if args.json {
        let doc = super::compare_json::document(
            (&na, &da),
            (&nb, &db),
            &seeds,
            &dest,
            html.as_deref(),
            &diffs,
            args.all,
        );
        let text = serde_json::to_string_pretty(&doc).context("encoding the JSON")?;
        return super::write_stdout(&(text + "\n"));
    }
    if !quiet {
        let mut text = format!(
            "A = {na} ({da}), B = {nb} ({db}); seeds {}..={} ({} pairs)\n",
            seeds[0],
            seeds[seeds.len() - 1],
            seeds.len()
        );
        text += &render_compare(&diffs, &na, &nb, args.all);
        text += "* the 95% confidence interval of the paired difference excludes 0\n";
        text += &format!("wrote {}\n", dest.display());
        if let Some(html) = html {
            text += &format!("report: {}\n", html.display());
        }
        super::write_stdout(&text)?;
    }
    Ok(())
}

/// Write the comparison's charts and `report.html` into `dir`.
fn write_report(
    dir: &Path,
    manifest: &CompareManifest,
    diffs: &[report::tables::FigureDiff],
    a_text: &str,
    b_text: &str,
) -> Result<PathBuf, CliError> {
    let input = report::html::CompareReportInput {
        manifest,
        diffs,
        a_text,
        b_text,
    };
    Ok(report::html::write_compare_report(dir, &input)
        .with_context(|| format!("writing the comparison's report into {}", dir.display()))?)
}

/// `throttlelab report DIR` for a comparison folder: the charts and `report.html` from its
/// `compare.parquet` (or `compare.csv`), `compare.json` and scenario copies.
pub(crate) fn report_dir(dir: &Path, quiet: bool) -> Result<(), CliError> {
    super::sealed::check_complete(dir)?;
    let bad = |m: String| CliError::BadInput(anyhow!(m));
    let path = dir.join("compare.json");
    let text =
        std::fs::read_to_string(&path).map_err(|e| bad(format!("{}: {e}", path.display())))?;
    let m: CompareManifest = serde_json::from_str(&text).map_err(|e| {
        bad(format!(
            "{}: not a comparison manifest: {e}",
            path.display()
        ))
    })?;
    if m.kind != CompareManifest::KIND {
        return Err(bad(format!(
            "{}: not a comparison manifest",
            path.display()
        )));
    }
    let (_, ta) = super::limits::read_scenario(&dir.join(CompareManifest::A_COPY))?;
    let (_, tb) = super::limits::read_scenario(&dir.join(CompareManifest::B_COPY))?;
    let table =
        report::tables::read_table(dir, "compare", None).map_err(|e| bad(format!("{e}")))?;
    let diffs = report::tables::diffs_from_table(&table);
    let html = write_report(dir, &m, &diffs, &ta, &tb)?;
    super::sealed::reseal(dir)?;
    if !quiet {
        super::write_stdout(&format!(
            "wrote {} and charts/*.svg, charts/*.png\n",
            html.display()
        ))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variant_names_are_distinct() {
        let p = |s: &str| PathBuf::from(s);
        assert_eq!(
            names("a", "b", &p("x.toml"), &p("y.toml")),
            ("a".into(), "b".into())
        );
        assert_eq!(
            names("s", "s", &p("d/x.toml"), &p("d/y.toml")),
            ("x".into(), "y".into())
        );
        assert_eq!(
            names("s", "s", &p("d/x.toml"), &p("e/x.toml")),
            ("s".into(), "s-b".into())
        );
    }
}
