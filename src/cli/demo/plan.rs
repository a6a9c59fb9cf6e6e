//! What the demo runs: the command line of every step and the folder each one writes, worked
//! out before anything runs (a missing scenario file fails at once, exit code 2).
//!
//! Output folders follow the subcommands' own rules (`<out>/<scenario>/<seed>/` for a run,
//! `<out>/<scenario>/sweep-<hash>/` for a sweep, the hash from [`sim::sweep::Plan`]), so the
//! index can link them without parsing anything the steps print.

use super::variants::{jitter_fleets, scopes_label, shortened, sweep_points, JITTERS};
use super::DemoArgs;
use crate::cli::limits::read_user_scenario as read_text;
use crate::cli::CliError;
use anyhow::{anyhow, Context};
use std::path::{Path, PathBuf};

/// Seeds per point of the jitter sweep (full pack / `--quick`).
const JITTER_SEEDS: [u32; 2] = [10, 2];
/// Seeds per point of the fairness sweep with `--quick` (the full pack uses the file's).
const QUICK_FAIRNESS_SEEDS: u32 = 2;
/// `--quick` horizons: the fairness points and the seed APIs, where the scenario allows.
const QUICK_FAIRNESS: &str = "20s";
const QUICK_SEED: &str = "2m";
/// The fleet of `retry-storm.toml` whose jitter the experiment varies.
const JITTER_FLEET: &str = "jitter";

/// One subcommand to run.
#[derive(Debug)]
pub struct Step {
    /// What the progress line says.
    pub label: String,
    /// The command line, without the program name.
    pub argv: Vec<String>,
}

/// A step's output folder and the command that writes it.
#[derive(Debug)]
pub struct Out {
    /// The folder (`<out>/<scenario>/<seed>` or `.../sweep-<hash>`).
    pub dir: PathBuf,
    /// The command, as a user would type it.
    pub command: String,
    /// The scenario file it ran, when the demo wrote it.
    pub variant: Option<PathBuf>,
    /// `--quick` shortened this one's horizon to this.
    pub shortened: Option<&'static str>,
}

/// Every step and every output.
#[derive(Debug)]
pub struct Pack {
    /// In the order they start.
    pub steps: Vec<Step>,
    /// `run retry-storm.toml`: no jitter vs full jitter, side by side.
    pub storm: Out,
    /// `sweep retry-storm.toml --param fleet.jitter.retry.jitter=...`.
    pub jitter_sweep: Out,
    /// One run, one fleet per jitter strategy.
    pub jitter_run: Out,
    /// `sweep experiments/fairness.toml`.
    pub fairness_sweep: Out,
    /// One run per point of the fairness sweep: (label, output).
    pub fairness_runs: Vec<(String, Out)>,
    /// One run per seed API file: (file stem, output).
    pub seeds: Vec<(String, Out)>,
}

fn utf8(p: &Path) -> Result<String, CliError> {
    p.to_str()
        .map(str::to_owned)
        .ok_or_else(|| CliError::BadInput(anyhow!("{}: not a UTF-8 path", p.display())))
}

fn bad(e: impl std::fmt::Display) -> CliError {
    CliError::BadInput(anyhow!("{e}"))
}

/// Name and seed of the scenario text (any `[sweep]` table ignored).
fn name_seed(file: &str, text: &str) -> Result<(String, u64), CliError> {
    let s = sim::scenario::load_str(file, &sim::sweep::without_sweep(text)).map_err(bad)?;
    Ok((s.name, s.seed))
}

struct Planner<'a> {
    args: &'a DemoArgs,
    out: String,
    variants: PathBuf,
    steps: Vec<Step>,
}

impl Planner<'_> {
    /// A `run` of `file` (already on disk).
    fn run(&mut self, label: &str, file: &Path, text: &str) -> Result<Out, CliError> {
        let f = utf8(file)?;
        let (name, seed) = name_seed(&f, text)?;
        let argv = vec!["run".into(), f.clone(), "--out".into(), self.out.clone()];
        let command = format!("throttlelab {}", argv.join(" "));
        self.steps.push(Step {
            label: label.to_owned(),
            argv,
        });
        Ok(Out {
            dir: report::files::run_dir(&self.args.out, &name, seed),
            command,
            variant: None,
            shortened: None,
        })
    }

    /// Write a variant scenario into `<out>/demo-scenarios/` and `run` it.
    fn run_variant(&mut self, label: &str, file_name: &str, text: &str) -> Result<Out, CliError> {
        let path = self.variants.join(file_name);
        std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
        let mut out = self.run(label, &path, text)?;
        out.variant = Some(path);
        Ok(out)
    }

    /// A `sweep` of `file` with `params` (`PATH=VALUES`) and `seeds` (None: the file's).
    fn sweep(
        &mut self,
        label: &str,
        file: &Path,
        params: &[String],
        seeds: Option<u32>,
    ) -> Result<Out, CliError> {
        let f = utf8(file)?;
        let (display, text) = read_text(file)?;
        let plan_args = sim::sweep::SweepArgs {
            params: params
                .iter()
                .map(|p| sim::sweep::Param::parse_arg(p))
                .collect::<Result<_, _>>()
                .map_err(bad)?,
            seeds,
            first_seed: None,
        };
        let plan = sim::sweep::Plan::from_text(&display, &text, &plan_args).map_err(bad)?;
        let mut argv = vec!["sweep".to_owned(), f];
        for p in params {
            argv.extend(["--param".to_owned(), p.clone()]);
        }
        if let Some(n) = seeds {
            argv.extend(["--seeds".to_owned(), n.to_string()]);
        }
        argv.extend(["--out".to_owned(), self.out.clone()]);
        if let Some(t) = self.args.threads {
            argv.extend(["--threads".to_owned(), t.to_string()]);
        }
        let command = format!("throttlelab {}", argv.join(" "));
        self.steps.push(Step {
            label: label.to_owned(),
            argv,
        });
        Ok(Out {
            dir: self
                .args
                .out
                .join(&plan.base.name)
                .join(format!("sweep-{}", plan.hash)),
            command,
            variant: None,
            shortened: None,
        })
    }
}

/// Plan the pack; writes the variant scenarios (`<out>/demo-scenarios/`), runs nothing.
pub fn plan(args: &DemoArgs) -> Result<Pack, CliError> {
    let sc = &args.scenarios;
    let variants = args.out.join("demo-scenarios");
    std::fs::create_dir_all(&variants)
        .with_context(|| format!("creating {}", variants.display()))?;
    let mut p = Planner {
        args,
        out: utf8(&args.out)?,
        variants,
        steps: Vec::new(),
    };
    let q = usize::from(args.quick);

    let storm_file = sc.join("retry-storm.toml");
    let (_, storm_text) = read_text(&storm_file)?;
    let storm = p.run(
        "retry storm: no jitter vs full jitter",
        &storm_file,
        &storm_text,
    )?;

    let jitter_param = format!("fleet.{JITTER_FLEET}.retry.jitter={}", JITTERS.join(","));
    let jitter_sweep = p.sweep(
        "jitter sweep",
        &storm_file,
        &[jitter_param],
        Some(JITTER_SEEDS[q]),
    )?;
    let jitter_text = jitter_fleets(&storm_text, JITTER_FLEET, "jitter-strategies").map_err(bad)?;
    let jitter_run = p.run_variant(
        "jitter: four strategies, one run",
        "jitter-strategies.toml",
        &jitter_text,
    )?;

    let fairness_file = sc.join("experiments").join("fairness.toml");
    let (_, fairness_text) = read_text(&fairness_file)?;
    let fairness_sweep = p.sweep(
        "fairness sweep",
        &fairness_file,
        &[],
        args.quick.then_some(QUICK_FAIRNESS_SEEDS),
    )?;
    let mut fairness_runs = Vec::new();
    let points =
        sweep_points(&fairness_text, "server.limiters", "fairness", scopes_label).map_err(bad)?;
    for (label, text) in points {
        let (text, short) = quick(args.quick, text, QUICK_FAIRNESS)?;
        let mut out = p.run_variant(
            &format!("fairness: {label}"),
            &format!("fairness-{label}.toml"),
            &text,
        )?;
        out.shortened = short;
        fairness_runs.push((label, out));
    }

    let mut seed_files = toml_files(&sc.join("seeds"))?;
    seed_files.sort();
    let mut seeds = Vec::new();
    for f in seed_files {
        let stem = f
            .file_stem()
            .map_or_else(String::new, |s| s.to_string_lossy().into_owned());
        let (_, text) = read_text(&f)?;
        let label = format!("seed API {stem}");
        let out = match quick(args.quick, text.clone(), QUICK_SEED)? {
            (short, Some(d)) => {
                let mut out = p.run_variant(&label, &format!("{stem}.toml"), &short)?;
                out.shortened = Some(d);
                out
            }
            (_, None) => p.run(&label, &f, &text)?,
        };
        seeds.push((stem, out));
    }

    Ok(Pack {
        steps: p.steps,
        storm,
        jitter_sweep,
        jitter_run,
        fairness_sweep,
        fairness_runs,
        seeds,
    })
}

/// The `.toml` files of `dir`; when `dir` is not on disk, those of the embedded folder of that
/// name (`scenarios/seeds` from anywhere: `crate::cli::embedded`), whose paths `run` resolves
/// to the embedded files in turn.
fn toml_files(dir: &Path) -> Result<Vec<PathBuf>, CliError> {
    if !dir.exists() {
        let shipped = dir
            .to_str()
            .map(crate::cli::embedded::in_folder)
            .unwrap_or_default();
        if !shipped.is_empty() {
            return Ok(shipped
                .iter()
                .filter(|s| s.path.ends_with(".toml"))
                .filter_map(|s| s.path.rsplit('/').next().map(|name| dir.join(name)))
                .collect());
        }
    }
    Ok(std::fs::read_dir(dir)
        .with_context(|| format!("listing {}", dir.display()))
        .map_err(CliError::BadInput)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|f| f.extension().is_some_and(|x| x == "toml"))
        .collect())
}

/// With `--quick`, `text` cut to `duration` where the scenario allows it.
fn quick(
    on: bool,
    text: String,
    duration: &'static str,
) -> Result<(String, Option<&'static str>), CliError> {
    if !on {
        return Ok((text, None));
    }
    Ok(match shortened(&text, duration).map_err(bad)? {
        Some(short) => (short, Some(duration)),
        None => (text, None),
    })
}
