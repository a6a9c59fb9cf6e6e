//! The sections of `list` for the kinds a scenario file names that have no catalog of their
//! own in `sim`: arrival processes, distributions, faults and header dialects. The names and
//! the keys each takes are the loader's ([`sim::scenario::kinds`]); each key's help and type
//! are its spec field's doc comment and type (the JSON Schema); only the one-line summaries
//! are written here, and a test fails for a name without one.

use super::params::{from_help, schema_type};
use super::{Param, Row, Section};
use serde_json::Value;
use sim::scenario::kinds;

fn process_summary(name: &str) -> &'static str {
    match name {
        "poisson" => "independent arrivals, exponential gaps at `rate` per client",
        "constant" => "one request every 1/`rate` per client, phases spread over clients",
        "on_off" => "bursts at `rate` for `on`, then silence for `off`",
        "cron" => "every client fires once per `period`, within `offset` of the tick (top-of-minute herds)",
        "diurnal" => "Poisson with a sinusoidal rate from `low` (t = 0) to `high` (half a period)",
        "piecewise" => "Poisson with a rate that changes at given times (`points`)",
        "closed" => "closed loop: `concurrency` requests in flight per client, `think` time between",
        _ => "",
    }
}

fn dist_summary(name: &str) -> &'static str {
    match name {
        "constant" => "always `value`",
        "exponential" => "exponential with mean `mean`",
        "lognormal" => "lognormal fitted to `mean` and the 99th percentile `p99`",
        "bimodal" => "`low`, or `high` with probability `p_high` (a slow path)",
        "normal_abs" => "|Normal(`mean`, `sd`)| (as the AWS backoff simulator's network delay)",
        "uniform" => "uniform in [`low`, `high`)",
        _ => "",
    }
}

fn fault_summary(name: &str) -> &'static str {
    match name {
        "error_rate" => "each admitted request fails with probability `rate` (status `status`)",
        "outage" => "every request answered `status` before the limiters, as a load balancer would",
        "latency_spike" => "`extra` service time added to every request",
        "capacity_drop" => "the backend runs with `workers` workers",
        _ => "",
    }
}

fn dialect_summary(name: &str) -> &'static str {
    match name {
        "x-ratelimit-delta" => "X-RateLimit-Limit/Remaining/Reset, Reset in seconds from now",
        "x-ratelimit-epoch" => "X-RateLimit-*, Reset as a Unix timestamp (seconds)",
        "x-ratelimit-epoch-ms" => "X-RateLimit-*, Reset as a Unix timestamp in milliseconds",
        "ietf" => "IETF RateLimit and RateLimit-Policy structured fields (draft-ietf-httpapi-ratelimit-headers)",
        "ietf-draft07" => "IETF draft 07: RateLimit-Limit/Remaining/Reset",
        "x-quota-monthly" => "X-Quota-Monthly-Limit/Remaining/Reset, Reset in epoch seconds (seed 004)",
        _ => "",
    }
}

/// `key` of spec table `def` as a parameter: help from its doc comment, type from the schema.
pub fn spec_param(schema: &Value, def: &str, key: &'static str) -> Param {
    let help = schema["definitions"][def]["properties"][key]["description"]
        .as_str()
        .unwrap_or("")
        .to_owned();
    let meta = from_help(&help, schema_type(schema, def, key));
    Param {
        name: key,
        help,
        meta,
    }
}

fn section(
    key: &'static str,
    title: &'static str,
    names: &[&'static str],
    summary: fn(&str) -> &'static str,
    params: impl Fn(&'static str) -> Vec<Param>,
) -> Section {
    Section {
        key,
        title,
        rows: names
            .iter()
            .map(|&name| Row {
                name,
                kind: None,
                summary: summary(name).to_owned(),
                source: None,
                params: params(name),
            })
            .collect(),
        shared: None,
    }
}

/// Arrival processes, distributions, faults and dialects.
pub fn sections(schema: &Value) -> Vec<Section> {
    let keys = |def: &'static str, takes: Option<&'static [&'static str]>| -> Vec<Param> {
        takes
            .unwrap_or(&[])
            .iter()
            .map(|k| spec_param(schema, def, k))
            .collect()
    };
    let mut faults = section(
        "faults",
        "Faults: `kind = \"<name>\"` in a `[[faults]]` table (each takes `start` and `duration`)",
        kinds::FAULTS,
        fault_summary,
        |n| keys("FaultSpec", kinds::fault_keys(n)),
    );
    faults.shared = Some((
        "every fault takes",
        vec![
            spec_param(schema, "FaultSpec", "start"),
            spec_param(schema, "FaultSpec", "duration"),
        ],
    ));
    vec![
        section(
            "arrival_processes",
            "Arrival processes: `arrival = { process = \"<name>\", ... }` in a `[fleet.<name>]` table",
            kinds::PROCESSES,
            process_summary,
            |n| keys("ArrivalSpec", kinds::process_keys(n)),
        ),
        section(
            "distributions",
            "Distributions of durations: a duration (\"5ms\") or `{ dist = \"<name>\", ... }` \
             (service_time, network delay, think time, latency spikes)",
            kinds::DISTRIBUTIONS,
            dist_summary,
            |n| keys("DistTable", kinds::distribution_keys(n)),
        ),
        faults,
        section(
            "dialects",
            "Header dialects: `dialect = \"<name>\"` in `[server]` or a limiter level",
            kinds::DIALECTS,
            dialect_summary,
            |_| Vec::new(),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_the_loader_accepts_has_a_summary() {
        for (names, summary) in [
            (
                kinds::PROCESSES,
                process_summary as fn(&str) -> &'static str,
            ),
            (kinds::DISTRIBUTIONS, dist_summary),
            (kinds::FAULTS, fault_summary),
            (kinds::DIALECTS, dialect_summary),
        ] {
            for n in names {
                assert!(!summary(n).is_empty(), "`{n}` has no summary in `list`");
            }
        }
    }
}
