//! `[server]`: limiter levels (checked through [`limiters::Registry`] at load time, so an
//! impossible parameter is an error with the line of that parameter), the backend, the header
//! dialect.

use super::cx::{Cx, R};
use super::dist::dist;
use super::level_opts::DIALECTS;
use super::problems::Problems;
use crate::model::{Backend, Level, RetryAfterFormat, Scope, Server};
use crate::scenario::spec::{LimiterTable, ServerSpec};
use limiters::{LimiterError, ParamValue, Params, Registry};
use std::ops::Range;
use toml::Spanned;

/// The scopes of a limiter level (`tenant` and `org` are one).
pub const SCOPES: &[&str] = &["global", "key", "tenant", "org"];
/// Keys of a limiter table that are not the algorithm's parameters (besides
/// [`super::level_opts::LEVEL_KEYS`]).
pub const RESERVED: &[&str] = &["scope", "algorithm", "status"];

/// Validate `[server]`. `epoch` (Unix seconds at t = 0) is given to algorithms that take an
/// `epoch` parameter (calendar quotas) unless the level sets its own. `fleet_names` are the
/// scenario's fleets, which a level's `fleets` may name.
pub(crate) fn server(
    cx: &Cx,
    s: &ServerSpec,
    registry: &Registry,
    epoch: i64,
    fleet_names: &[&str],
) -> R<Server> {
    let mut out = Server::default();
    if let Some(d) = &s.dialect {
        if !DIALECTS.contains(&d.get_ref().as_str()) {
            return Err(cx.unknown(d, "header dialect", DIALECTS));
        }
        out.dialect = d.get_ref().clone();
    }
    if let Some(r) = &s.retry_after {
        out.retry_after = match r.get_ref().as_str() {
            "seconds" => RetryAfterFormat::Seconds,
            "http-date" => RetryAfterFormat::HttpDate,
            _ => return Err(cx.unknown(r, "retry_after format", &["seconds", "http-date"])),
        };
    }
    // Every level is checked, each problem noted (a scenario's levels are independent).
    let mut p = Problems::default();
    for table in &s.limiters {
        let Some(tables) = p.take(expand_from(cx, table)) else {
            continue;
        };
        for table in tables {
            if let Some(l) = p.take(level(cx, &table, registry, epoch, fleet_names)) {
                out.levels.push(l);
            }
        }
    }
    p.finish()?;
    if let Some(b) = &s.backend {
        let b = b.get_ref();
        let mut backend = Backend::instant();
        backend.workers = b
            .workers
            .as_ref()
            .map(|w| cx.int(w, "workers", 1, u32::MAX as i64))
            .transpose()?;
        backend.queue = cx.int_or(&b.queue, "queue", 0, u32::MAX as i64, 0)?;
        backend.queue_timeout = cx.positive_opt(&b.queue_timeout, "queue_timeout")?;
        backend.deadline = cx.positive_opt(&b.deadline, "deadline")?;
        if let Some(st) = &b.service_time {
            backend.service_time = dist(cx, st)?;
        }
        if backend.workers.is_none() {
            if let Some(q) = &b.queue {
                return Err(cx.err(
                    q.span(),
                    "`queue` needs `workers`: without a worker limit nothing ever queues",
                ));
            }
        }
        out.backend = backend;
    }
    Ok(out)
}

/// A table with `from = "gateway.conf"` becomes the tables that file stands for (see
/// [`crate::scenario::LevelSource`]); the table's other keys (`fleets`, `status`, ...) are set
/// on each of them. Their values carry the `from` value's span, so a problem with an imported
/// level points at the line that imported it.
fn expand_from(cx: &Cx, t: &Spanned<LimiterTable>) -> R<Vec<Spanned<LimiterTable>>> {
    let Some(from) = t.get_ref().get("from") else {
        return Ok(vec![t.clone()]);
    };
    let Some(path) = from.get_ref().as_str() else {
        return Err(cx.err(
            from.span(),
            "`from` must be a string: the path of a gateway configuration such as \"nginx.conf\"",
        ));
    };
    let tables = crate::scenario::from::resolve(cx.file, path)
        .map_err(|msg| cx.err(from.span(), format!("from \"{path}\": {msg}")))?;
    let mut out = Vec::new();
    for table in tables {
        let mut map: LimiterTable = table
            .into_iter()
            .map(|(k, v)| (k, Spanned::new(from.span(), v)))
            .collect();
        for (k, v) in t.get_ref().iter().filter(|(k, _)| k.as_str() != "from") {
            map.insert(k.clone(), v.clone());
        }
        out.push(Spanned::new(t.span(), map));
    }
    Ok(out)
}

/// One `[[server.limiters]]` table into a [`Level`], built once through the registry so that
/// every parameter is checked now rather than when the run starts.
fn level(
    cx: &Cx,
    t: &Spanned<LimiterTable>,
    registry: &Registry,
    epoch: i64,
    fleet_names: &[&str],
) -> R<Level> {
    let header = t.span();
    let map = t.get_ref();
    let string = |key: &str| -> R<Option<&Spanned<toml::Value>>> {
        match map.get(key) {
            Some(v) if v.get_ref().as_str().is_none() => Err(cx.err(
                v.span(),
                format!("`{key}` must be a string, got {}", v.get_ref().type_str()),
            )),
            other => Ok(other),
        }
    };
    let missing = |key: &str, what: &str| {
        cx.err(
            header.clone(),
            format!("limiter level is missing `{key}` ({what})"),
        )
    };
    let scope_v =
        string("scope")?.ok_or_else(|| missing("scope", "one of: global, key, tenant, org"))?;
    let scope = match scope_v.get_ref().as_str().unwrap_or_default() {
        "global" => Scope::Global,
        "key" => Scope::Key,
        "tenant" | "org" => Scope::Tenant,
        other => {
            return Err(cx.err(
                scope_v.span(),
                format!(
                    "unknown scope `{other}` (expected one of: {})",
                    SCOPES.join(", ")
                ),
            ))
        }
    };
    let algo_v = string("algorithm")?.ok_or_else(|| {
        let known: Vec<_> = registry.names().collect();
        missing("algorithm", &format!("one of: {}", known.join(", ")))
    })?;
    let algorithm = algo_v.get_ref().as_str().unwrap_or_default().to_string();
    let status = match map.get("status") {
        None => 429,
        Some(v) => match v.get_ref().as_integer() {
            Some(i) => cx.error_status(&Spanned::new(v.span(), i), "status")?,
            None => return Err(cx.err(v.span(), "`status` must be a whole number such as 429")),
        },
    };
    let entry = registry.get(&algorithm).map_err(|e| {
        let hint = super::cx::did_you_mean(&algorithm, registry.names());
        let msg = e.to_string().replacen(
            &format!("`{algorithm}`"),
            &format!("`{algorithm}`{hint}"),
            1,
        );
        cx.err(algo_v.span(), msg)
    })?;
    let mut params = Params::new();
    let opts = super::level_opts::level_opts(cx, map, fleet_names)?;
    let own = |k: &str| RESERVED.contains(&k) || super::level_opts::LEVEL_KEYS.contains(&k);
    for (key, value) in map.iter().filter(|(k, _)| !own(k.as_str())) {
        params.insert(key, param_value(cx, key, value)?);
    }
    if params.get("epoch").is_none() && entry.params.iter().any(|p| p.name == "epoch") {
        params.insert("epoch", epoch);
    }
    registry
        .build(&algorithm, &params)
        .map_err(|e| param_error(cx, &algorithm, map, header, &e))?;
    Ok(Level {
        scope,
        algorithm,
        params,
        status,
        retry_after: opts.retry_after,
        charge: opts.charge,
        fleets: opts.fleets,
        dialect: opts.dialect,
        policy: opts.policy,
        keys: opts.keys,
    })
}

fn param_value(cx: &Cx, key: &str, v: &Spanned<toml::Value>) -> R<ParamValue> {
    Ok(match v.get_ref() {
        toml::Value::Integer(i) => ParamValue::Int(*i),
        toml::Value::Float(f) => ParamValue::Float(*f),
        toml::Value::String(s) => ParamValue::Str(s.clone()),
        toml::Value::Boolean(b) => ParamValue::Bool(*b),
        other => {
            return Err(cx.err(
                v.span(),
                format!(
                    "limiter parameter `{key}` must be a number, a string or a boolean, got {}",
                    other.type_str()
                ),
            ))
        }
    })
}

/// Point a registry error at the parameter it names, or at the table when it names none or
/// the parameter is absent.
fn param_error(
    cx: &Cx,
    algorithm: &str,
    map: &LimiterTable,
    header: Range<usize>,
    e: &LimiterError,
) -> crate::scenario::ScenarioError {
    let span = e
        .param()
        .and_then(|p| map.get(p))
        .map_or(header, Spanned::span);
    cx.err(span, format!("{algorithm}: {e}"))
}
