//! `throttlelab conform`: start a real gateway on loopback, drive it with timed request
//! streams, and compare every decision with the lab's model fed the gateway's own clock (see
//! docs/conformance.md).
//!
//! The pieces: [`schedule`] draws each stream's requests (keys and gaps: bursts at the limit,
//! random gaps, boundary cases, long idle gaps) from a seeded stream of its own; [`client`]
//! sends them over one keep-alive connection per stream and reads the decision and the
//! gateway's clock back from the response; [`nginx`] starts nginx with a generated prefix and
//! configuration; the comparison itself is `gateways::conform`; [`report`] writes the JSON
//! and Markdown report.

pub mod client;
pub mod conn;
pub mod haproxy;
pub mod haproxy_conn;
pub mod nginx;
pub mod nginx_conn;
pub mod ratelimit;
pub mod report;
pub mod report_delay;
pub mod schedule;

use gateways::conform::Observation;

/// How a run is driven.
#[derive(Clone, Debug)]
pub struct Drive {
    /// Requests in all, split evenly over the streams.
    pub requests: u64,
    /// Independent request streams (one connection and one set of keys each).
    pub streams: u32,
    /// Seed of the schedules.
    pub seed: u64,
}

/// Run every stream of `drive` against `port` (each on its own thread and connection), with
/// `interval_us` the limit's interval per key; observations in stream then request order.
pub fn drive(
    port: u16,
    drive: &Drive,
    interval_us: u64,
    read: client::Reader,
) -> Result<Vec<Observation>, String> {
    let per = drive.requests.div_ceil(u64::from(drive.streams.max(1)));
    let plans = (0..drive.streams)
        .map(|i| schedule::plan(drive.seed, i, per, interval_us))
        .collect();
    drive_plans(port, plans, read)
}

/// Run each plan of `plans` (stream `i` is `plans[i]`) against `port`, each on its own thread
/// and connection; observations in stream then request order.
pub fn drive_plans(
    port: u16,
    plans: Vec<Vec<schedule::Planned>>,
    read: client::Reader,
) -> Result<Vec<Observation>, String> {
    let results: Vec<Result<Vec<Observation>, String>> = std::thread::scope(|s| {
        let handles: Vec<_> = plans
            .iter()
            .enumerate()
            .map(|(i, plan)| s.spawn(move || client::run_stream(port, i as u32, plan, read)))
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err("a stream thread panicked".into()))
            })
            .collect()
    });
    let mut out = Vec::new();
    for r in results {
        out.extend(r?);
    }
    Ok(out)
}

/// Wait until the gateway `name` (a child process) accepts connections on 127.0.0.1:`port`,
/// at most 10 s; if it exits first, its `log` says why.
pub(crate) fn wait_listening(
    name: &str,
    port: u16,
    child: &mut std::process::Child,
    log: &std::path::Path,
) -> Result<(), String> {
    use std::time::{Duration, Instant};
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Ok(());
        }
        if let Ok(Some(status)) = child.try_wait() {
            let log = std::fs::read_to_string(log).unwrap_or_default();
            return Err(format!("{name} exited at start ({status}):\n{log}"));
        }
        if Instant::now() > deadline {
            return Err(format!("{name} did not listen within 10 s"));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}
