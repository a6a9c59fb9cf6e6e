//! Levels into an HAProxy configuration: `haproxy_http_req_rate` levels as a stick table
//! storing `http_req_rate(<period>)` with a deny rule, `concurrency` levels as `conn_cur`.
//! Anything else is refused with the reason.

use crate::{Dialect, GatewayError};
use limiters::ParamValue;
use sim::model::{Level, Scope};
use std::fmt::Write as _;

fn refuse(reason: String) -> GatewayError {
    GatewayError::Unsupported {
        dialect: Dialect::Haproxy.name(),
        reason,
    }
}

/// Write `levels` as an HAProxy configuration on 127.0.0.1:8080 in front of the API on
/// 127.0.0.1:8081.
pub fn export(levels: &[Level]) -> Result<String, GatewayError> {
    let mut backends = String::new();
    let mut rules = String::new();
    if levels.len() > 3 {
        return Err(refuse(format!(
            "{} levels, and HAProxy tracks at most 3 counters (sc0..sc2) by default",
            levels.len()
        )));
    }
    for (i, l) in levels.iter().enumerate() {
        let (ty, key) = match l.scope {
            Scope::Key => ("string len 64", "req.hdr(authorization)"),
            Scope::Global => ("integer", "int(1)"),
            Scope::Tenant => {
                return Err(refuse(format!(
                    "level {} is per tenant, and a stick table is keyed by one sample: HAProxy cannot group keys into tenants",
                    i + 1
                )))
            }
        };
        if !l.fleets.is_empty() {
            return Err(refuse(format!(
                "level {} applies to some fleets only; HAProxy cannot tell the lab's fleets apart",
                i + 1
            )));
        }
        let int = |name: &str| match l.params.get(name) {
            Some(ParamValue::Int(v)) => *v,
            _ => 0,
        };
        let store = match l.algorithm.as_str() {
            "haproxy_http_req_rate" => {
                let period = l.params.duration("period").map_err(|e| refuse(e.to_string()))?;
                let ms = period.as_nanos() / 1_000_000;
                let _ = writeln!(rules, "    http-request track-sc{i} {key} table limit{i}");
                let _ = writeln!(rules, "    http-request deny deny_status {} if {{ sc_http_req_rate({i}) gt {} }}", l.status, int("limit"));
                format!("http_req_rate({ms}ms)")
            }
            "concurrency" => {
                let _ = writeln!(rules, "    http-request track-sc{i} {key} table limit{i}");
                let _ = writeln!(rules, "    http-request deny deny_status {} if {{ sc_conn_cur({i}) gt {} }}", l.status, int("max"));
                "conn_cur".to_string()
            }
            other => {
                return Err(refuse(format!(
                    "level {} uses `{other}`; HAProxy limits with stick-table counters only (http_req_rate, conn_cur)",
                    i + 1
                )))
            }
        };
        let _ = writeln!(
            backends,
            "backend limit{i}\n    stick-table type {ty} size 1m expire 10m store {store}\n"
        );
    }
    Ok(format!(
        "# written by `throttlelab export --format haproxy`\n\
         defaults\n    mode http\n    timeout connect 5s\n    timeout client 30s\n    timeout server 30s\n\n\
         frontend api\n    bind 127.0.0.1:8080\n{rules}    default_backend app\n\n\
         backend app\n    server api 127.0.0.1:8081\n\n{backends}"
    ))
}
