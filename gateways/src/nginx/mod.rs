//! nginx: `limit_req_zone` / `limit_req` / `limit_req_status` and `limit_conn_zone` /
//! `limit_conn` / `limit_conn_status`, read from a configuration file into levels, and written
//! back.
//!
//! A `limit_req` becomes a level of the `nginx_limit_req` algorithm (nginx's own arithmetic,
//! see `limiters::NginxLimitReq`), a `limit_conn` a `concurrency` level. The zone's key decides
//! the scope: a key made of variables (`$binary_remote_addr`, `$http_x_api_key`, ...) is one
//! state per client (`scope = "key"`), a key naming the server (`$server_name`, `$host`) or a
//! constant is one state for everything (`scope = "global"`). Rejections answer 503 unless
//! `limit_req_status` / `limit_conn_status` say otherwise (nginx's default, module line 825).

mod export;
mod read;
pub mod syntax;

pub use export::export;
pub use read::{read, ConnLimit, NginxLimits, ReqLimit};

use crate::{Dialect, GatewayError, Imported, ImportedLevel};

/// Whether `text` looks like an nginx configuration.
pub(crate) fn sniff(text: &str) -> bool {
    text.contains("limit_req") || text.contains("limit_conn")
}

/// Read `text` (the file `file`) into levels.
pub fn import(file: &str, text: &str) -> Result<Imported, GatewayError> {
    let limits = read(file, text)?;
    let mut out = Imported::new(Dialect::Nginx);
    out.notes = limits.notes.clone();
    for r in &limits.req {
        let mut t = toml::Table::new();
        t.insert("scope".into(), scope(&r.key).into());
        t.insert("algorithm".into(), "nginx_limit_req".into());
        t.insert("rate".into(), r.rate.clone().into());
        if r.burst > 0 {
            t.insert("burst".into(), (r.burst as i64).into());
        }
        match r.delay {
            None => {
                t.insert("nodelay".into(), true.into());
            }
            Some(0) => {}
            Some(d) => {
                t.insert("delay".into(), (d as i64).into());
            }
        }
        t.insert("status".into(), i64::from(r.status).into());
        out.levels.push(ImportedLevel {
            table: t,
            from: r.from.clone(),
            source: r.source.clone(),
        });
    }
    for c in &limits.conn {
        let mut t = toml::Table::new();
        t.insert("scope".into(), scope(&c.key).into());
        t.insert("algorithm".into(), "concurrency".into());
        t.insert("max".into(), (c.max as i64).into());
        t.insert("status".into(), i64::from(c.status).into());
        out.levels.push(ImportedLevel {
            table: t,
            from: c.from.clone(),
            source: c.source.clone(),
        });
    }
    Ok(out)
}

/// The lab scope of an nginx zone key.
///
/// ```
/// use gateways::nginx::scope;
/// assert_eq!(scope("$binary_remote_addr"), "key");
/// assert_eq!(scope("$server_name"), "global");
/// assert_eq!(scope("all"), "global");
/// ```
pub fn scope(key: &str) -> &'static str {
    const SERVER_WIDE: &[&str] = &["$server_name", "$host", "$http_host", "$server_addr"];
    if !key.contains('$') || SERVER_WIDE.contains(&key) {
        "global"
    } else {
        "key"
    }
}

#[cfg(test)]
mod tests;
