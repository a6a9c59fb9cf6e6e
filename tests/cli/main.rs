//! The command line's behaviour tests, one binary: each module drives the real `throttlelab`
//! binary (or the library behind it) for one command or concern.
//!
//! One binary rather than one per file: every test binary links the whole dependency set
//! (polars among it), about 100 MB each in the debug profile, so 40 binaries filled a CI
//! machine's disk and spent minutes linking. Tests that judge live runs against wall-clock
//! tolerances stay in their own binaries under `tests/` (see docs/development.md).

mod cli_atlas;
mod cli_closed_pipe;
mod cli_compare;
mod cli_compare_runs;
mod cli_crash_safe;
mod cli_demo;
mod cli_embedded_scenarios;
mod cli_experiments;
mod cli_fuzz;
mod cli_gateways;
mod cli_json_and_shell;
mod cli_limits;
mod cli_list;
mod cli_per_fleet;
mod cli_recovery;
mod cli_replay;
mod cli_replay_loop;
mod cli_run;
mod cli_sweep;
mod cli_sweep_run_parquet;
mod cli_tables_files;
mod cli_validate;
mod custom_limiter_scenario;
mod dask_common;
mod dask_sweep;
mod gateway_examples;
mod scenario_schema;
