//! Levels into an nginx configuration: `nginx_limit_req` and `leaky_bucket` levels as
//! `limit_req`, `concurrency` levels as `limit_conn`. Anything else is refused with the reason
//! (nginx has no fixed windows, token buckets of another shape, quotas or tenants).

use crate::{Dialect, GatewayError};
use limiters::{ParamValue, Params};
use sim::model::{Level, Scope};
use std::fmt::Write as _;

fn refuse(reason: String) -> GatewayError {
    GatewayError::Unsupported {
        dialect: Dialect::Nginx.name(),
        reason,
    }
}

/// The zone key for a scope: the credential for `key`, the server for `global`.
fn key(level: &Level, i: usize) -> Result<&'static str, GatewayError> {
    match level.scope {
        Scope::Global => Ok("$server_name"),
        Scope::Key => Ok("$http_authorization"),
        Scope::Tenant => Err(refuse(format!(
            "level {} is per tenant, and an nginx zone key is one request variable: nginx cannot group keys into tenants",
            i + 1
        ))),
    }
}

fn int(p: &Params, name: &str) -> u64 {
    match p.get(name) {
        Some(ParamValue::Int(i)) => (*i).max(0) as u64,
        _ => 0,
    }
}

/// The nginx `rate=` for a lab rate, when it is a whole number per second or per minute.
fn nginx_rate(r: limiters::Rate) -> Option<String> {
    let ns = r.period.as_nanos();
    let per = |unit: u64| {
        let n = u128::from(r.count) * u128::from(unit);
        (n % u128::from(ns) == 0).then(|| n / u128::from(ns))
    };
    per(1_000_000_000)
        .map(|n| format!("{n}r/s"))
        .or_else(|| per(60_000_000_000).map(|n| format!("{n}r/m")))
}

/// Write `levels` as an nginx configuration on 127.0.0.1:8080 limiting a `proxy_pass` to the
/// API on 127.0.0.1:8081.
pub fn export(levels: &[Level]) -> Result<String, GatewayError> {
    let mut zones = String::new();
    let mut uses = String::new();
    let mut req_status = None;
    let mut conn_status = None;
    for (i, l) in levels.iter().enumerate() {
        let k = key(l, i)?;
        let p = &l.params;
        match l.algorithm.as_str() {
            "nginx_limit_req" | "leaky_bucket" => {
                let rate = if l.algorithm == "leaky_bucket" {
                    let r = p.rate("rate").map_err(|e| refuse(e.to_string()))?;
                    nginx_rate(r).ok_or_else(|| {
                        refuse(format!("level {}: rate {}/{:?} is not a whole number of requests per second or per minute", i + 1, r.count, r.period))
                    })?
                } else {
                    p.str("rate").map_err(|e| refuse(e.to_string()))?.to_string()
                };
                let _ = writeln!(zones, "    limit_req_zone {k} zone=l{i}:10m rate={rate};");
                let mut args = format!("zone=l{i}");
                let burst = int(p, "burst");
                if burst > 0 {
                    let _ = write!(args, " burst={burst}");
                }
                if matches!(p.get("nodelay"), Some(ParamValue::Bool(true))) {
                    args.push_str(" nodelay");
                } else if int(p, "delay") > 0 {
                    let _ = write!(args, " delay={}", int(p, "delay"));
                }
                let _ = writeln!(uses, "            limit_req {args};");
                same_status(&mut req_status, l.status, "limit_req_status")?;
            }
            "concurrency" => {
                let _ = writeln!(zones, "    limit_conn_zone {k} zone=c{i}:10m;");
                let _ = writeln!(uses, "            limit_conn c{i} {};", int(p, "max"));
                same_status(&mut conn_status, l.status, "limit_conn_status")?;
            }
            other => {
                return Err(refuse(format!(
                    "level {} uses `{other}`; nginx limits requests only as a leaky bucket (limit_req) or by connections (limit_conn)",
                    i + 1
                )))
            }
        }
        if !l.fleets.is_empty() {
            return Err(refuse(format!(
                "level {} applies to some fleets only ({}); nginx cannot tell the lab's fleets apart",
                i + 1,
                l.fleets.join(", ")
            )));
        }
    }
    let mut out =
        String::from("# written by `throttlelab export --format nginx`\nevents {}\nhttp {\n");
    out.push_str(&zones);
    if let Some(s) = req_status {
        let _ = writeln!(out, "    limit_req_status {s};");
    }
    if let Some(s) = conn_status {
        let _ = writeln!(out, "    limit_conn_status {s};");
    }
    out.push_str("    server {\n        listen 127.0.0.1:8080;\n        location / {\n");
    out.push_str(&uses);
    // not `return 200`: it runs in the rewrite phase, before limit_req could refuse anything
    out.push_str("            proxy_pass http://127.0.0.1:8081;  # the API (e.g. `throttlelab serve`)\n        }\n    }\n}\n");
    Ok(out)
}

fn same_status(slot: &mut Option<u16>, status: u16, directive: &str) -> Result<(), GatewayError> {
    match *slot {
        Some(s) if s != status => Err(refuse(format!(
            "levels answer {s} and {status}, and nginx has one {directive} per location"
        ))),
        _ => {
            *slot = Some(status);
            Ok(())
        }
    }
}
