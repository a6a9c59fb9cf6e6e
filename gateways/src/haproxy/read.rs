//! The rate-limit rules of an HAProxy configuration: stick tables storing `http_req_rate(<p>)`
//! or `conn_cur`, the `track-scN` rules feeding them, and the `http-request deny` rules whose
//! condition compares a tracked counter (`sc_http_req_rate(0) gt 10`,
//! `sc0_conn_cur ge 20`, inline `{ ... }` or a named `acl`).

use super::syntax::{parse, Word};
use rules::proxy;

mod rules;

use crate::{GatewayError, Pos};
use std::collections::BTreeMap;

/// What a deny rule compares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Counter {
    /// `http_req_rate(<period>)`, the period in milliseconds.
    HttpReqRate(u64),
    /// `conn_cur`: connections open now.
    ConnCur,
}

/// One deny rule on one tracked counter.
#[derive(Clone, Debug, PartialEq)]
pub struct Rule {
    /// The stick table.
    pub table: String,
    /// The table's key type (`ip`, `string`, ...).
    pub key_type: String,
    /// The sample the entry is tracked by (`src`, `req.hdr(x-api-key)`).
    pub key: String,
    /// The counter compared.
    pub counter: Counter,
    /// Deny when the counter is above this.
    pub limit: u64,
    /// `deny_status` (403 by default, as HAProxy).
    pub status: u16,
    /// Where the deny rule is.
    pub from: Pos,
    /// The rule as written.
    pub source: String,
}

/// Everything read.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct HaproxyLimits {
    /// Deny rules, in file order.
    pub rules: Vec<Rule>,
    /// What was read but did not become a rule.
    pub notes: Vec<String>,
}

pub(super) struct Table {
    pub(super) key_type: String,
    pub(super) rate: Option<u64>,
    pub(super) conn_cur: bool,
}

pub(super) struct Cx<'a> {
    pub(super) file: &'a str,
    pub(super) text: &'a str,
}

impl Cx<'_> {
    pub(super) fn err(&self, w: &Word, msg: impl Into<String>) -> GatewayError {
        GatewayError::at(self.file, self.text, w.at, msg)
    }
}

/// HAProxy's time format: a number with an optional unit (`us`, `ms`, `s`, `m`, `h`, `d`),
/// milliseconds when none (src/tools.c `parse_time_err`), in milliseconds.
///
/// ```
/// assert_eq!(gateways::haproxy::parse_time("10s"), Some(10_000));
/// assert_eq!(gateways::haproxy::parse_time("250"), Some(250));
/// assert_eq!(gateways::haproxy::parse_time("1m"), Some(60_000));
/// assert_eq!(gateways::haproxy::parse_time("soon"), None);
/// ```
pub fn parse_time(s: &str) -> Option<u64> {
    let digits = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let n: u64 = s[..digits].parse().ok()?;
    let mult = match &s[digits..] {
        "" | "ms" => 1,
        "s" => 1000,
        "m" => 60_000,
        "h" => 3_600_000,
        "d" => 86_400_000,
        _ => return None,
    };
    n.checked_mul(mult)
}

/// Read the rules of `text`.
pub fn read(file: &str, text: &str) -> Result<HaproxyLimits, GatewayError> {
    let cx = Cx { file, text };
    let sections = parse(file, text)?;
    let mut tables = BTreeMap::new();
    for s in &sections {
        for l in &s.lines {
            if l[0].text == "stick-table" {
                if !matches!(s.kind(), "frontend" | "backend" | "listen") {
                    return Err(cx.err(&l[0], format!("`stick-table` in a `{}` section: expected it in a frontend, backend or listen", s.kind())));
                }
                tables.insert(s.name().to_string(), table(&cx, l)?);
            }
        }
    }
    let mut out = HaproxyLimits::default();
    for s in sections
        .iter()
        .filter(|s| matches!(s.kind(), "frontend" | "listen"))
    {
        proxy(&cx, s, &tables, &mut out)?;
    }
    Ok(out)
}

fn table(cx: &Cx, l: &[Word]) -> Result<Table, GatewayError> {
    let mut t = Table {
        key_type: String::new(),
        rate: None,
        conn_cur: false,
    };
    let mut i = 1;
    while i < l.len() {
        let w = &l[i];
        let arg = || {
            l.get(i + 1)
                .ok_or_else(|| cx.err(w, format!("`{}` needs a value", w.text)))
        };
        match w.text.as_str() {
            "type" => {
                t.key_type = arg()?.text.clone();
                i += 2;
                // `len <n>` may follow string/binary types
                continue;
            }
            "len" | "size" | "expire" | "peers" | "srvkey" | "write-to" | "recv-only" => {
                arg()?;
                i += 2;
                continue;
            }
            "nopurge" => {}
            "store" => {
                let v = arg()?;
                for item in v.text.split(',') {
                    if let Some(p) = item.strip_prefix("http_req_rate(").and_then(|r| r.strip_suffix(')')) {
                        let ms = parse_time(p).filter(|ms| *ms > 0).ok_or_else(|| {
                            cx.err(v, format!("invalid period \"{p}\" in http_req_rate: expected a time such as 10s"))
                        })?;
                        t.rate = Some(ms);
                    } else if item == "conn_cur" {
                        t.conn_cur = true;
                    }
                }
                i += 2;
                continue;
            }
            other => {
                return Err(cx.err(w, format!("unknown stick-table argument `{other}`: expected type, len, size, expire, nopurge, peers or store")))
            }
        }
        i += 1;
    }
    if t.key_type.is_empty() {
        return Err(cx.err(
            &l[0],
            "`stick-table` needs `type` (ip, ipv6, integer, string or binary)",
        ));
    }
    Ok(t)
}
