//! envoyproxy/ratelimit under test. The real service (Go, gRPC, behind Envoy) is not packaged
//! here, so the lab runs a reference of its Redis fixed-window path ([`reference`], ported
//! from the Go source with line citations) as a loopback HTTP service over a real
//! `redis-server` ([`server`]), and drives it with streams that straddle the unit's window
//! boundaries ([`schedule`]). The reference answers 200 or 429 and the Unix millisecond it
//! decided at; the lab's model (`gateways::ratelimit::ConformModel`, the importer's
//! `fixed_window` levels) is fed those milliseconds.
//!
//! What this checks: that the lab's levels decide as ratelimit's counters do (keys, window
//! starts, `>` against `requests_per_unit`, `unlimited`, `replaces`, `shadow_mode`, the local
//! over-limit cache, and where the lab's "charge only when every level admits" differs from
//! ratelimit's "increment every counter first"). What it cannot check: the Go service's own
//! timing (the Unix second it reads is the second of the request here too).

pub mod reference;
pub mod schedule;
pub mod server;

use super::client::{Answer, Response};
use gateways::conform::Verdict;

/// The reference's decision (200: OK, 429: OVER_LIMIT) and Unix millisecond clock.
pub fn read(r: &Response) -> Answer {
    let clock = r
        .header("x-clock")
        .ok_or("the response has no X-Clock header")?;
    let ms = clock
        .parse()
        .map_err(|_| format!("bad X-Clock {clock:?}"))?;
    let verdict = match r.status {
        200 => Verdict::Pass,
        429 => Verdict::Reject,
        s => {
            return Err(format!(
                "the reference service failed (status {s}): is Redis up?"
            ))
        }
    };
    Ok((ms, verdict, None, None))
}

/// Sleep until the wall clock is at a whole multiple of `window_ms` (at most 2 s away), so a
/// stream's planned window boundaries fall on the service's Unix windows.
pub fn align_to_window(window_ms: u64) {
    use std::time::{Duration, SystemTime, UNIX_EPOCH};
    let w = window_ms.clamp(1, 2000);
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64);
    std::thread::sleep(Duration::from_millis(w - now % w));
}

/// Why a ratelimit run did not happen.
#[derive(Debug)]
pub enum RunError {
    /// The configuration or an option is unusable (exit 2).
    Bad(String),
    /// Redis or the service failed (exit 1).
    Failed(String),
}

/// What a ratelimit run produced.
#[derive(Debug)]
pub struct Outcome {
    /// The comparison with the lab's model.
    pub comparison: gateways::conform::Comparison,
    /// Every request as the reference answered it.
    pub seen: Vec<gateways::conform::Observation>,
    /// How the reference ran (its options).
    pub mode: &'static str,
}

/// Start Redis and the reference for the ratelimit file `text` (named `display`), drive it
/// with `drive`, and compare with the lab's model.
pub fn run(
    display: &str,
    text: &str,
    drive: &super::Drive,
    redis: &std::path::Path,
    opts: reference::Options,
) -> Result<Outcome, RunError> {
    use gateways::conform::compare;
    use gateways::ratelimit::ConformModel;
    let rules =
        gateways::ratelimit::rules(display, text).map_err(|e| RunError::Bad(e.to_string()))?;
    let model = ConformModel::new(&rules).map_err(|e| RunError::Bad(e.to_string()))?;
    let limited: Vec<_> = rules.rules.iter().filter(|r| !r.unlimited).collect();
    if limited.is_empty() {
        return Err(RunError::Bad(format!(
            "{display}: every rule is unlimited: nothing to check"
        )));
    }
    if model.has_global() && drive.streams > 1 {
        return Err(RunError::Bad(format!(
            "{display}: a rule without a per-client entry is one counter shared by every \
             stream, so the streams are not independent: run it with --streams 1"
        )));
    }
    if !redis.exists() {
        return Err(RunError::Bad(format!(
            "{} not found: install it (apt-get install -y redis-server) or pass --binary",
            redis.display()
        )));
    }
    let window_s = limited.iter().map(|r| r.divider).min().unwrap_or(1);
    let limit = limited
        .iter()
        .filter(|r| r.divider == window_s)
        .map(|r| r.requests_per_unit)
        .min()
        .unwrap_or(1);
    let per = drive.requests.div_ceil(u64::from(drive.streams.max(1)));
    let plans = (0..drive.streams)
        .map(|i| schedule::plan(drive.seed, i, per, window_s * 1_000_000, limit))
        .collect();
    let running = server::start(redis, rules, opts).map_err(RunError::Failed)?;
    align_to_window(window_s * 1000);
    let seen = super::drive_plans(running.port, plans, read).map_err(RunError::Failed)?;
    drop(running);
    let mode = match (opts.local_cache, opts.stop_increment_when_overlimit) {
        (false, false) => "reference over Redis",
        (true, false) => "reference over Redis, local over-limit cache",
        (false, true) => "reference over Redis, stop increment when over limit",
        (true, true) => "reference over Redis, local cache, stop increment when over limit",
    };
    Ok(Outcome {
        comparison: compare(&seen, || model.clone()),
        seen,
        mode,
    })
}
