//! HAProxy: stick tables storing `http_req_rate(<period>)` / `conn_cur`, the `track-scN`
//! rules that feed them, and the `http-request deny [deny_status N] if { ... }` rules that
//! use them, read into levels and written back.
//!
//! A rate rule becomes a level of `haproxy_http_req_rate` (HAProxy's frequency counter, see
//! `limiters::HaproxyRate`: a sliding estimate, and denied requests count), a `conn_cur`
//! rule a `concurrency` level. A tracked key that names the client (`src`, a header, a
//! cookie) is `scope = "key"`; anything else is one state for all (`"global"`). HAProxy
//! denies with 403 unless `deny_status` says otherwise.

mod export;
mod read;
pub mod syntax;

pub use export::export;
pub use read::{parse_time, read, Counter, HaproxyLimits, Rule};

use crate::{Dialect, GatewayError, Imported, ImportedLevel};

/// Whether `text` looks like an HAProxy configuration.
pub(crate) fn sniff(text: &str) -> bool {
    text.contains("stick-table") || text.contains("frontend ") || text.contains("backend ")
}

/// The lab scope of a tracked sample.
///
/// ```
/// use gateways::haproxy::scope;
/// assert_eq!(scope("src"), "key");
/// assert_eq!(scope("req.hdr(x-api-key)"), "key");
/// assert_eq!(scope("str(all)"), "global");
/// ```
pub fn scope(sample: &str) -> &'static str {
    if sample.starts_with("str(")
        || sample.starts_with("int(")
        || sample == "fe_id"
        || sample == "be_id"
    {
        "global"
    } else {
        "key"
    }
}

/// Read `text` (the file `file`) into levels.
pub fn import(file: &str, text: &str) -> Result<Imported, GatewayError> {
    let limits = read(file, text)?;
    let mut out = Imported::new(Dialect::Haproxy);
    out.notes = limits.notes.clone();
    let mut seen_rate = std::collections::BTreeSet::new();
    for r in &limits.rules {
        let mut t = toml::Table::new();
        t.insert("scope".into(), scope(&r.key).into());
        match r.counter {
            Counter::HttpReqRate(ms) => {
                if !seen_rate.insert(r.table.clone()) {
                    out.notes.push(format!(
                        "{}: a second rule on table `{}`'s http_req_rate: the lab counts each level's requests on its own",
                        r.from, r.table
                    ));
                }
                t.insert("algorithm".into(), "haproxy_http_req_rate".into());
                t.insert("period".into(), format!("{ms}ms").into());
                t.insert("limit".into(), (r.limit as i64).into());
            }
            Counter::ConnCur => {
                t.insert("algorithm".into(), "concurrency".into());
                t.insert("max".into(), (r.limit as i64).into());
            }
        }
        t.insert("status".into(), i64::from(r.status).into());
        out.levels.push(ImportedLevel {
            table: t,
            from: r.from.clone(),
            source: r.source.clone(),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests;
