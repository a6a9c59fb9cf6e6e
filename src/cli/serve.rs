//! `throttlelab serve`: run the rate-limited HTTP API on 127.0.0.1 (see `src/live/`).
//!
//! Prints `listening on http://127.0.0.1:PORT` as its first stdout line, so tests and scripts
//! can start it with `--port 0` and read the port.

use super::serve_config::config;
pub use super::serve_config::ServeArgs;
use super::CliError;
use crate::live::server::{serve, App};
use anyhow::{anyhow, Context};

/// Run the server until Ctrl-C / SIGTERM.
pub fn run(args: ServeArgs) -> Result<(), CliError> {
    if let (Some(path), None) = (&args.scenario, args.replica) {
        let scenario =
            sim::scenario::load_file(path).map_err(|e| CliError::BadInput(anyhow!("{e}")))?;
        if scenario.deployment.is_some() {
            return super::serve_deployment::run(&args, &scenario);
        }
    }
    let (mut config, retry_after, secrets) = config(&args)?;
    if let (Some(i), Some(path)) = (args.replica, &args.scenario) {
        let scenario =
            sim::scenario::load_file(path).map_err(|e| CliError::BadInput(anyhow!("{e}")))?;
        super::serve_deployment::as_replica(&mut config, &scenario, i, &args)?;
    }
    let app = App::new(config, retry_after).map_err(CliError::BadInput)?;
    if let Some(path) = &args.access_log {
        crate::live::access_log::install(path)
            .map_err(|e| CliError::BadInput(anyhow!("--access-log {}: {e}", path.display())))?;
    }
    // printed once, after the address line, unless they go to a file or came from one
    let banner = match (&args.keys_out, &args.keys_file) {
        (Some(path), _) => {
            secrets.write(path).map_err(CliError::BadInput)?;
            String::new()
        }
        (None, Some(_)) => String::new(),
        (None, None) => secrets.render(),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the tokio runtime")?;
    runtime
        .block_on(serve(app, &banner))
        .map_err(CliError::Failed)
}
