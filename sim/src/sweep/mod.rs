//! Parameter sweeps: a scenario file, parameters that override settings of it (by dotted
//! path into the TOML document), their cartesian product, several seeds per point, and
//! shards of the resulting job list.
//!
//! Pure and deterministic: no threads, no I/O. A [`Plan`] lists the jobs; whoever runs them
//! (the CLI, over all cores) collects results by job index, so the output does not depend on
//! the order in which runs finish.
//!
//! ```
//! use sim::sweep::{Param, Plan, SweepArgs};
//! let text = r#"
//! name = "demo"
//! duration = "10s"
//! [fleet.web]
//! count = 5
//! arrival = { process = "poisson", rate = "1/s" }
//! [sweep]
//! seeds = 2
//! "#;
//! let args = SweepArgs {
//!     params: vec![Param::parse_arg("fleet.web.count=5..15:5").unwrap()],
//!     ..SweepArgs::default()
//! };
//! let plan = Plan::from_text("demo.toml", text, &args).unwrap();
//! assert_eq!(plan.points.len(), 3);
//! assert_eq!(plan.points[2].scenario.fleets[0].count, 15);
//! assert_eq!(plan.jobs().len(), 6);
//! assert_eq!(plan.label(1), "fleet.web.count=10");
//! ```

mod doc;
mod param;
mod plan;
mod shard;

pub use crate::scenario::sweep_table::{
    check_path, checked_without_sweep, parse_values, show, without_sweep, Param, SweepDecl,
    MAX_RANGE,
};
pub use plan::{load_base, Job, Plan, Point, SweepArgs, DEFAULT_SEEDS, MAX_POINTS, MAX_RUNS};
pub use shard::Shard;

use crate::scenario::{Located, ScenarioError};
use thiserror::Error;

/// Why a sweep cannot be planned. Every variant is bad input (exit code 2).
#[derive(Debug, Error)]
pub enum SweepError {
    /// The base scenario file is not valid (with file:line:col).
    #[error(transparent)]
    Scenario(ScenarioError),
    /// The file's `[sweep]` table is malformed (with file:line:col).
    #[error("{0}")]
    Declaration(Box<Located>),
    /// A `--param` argument does not parse.
    #[error("--param {arg}: {message}")]
    Param {
        /// The argument as given.
        arg: String,
        /// What is wrong.
        message: String,
    },
    /// A parameter path does not name a setting of the scenario.
    #[error("parameter `{path}`: {reason}\nsettings in this scenario: {}", valid.join(", "))]
    Path {
        /// The path.
        path: String,
        /// What is wrong.
        reason: String,
        /// The paths the scenario file has.
        valid: Vec<String>,
    },
    /// A value (or a combination of values) makes the scenario invalid. The message comes from
    /// the scenario loader, without a file position: the value came from the sweep.
    #[error("{assignment}: {message}")]
    Value {
        /// `path=value[, path=value]`.
        assignment: String,
        /// The loader's message.
        message: String,
    },
    /// The product has too many points.
    #[error("the sweep has more than {limit} points: sweep fewer values, or split it into several sweeps")]
    TooLarge {
        /// The limit.
        limit: usize,
    },
    /// Points times seeds is more runs than a sweep may plan.
    #[error("the sweep has {points} points x {seeds} seeds, more than {limit} runs: lower `--seeds` (or `[sweep] seeds`), or split it into several sweeps")]
    TooManyRuns {
        /// Points.
        points: usize,
        /// Seeds per point.
        seeds: u32,
        /// The limit.
        limit: usize,
    },
}
