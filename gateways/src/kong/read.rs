//! Finding Kong `rate-limiting` plugins in a file, and checking their `config` as Kong's schema
//! does (`kong/plugins/rate-limiting/schema.lua`, <https://github.com/Kong/kong>).
//!
//! The file may be a declarative configuration (`_format_version`, `plugins`, `services[]`
//! with their `routes[]`, `consumers[]`, each with `plugins`), one plugin object as the Admin
//! API returns it (`{name: rate-limiting, config: {...}}`), or a Kubernetes `KongPlugin`
//! (`plugin: rate-limiting`, `config: {...}`).

use crate::tree::{At, Kind};
use crate::GatewayError;

/// Where a plugin applies, from the least to the most specific (Kong runs the most specific
/// instance for a request).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Attached {
    /// Every request (a global plugin).
    Global,
    /// A service's requests.
    Service,
    /// A route's requests.
    Route,
    /// One consumer's requests.
    Consumer,
}

/// One `rate-limiting` plugin found in the file.
#[derive(Clone, Copy, Debug)]
pub struct Plugin<'a> {
    /// The plugin object.
    pub at: At<'a>,
    /// What it is attached to.
    pub attached: Attached,
}

/// The `config` fields of Kong's `rate-limiting` schema (and the deprecated `redis_*`
/// shorthands it still accepts).
pub const FIELDS: &[&str] = &[
    "second",
    "minute",
    "hour",
    "day",
    "month",
    "year",
    "limit_by",
    "header_name",
    "path",
    "policy",
    "fault_tolerant",
    "redis",
    "hide_client_headers",
    "error_code",
    "error_message",
    "sync_rate",
    "redis_host",
    "redis_port",
    "redis_password",
    "redis_username",
    "redis_ssl",
    "redis_ssl_verify",
    "redis_server_name",
    "redis_timeout",
    "redis_database",
];

/// The periods in Kong's order (`ORDERED_PERIODS`).
pub const PERIODS: [&str; 6] = ["second", "minute", "hour", "day", "month", "year"];

/// Every plugin object named `rate-limiting` (or a `KongPlugin` of it) under `node`.
pub fn find<'a>(node: At<'a>, attached: Attached, out: &mut Vec<Plugin<'a>>) {
    match &node.node.value {
        Kind::Map(entries) => {
            let named = |k: &str| node.get(k).and_then(|v| v.str(k).ok());
            let plugin = named("name").or_else(|| named("plugin"));
            if plugin.is_some_and(|p| p.starts_with("rate-limiting")) {
                let by_field = if node.get("consumer").is_some() {
                    Attached::Consumer
                } else if node.get("route").is_some() {
                    Attached::Route
                } else if node.get("service").is_some() {
                    Attached::Service
                } else {
                    attached
                };
                out.push(Plugin {
                    at: node,
                    attached: by_field.max(attached),
                });
                return;
            }
            for (k, v) in entries {
                let inner = match k.value.as_str() {
                    "services" => Attached::Service,
                    "routes" => Attached::Route,
                    "consumers" => Attached::Consumer,
                    _ => attached,
                };
                find(At::new(node.file, v), inner.max(attached), out);
            }
        }
        Kind::Seq(items) => {
            for v in items {
                find(At::new(node.file, v), attached, out);
            }
        }
        _ => {}
    }
}

/// The checked `config` of a plugin: its limits `(period, count, where)`, in Kong's order.
pub struct Config<'a> {
    /// Configured periods, each with Kong's count rounded up (a request passes while the
    /// usage is below the limit: `remaining = limit - usage`, refused when `<= 0`).
    pub limits: Vec<(&'static str, u64, At<'a>)>,
    /// `limit_by`.
    pub limit_by: String,
    /// `error_code`.
    pub status: u16,
    /// `policy`.
    pub policy: String,
}

/// Check `config` as Kong's schema does.
pub fn config<'a>(plugin: At<'a>) -> Result<Config<'a>, GatewayError> {
    let c = plugin.get("config").ok_or_else(|| {
        plugin.err("a rate-limiting plugin needs a `config` with at least one of second, minute, hour, day, month, year")
    })?;
    c.only("rate-limiting config", FIELDS)?;
    let mut limits = Vec::new();
    let mut values: Vec<(&str, f64, At<'a>)> = Vec::new();
    for p in PERIODS {
        let Some(v) = c.get(p).filter(|v| v.node.value != Kind::Null) else {
            continue;
        };
        let x = v.number(p)?;
        if x <= 0.0 {
            return Err(v.err(format!("`{p}` must be greater than 0, got {x}")));
        }
        if x > 1e15 {
            return Err(v.err(format!("`{p}` is too large: {x}")));
        }
        values.push((p, x, v));
        limits.push((p, x.ceil() as u64, v));
    }
    if limits.is_empty() {
        return Err(c.err(
            "at least one of these fields must be non-empty: 'second', 'minute', 'hour', 'day', \
             'month', 'year'",
        ));
    }
    // validate_periods_order: a longer period may not have a lower limit
    for (i, (lower, v1, _)) in values.iter().enumerate() {
        for (upper, v2, at) in &values[i + 1..] {
            if v2 < v1 {
                return Err(at.err(format!(
                    "The limit for {upper}({v2:.1}) cannot be lower than the limit for \
                     {lower}({v1:.1})"
                )));
            }
        }
    }
    let text = |k: &str, default: &str| -> Result<String, GatewayError> {
        match c.get(k).filter(|v| v.node.value != Kind::Null) {
            Some(v) => Ok(v.str(k)?.to_string()),
            None => Ok(default.to_string()),
        }
    };
    let limit_by = text("limit_by", "consumer")?;
    let one_of = |k: &str, v: &str, allowed: &[&str]| -> Result<(), GatewayError> {
        if allowed.contains(&v) {
            return Ok(());
        }
        let at = c.get(k).unwrap_or(c);
        Err(at.err(format!(
            "`{k}` must be one of: {} (got `{v}`)",
            allowed.join(", ")
        )))
    };
    one_of(
        "limit_by",
        &limit_by,
        &["consumer", "credential", "ip", "service", "header", "path"],
    )?;
    for (by, field) in [("header", "header_name"), ("path", "path")] {
        if limit_by == by && text(field, "")?.is_empty() {
            return Err(c.err(format!("limit_by = {by} needs `{field}`")));
        }
    }
    let policy = text("policy", "local")?;
    one_of("policy", &policy, &["local", "cluster", "redis"])?;
    let status = match c.get("error_code") {
        None => 429,
        Some(v) => v.int("error_code", 400, 599)? as u16,
    };
    if let Some(s) = c.get("sync_rate") {
        let r = s.number("sync_rate")?;
        if r != -1.0 {
            return Err(s.err(format!(
                "sync_rate {r}: counters are synced with Redis in batches every {r} s, and the \
                 lab has no model of batched counters; use -1 (synchronous) to import"
            )));
        }
    }
    Ok(Config {
        limits,
        limit_by,
        status,
        policy,
    })
}
