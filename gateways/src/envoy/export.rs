//! A scenario's levels as Envoy's `local_ratelimit` HTTP filter, where the filter can say them.
//!
//! What it can say: one process-wide bucket (`scope = "global"`), continuous (`token_bucket`:
//! Envoy 1.31+'s default) or stepped (`stepped_bucket`: the timer bucket, which needs the
//! runtime guard written beside it), plus per-key buckets as wildcard descriptors (Envoy
//! 1.34+) fed by a route `rate_limits` action the user adds. A rate `N/P` becomes
//! `tokens_per_fill: N, fill_interval: P`, scaled by a whole factor when `P` is under Envoy's
//! 50 ms minimum (`20/10ms` -> `100/50ms`, the same rate). Anything else is refused with why.

use crate::{Dialect, GatewayError};
use limiters::{Nanos, Params, Rate};
use sim::model::{Level, Scope};
use std::fmt::Write as _;

struct Bucket {
    max_tokens: u64,
    tokens_per_fill: u64,
    fill_interval: Nanos,
    timer: bool,
}

fn refuse(reason: impl Into<String>) -> GatewayError {
    GatewayError::Unsupported {
        dialect: Dialect::Envoy.name(),
        reason: reason.into(),
    }
}

fn bucket(l: &Level, i: usize) -> Result<Bucket, GatewayError> {
    let p: &Params = &l.params;
    let bad = |e: limiters::LimiterError| refuse(format!("level {}: {e}", i + 1));
    match l.algorithm.as_str() {
        "token_bucket" | "token_bucket_atomic" | "gcra" | "gcra_atomic" => {
            let rate: Rate = p.rate("rate").map_err(bad)?;
            let burst = if p.get("burst").is_some() {
                p.positive_u64("burst").map_err(bad)?
            } else {
                rate.count
            };
            // the least whole multiple of the period reaching 50ms
            let min = limiters::MIN_FILL_INTERVAL.as_nanos();
            let k = min.div_ceil(rate.period.as_nanos()).max(1);
            let (tpf, fi) = (rate.count.saturating_mul(k), rate.period.as_nanos() * k);
            if burst > u64::from(u32::MAX) || tpf > u64::from(u32::MAX) {
                return Err(refuse(format!(
                    "level {}: {} tokens do not fit Envoy's 32-bit token counts",
                    i + 1,
                    burst.max(tpf)
                )));
            }
            Ok(Bucket {
                max_tokens: burst,
                tokens_per_fill: tpf,
                fill_interval: Nanos(fi),
                timer: false,
            })
        }
        "stepped_bucket" => Ok(Bucket {
            max_tokens: p.positive_u64("max_tokens").map_err(bad)?,
            tokens_per_fill: p.u64_or("tokens_per_fill", 1).map_err(bad)?,
            fill_interval: p.duration("fill_interval").map_err(bad)?,
            timer: true,
        }),
        other => Err(refuse(format!(
            "level {} ({other}): Envoy's local_ratelimit is a token bucket; it cannot say a \
             {other} (export token_bucket, gcra or stepped_bucket levels)",
            i + 1
        ))),
    }
}

fn yaml_bucket(out: &mut String, indent: &str, b: &Bucket) {
    let _ = writeln!(out, "{indent}token_bucket:");
    let _ = writeln!(out, "{indent}  max_tokens: {}", b.max_tokens);
    let _ = writeln!(out, "{indent}  tokens_per_fill: {}", b.tokens_per_fill);
    let _ = writeln!(out, "{indent}  fill_interval: {}s", secs(b.fill_interval));
}

/// Seconds with as many decimals as the nanoseconds need (protobuf's Duration JSON form).
fn secs(n: Nanos) -> String {
    let (s, ns) = (n.as_nanos() / 1_000_000_000, n.as_nanos() % 1_000_000_000);
    if ns == 0 {
        return s.to_string();
    }
    let frac = format!("{ns:09}");
    format!("{s}.{}", frac.trim_end_matches('0'))
}

/// Write `levels` as a `local_ratelimit` filter (and the runtime guard a timer bucket needs).
pub fn export_levels(levels: &[Level]) -> Result<String, GatewayError> {
    let mut global = None;
    let mut keyed = Vec::new();
    let mut status = None;
    for (i, l) in levels.iter().enumerate() {
        if !l.fleets.is_empty() {
            return Err(refuse(format!(
                "level {} applies to fleets {:?} only; Envoy's filter sees every client alike",
                i + 1,
                l.fleets
            )));
        }
        match status {
            Some(s) if s != l.status => {
                return Err(refuse(format!(
                    "levels answer {s} and {}: one local_ratelimit filter has one status",
                    l.status
                )))
            }
            _ => status = Some(l.status),
        }
        let b = bucket(l, i)?;
        if b.fill_interval < limiters::MIN_FILL_INTERVAL {
            return Err(refuse(format!(
                "level {}: fill_interval {} is under Envoy's 50ms minimum",
                i + 1,
                b.fill_interval
            )));
        }
        match l.scope {
            Scope::Global if global.is_none() => global = Some(b),
            Scope::Global => {
                return Err(refuse(
                    "two global levels: the filter has one default bucket",
                ))
            }
            Scope::Key | Scope::Tenant if b.timer => {
                return Err(refuse(format!(
                    "level {}: per-{} buckets are Envoy's dynamic descriptors, which are always \
                     continuous; a stepped_bucket cannot be one",
                    i + 1,
                    l.scope.as_str()
                )))
            }
            Scope::Key | Scope::Tenant => keyed.push((l.scope, b)),
        }
    }
    let Some(global) = global else {
        return Err(refuse(
            "no global level: the filter's default bucket is process-wide, and per-key buckets \
             (descriptors) need one beside them",
        ));
    };
    let mut out = String::from(
        "# throttlelab export --format envoy: an HTTP filter for http_filters (Envoy 1.34+ for \
         wildcard descriptors)\n",
    );
    if global.timer {
        out.push_str(&format!(
            "# stepped_bucket: the timer bucket (Envoy <= 1.30; 1.31-1.35 with this guard)\n\
             layered_runtime:\n  layers:\n  - name: throttlelab\n    static_layer:\n      \
             {}: false\n",
            super::read::TIMER_GUARD
        ));
    }
    out.push_str("http_filters:\n- name: envoy.filters.http.local_ratelimit\n  typed_config:\n");
    let _ = writeln!(
        out,
        "    \"@type\": type.googleapis.com/{}",
        super::read::HTTP_TYPE
    );
    out.push_str("    stat_prefix: throttlelab\n");
    if let Some(s) = status.filter(|s| *s != 429) {
        let _ = writeln!(out, "    status:\n      code: {s}");
    }
    yaml_bucket(&mut out, "    ", &global);
    for which in ["filter_enabled", "filter_enforced"] {
        let _ = writeln!(
            out,
            "    {which}:\n      runtime_key: local_rate_limit_{}\n      default_value:\n        \
             numerator: 100\n        denominator: HUNDRED",
            which.trim_start_matches("filter_")
        );
    }
    if !keyed.is_empty() {
        out.push_str(
            "    # a bucket per distinct value: add a route rate_limits action that sets this \
             key, e.g. request_headers {header_name: x-api-key, descriptor_key: api_key}\n    \
             descriptors:\n",
        );
        for (scope, b) in &keyed {
            let key = if *scope == Scope::Tenant {
                "tenant"
            } else {
                "api_key"
            };
            let _ = writeln!(
                out,
                "    - entries:\n      - key: {key}\n        value: \"\""
            );
            yaml_bucket(&mut out, "      ", b);
        }
    }
    Ok(out)
}
