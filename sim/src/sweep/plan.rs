//! A sweep [`Plan`]: the base scenario, the parameters, the cartesian product of their values
//! (the points, each a validated [`Scenario`]), the seeds every point runs with, and the
//! output folder's hash. Building a plan loads every point, so a bad value fails before any
//! run starts.
//!
//! Points are numbered in nested-loop order: the first parameter varies slowest. Every point
//! runs with the same seeds `first, first + 1, ..., first + n - 1` (common random numbers
//! across points: a difference between two points is not a difference of luck), so any run
//! of a sweep can be reproduced with `throttlelab run FILE --seed S` and the point's values.

use super::doc::{leaf_paths, set};
use super::{show, Param, Shard, SweepError};
use crate::model::Scenario;
use crate::scenario::sweep_table::{declaration, strip_sweep, SweepDecl};
use crate::scenario::{load_str_with, ScenarioError};
use limiters::Registry;
use toml_edit::DocumentMut;

/// Runs per point when neither `--seeds` nor `[sweep] seeds` says.
pub const DEFAULT_SEEDS: u32 = 5;
/// At most this many points in one sweep.
pub const MAX_POINTS: usize = 100_000;
/// At most this many runs (points x seeds) in one sweep: the job list and the seed list are
/// allocated up front (`--seeds 4294967295` asked for 34 GB before this cap).
pub const MAX_RUNS: usize = 1_000_000;

/// What to sweep, before loading: the command line's side.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SweepArgs {
    /// `--param` values; they replace a `[sweep.params]` entry of the same path.
    pub params: Vec<Param>,
    /// `--seeds`: runs per point.
    pub seeds: Option<u32>,
    /// `--seed`: the first seed (default: the scenario's).
    pub first_seed: Option<u64>,
}

/// One point of the product.
#[derive(Clone, Debug, PartialEq)]
pub struct Point {
    /// Position in the product (0-based).
    pub index: usize,
    /// One value per parameter, in parameter order.
    pub values: Vec<toml::Value>,
    /// The scenario with these values set.
    pub scenario: Scenario,
}

/// One run: a point and a seed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Job {
    /// Position in the full job list: `point * seeds + seed_index`.
    pub index: usize,
    /// The point.
    pub point: usize,
    /// The seed.
    pub seed: u64,
}

/// A validated sweep.
#[derive(Clone, Debug)]
pub struct Plan {
    /// The base scenario (no override).
    pub base: Scenario,
    /// The parameters, file declarations first, then the command line's.
    pub params: Vec<Param>,
    /// The seeds every point runs with.
    pub seeds: Vec<u64>,
    /// The points, in order.
    pub points: Vec<Point>,
    /// 16 hex digits identifying the base document, parameters and seeds.
    pub hash: String,
}

impl Plan {
    /// Build a plan from the text of scenario file `file`, with the built-in limiters.
    pub fn from_text(file: &str, text: &str, args: &SweepArgs) -> Result<Plan, SweepError> {
        Plan::from_text_with(file, text, args, &Registry::builtin())
    }

    /// Build a plan with the limiter algorithms of `registry`.
    pub fn from_text_with(
        file: &str,
        text: &str,
        args: &SweepArgs,
        registry: &Registry,
    ) -> Result<Plan, SweepError> {
        let (stripped, decl_doc) = strip_sweep(text);
        let decl = match &decl_doc {
            Some(doc) => declaration(file, doc).map_err(SweepError::Declaration)?,
            None => SweepDecl::default(),
        };
        let base = load_str_with(file, &stripped, registry).map_err(SweepError::Scenario)?;
        let params = merge(decl.params, &args.params)?;
        let doc: DocumentMut =
            stripped
                .parse()
                .map_err(|e: toml_edit::TomlError| SweepError::Param {
                    arg: file.to_string(),
                    message: e.to_string(),
                })?;
        let load = |doc: &DocumentMut| load_str_with("", &doc.to_string(), registry);
        // Each value alone first, so an error names one parameter.
        for p in &params {
            for v in &p.values {
                let mut d = doc.clone();
                let created =
                    set(&mut d, &p.path, v).map_err(|e| bad_path(&doc, &p.path, e.reason))?;
                if let Err(e) = load(&d) {
                    let message = message_of(&e);
                    return Err(if created {
                        bad_path(
                            &doc,
                            &p.path,
                            format!("not a setting of this scenario ({message})"),
                        )
                    } else {
                        SweepError::Value {
                            assignment: format!("{}={}", p.path, show(v)),
                            message,
                        }
                    });
                }
            }
        }
        let total = params
            .iter()
            .try_fold(1usize, |acc, p| acc.checked_mul(p.values.len()))
            .filter(|n| *n <= MAX_POINTS)
            .ok_or(SweepError::TooLarge { limit: MAX_POINTS })?;
        let n = args.seeds.or(decl.seeds).unwrap_or(DEFAULT_SEEDS);
        if total.saturating_mul(n as usize) > MAX_RUNS {
            return Err(SweepError::TooManyRuns {
                points: total,
                seeds: n,
                limit: MAX_RUNS,
            });
        }
        let mut points = Vec::with_capacity(total);
        for index in 0..total {
            let values = point_values(&params, index);
            let mut d = doc.clone();
            for (p, v) in params.iter().zip(&values) {
                set(&mut d, &p.path, v).map_err(|e| bad_path(&doc, &p.path, e.reason))?;
            }
            let scenario = load(&d).map_err(|e| SweepError::Value {
                assignment: label(&params, &values),
                message: message_of(&e),
            })?;
            points.push(Point {
                index,
                values,
                scenario,
            });
        }
        let first = args.first_seed.unwrap_or(base.seed);
        let seeds: Vec<u64> = (0..u64::from(n)).map(|i| first.wrapping_add(i)).collect();
        let hash = hash_of(&stripped, &params, &seeds);
        Ok(Plan {
            base,
            params,
            seeds,
            points,
            hash,
        })
    }

    /// Every job, point by point, seed by seed.
    pub fn jobs(&self) -> Vec<Job> {
        let s = self.seeds.len();
        (0..self.points.len() * s)
            .map(|index| Job {
                index,
                point: index / s,
                seed: self.seeds[index % s],
            })
            .collect()
    }

    /// The jobs of one shard: every `n`-th job, starting at the shard's index. Shards
    /// partition the jobs, and interleaving keeps their loads alike when cost grows along a
    /// parameter.
    pub fn shard_jobs(&self, shard: Shard) -> Vec<Job> {
        self.jobs()
            .into_iter()
            .filter(|j| shard.owns(j.index))
            .collect()
    }

    /// `path=value, path=value` for a point.
    pub fn label(&self, point: usize) -> String {
        self.points
            .get(point)
            .map_or_else(String::new, |p| label(&self.params, &p.values))
    }

    /// The parameter paths, in order.
    pub fn paths(&self) -> Vec<&str> {
        self.params.iter().map(|p| p.path.as_str()).collect()
    }
}

/// Load the scenario of `file` without its `[sweep]` table (which is checked, then ignored):
/// what `compare` runs, and what a sweep's overrides apply to.
pub fn load_base(file: &str, text: &str, registry: &Registry) -> Result<Scenario, SweepError> {
    let (stripped, decl_doc) = strip_sweep(text);
    if let Some(doc) = &decl_doc {
        declaration(file, doc).map_err(SweepError::Declaration)?;
    }
    load_str_with(file, &stripped, registry).map_err(SweepError::Scenario)
}

/// The values of point `index` (nested-loop order, first parameter slowest).
fn point_values(params: &[Param], mut index: usize) -> Vec<toml::Value> {
    let mut out = vec![toml::Value::Boolean(false); params.len()];
    for (slot, p) in out.iter_mut().zip(params).rev() {
        let n = p.values.len();
        *slot = p.values[index % n].clone();
        index /= n;
    }
    out
}

fn label(params: &[Param], values: &[toml::Value]) -> String {
    params
        .iter()
        .zip(values)
        .map(|(p, v)| format!("{}={}", p.path, show(v)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// File declarations, then command-line parameters; a command-line path replaces the file's.
fn merge(mut file: Vec<Param>, cli: &[Param]) -> Result<Vec<Param>, SweepError> {
    for (i, p) in cli.iter().enumerate() {
        if cli[..i].iter().any(|q| q.path == p.path) {
            return Err(SweepError::Param {
                arg: p.to_string(),
                message: format!("`{}` is given twice", p.path),
            });
        }
        match file.iter_mut().find(|q| q.path == p.path) {
            Some(q) => *q = p.clone(),
            None => file.push(p.clone()),
        }
    }
    Ok(file)
}

fn bad_path(doc: &DocumentMut, path: &str, reason: String) -> SweepError {
    SweepError::Path {
        path: path.to_string(),
        reason,
        valid: leaf_paths(doc),
    }
}

/// A loader error without a file position: the text it points into was made by the sweep.
fn message_of(e: &ScenarioError) -> String {
    match e.location() {
        Some(at) => at.message.clone(),
        None => e.to_string(),
    }
}

/// FNV-1a (64 bit) over the base document, the parameters and the seeds. Stable across Rust
/// versions and machines (unlike `DefaultHasher`), so every shard of a sweep computes the
/// same folder name.
fn hash_of(stripped: &str, params: &[Param], seeds: &[u64]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |bytes: &[u8]| {
        for b in bytes {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    };
    eat(b"throttlelab-sweep-v1\n");
    eat(stripped.as_bytes());
    for p in params {
        eat(b"\nparam ");
        eat(p.path.as_bytes());
        for v in &p.values {
            eat(b"\x1f");
            eat(v.to_string().as_bytes());
        }
    }
    eat(b"\nseeds");
    for s in seeds {
        eat(&s.to_le_bytes());
    }
    format!("{h:016x}")
}

#[cfg(test)]
mod tests;
