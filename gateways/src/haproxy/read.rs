//! The rate-limit rules of an HAProxy configuration: stick tables storing `http_req_rate(<p>)`
//! or `conn_cur`, the `track-scN` rules feeding them, and the `http-request deny` rules whose
//! condition compares a tracked counter (`sc_http_req_rate(0) gt 10`,
//! `sc0_conn_cur ge 20`, inline `{ ... }` or a named `acl`).

use super::syntax::{parse, Section, Word};
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

struct Table {
    key_type: String,
    rate: Option<u64>,
    conn_cur: bool,
}

struct Cx<'a> {
    file: &'a str,
    text: &'a str,
}

impl Cx<'_> {
    fn err(&self, w: &Word, msg: impl Into<String>) -> GatewayError {
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

/// (sc index, table name override, counter) of a criterion such as `sc_http_req_rate(0)`,
/// `sc0_http_req_rate(tbl)` or `sc1_conn_cur`.
fn criterion(cx: &Cx, w: &Word) -> Result<Option<(usize, Option<String>, bool)>, GatewayError> {
    let t = w.text.as_str();
    let (name, args) = match t.split_once('(') {
        Some((n, rest)) => match rest.strip_suffix(')') {
            Some(a) => (n, Some(a)),
            None => return Err(cx.err(w, format!("`{t}`: expected a closing parenthesis"))),
        },
        None => (t, None),
    };
    let (idx, field, table) = if let Some(field) = name.strip_prefix("sc_") {
        let args =
            args.ok_or_else(|| cx.err(w, format!("`{name}` needs the counter number: {name}(0)")))?;
        let (n, tbl) = match args.split_once(',') {
            Some((n, tbl)) => (n, Some(tbl.to_string())),
            None => (args, None),
        };
        let n: usize = n
            .trim()
            .parse()
            .map_err(|_| cx.err(w, format!("`{t}`: expected a counter number such as 0")))?;
        (n, field, tbl)
    } else if let Some(rest) = name.strip_prefix("sc") {
        let Some((n, field)) = rest.split_once('_') else {
            return Ok(None);
        };
        let Ok(n) = n.parse::<usize>() else {
            return Ok(None);
        };
        (n, field, args.map(str::to_string))
    } else {
        return Ok(None);
    };
    match field {
        "http_req_rate" => Ok(Some((idx, table, true))),
        "conn_cur" => Ok(Some((idx, table, false))),
        _ => Ok(None),
    }
}

struct Track {
    key: String,
    table: Option<String>,
}

fn proxy(
    cx: &Cx,
    s: &Section,
    tables: &BTreeMap<String, Table>,
    out: &mut HaproxyLimits,
) -> Result<(), GatewayError> {
    let mut tracks: BTreeMap<usize, Track> = BTreeMap::new();
    let mut acls: BTreeMap<String, Vec<Word>> = BTreeMap::new();
    for l in &s.lines {
        let words: Vec<&str> = l.iter().map(|w| w.text.as_str()).collect();
        match words.as_slice() {
            ["acl", name, rest @ ..] if !rest.is_empty() => {
                acls.entry(name.to_string())
                    .or_insert_with(|| l[2..].to_vec());
            }
            ["http-request" | "tcp-request", ..] => {
                let verb_at = if words[0] == "tcp-request" { 2 } else { 1 };
                let Some(verb) = l.get(verb_at) else { continue };
                if let Some(n) = verb.text.strip_prefix("track-sc") {
                    let n: usize = n
                        .parse()
                        .map_err(|_| cx.err(verb, "expected track-sc0, track-sc1 or track-sc2"))?;
                    let key = l
                        .get(verb_at + 1)
                        .ok_or_else(|| cx.err(verb, "`track-sc` needs a sample such as `src`"))?;
                    let table = l
                        .iter()
                        .position(|w| w.text == "table")
                        .and_then(|i| l.get(i + 1))
                        .map(|w| w.text.clone());
                    tracks.insert(
                        n,
                        Track {
                            key: key.text.clone(),
                            table,
                        },
                    );
                } else if verb.text == "deny" && words[0] == "http-request" {
                    deny(cx, s, l, &tracks, &acls, tables, out)?;
                }
            }
            _ => {}
        }
    }
    Ok(())
}

fn deny(
    cx: &Cx,
    s: &Section,
    l: &[Word],
    tracks: &BTreeMap<usize, Track>,
    acls: &BTreeMap<String, Vec<Word>>,
    tables: &BTreeMap<String, Table>,
    out: &mut HaproxyLimits,
) -> Result<(), GatewayError> {
    let source = l
        .iter()
        .map(|w| w.text.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    let mut status = 403;
    if let Some(i) = l.iter().position(|w| w.text == "deny_status") {
        let v = l
            .get(i + 1)
            .ok_or_else(|| cx.err(&l[i], "`deny_status` needs a status code"))?;
        status = v
            .text
            .parse()
            .ok()
            .filter(|s| (200..=599).contains(s))
            .ok_or_else(|| {
                cx.err(
                    v,
                    format!(
                        "invalid deny_status \"{}\": expected an HTTP status such as 429",
                        v.text
                    ),
                )
            })?;
    }
    let Some(cond_at) = l.iter().position(|w| w.text == "if" || w.text == "unless") else {
        out.notes.push(format!(
            "{}: `{source}` denies every request; not a rate limit, skipped",
            Pos::at(cx.file, cx.text, l[0].at)
        ));
        return Ok(());
    };
    if l[cond_at].text == "unless" {
        return Err(cx.err(&l[cond_at], "`unless` conditions are not read: write the limit as `if { sc_http_req_rate(0) gt N }`"));
    }
    let cond = &l[cond_at + 1..];
    let term: Vec<Word> =
        match cond {
            [open, inner @ .., close] if open.text == "{" && close.text == "}" => inner.to_vec(),
            [name] => match acls.get(&name.text) {
                Some(t) => t.clone(),
                None => {
                    return Err(cx.err(
                        name,
                        format!("acl `{}` is not defined in this section", name.text),
                    ))
                }
            },
            [] => return Err(cx.err(&l[cond_at], "expected a condition after `if`")),
            _ => return Err(cx.err(
                &cond[0],
                "only a single condition is read: `if { sc_http_req_rate(0) gt N }` or `if <acl>`",
            )),
        };
    let [crit, op, value] = term.as_slice() else {
        if let Some(first) = term.first() {
            if criterion(cx, first)?.is_some() {
                return Err(cx.err(first, "expected `<counter> gt <N>` or `<counter> ge <N>`"));
            }
        }
        out.notes.push(format!(
            "{}: `{source}` does not compare a tracked rate or connection count; skipped",
            Pos::at(cx.file, cx.text, l[0].at)
        ));
        return Ok(());
    };
    let Some((idx, table_override, is_rate)) = criterion(cx, crit)? else {
        out.notes.push(format!(
            "{}: `{source}` does not compare a tracked rate or connection count; skipped",
            Pos::at(cx.file, cx.text, l[0].at)
        ));
        return Ok(());
    };
    let n: u64 = value.text.parse().map_err(|_| {
        cx.err(
            value,
            format!("expected a whole number, got `{}`", value.text),
        )
    })?;
    let limit = match op.text.as_str() {
        "gt" => n,
        "ge" if n > 0 => n - 1,
        "ge" => return Err(cx.err(value, "`ge 0` denies every request")),
        other => {
            return Err(cx.err(
                op,
                format!("operator `{other}`: a limit denies above a value, expected gt or ge"),
            ))
        }
    };
    let track = tracks.get(&idx).ok_or_else(|| {
        cx.err(crit, format!("counter {idx} is not tracked before this rule: expected `http-request track-sc{idx} <sample>` above it"))
    })?;
    let table_name = table_override
        .or_else(|| track.table.clone())
        .unwrap_or_else(|| s.name().to_string());
    let table = tables
        .get(&table_name)
        .ok_or_else(|| cx.err(crit, format!("no stick-table in `{table_name}`")))?;
    let counter = if is_rate {
        Counter::HttpReqRate(table.rate.ok_or_else(|| {
            cx.err(crit, format!("table `{table_name}` does not store http_req_rate: add `store http_req_rate(10s)` to its stick-table"))
        })?)
    } else {
        if !table.conn_cur {
            return Err(cx.err(crit, format!("table `{table_name}` does not store conn_cur: add `store conn_cur` to its stick-table")));
        }
        Counter::ConnCur
    };
    out.rules.push(Rule {
        table: table_name,
        key_type: table.key_type.clone(),
        key: track.key.clone(),
        counter,
        limit,
        status,
        from: Pos::at(cx.file, cx.text, l[0].at),
        source,
    });
    Ok(())
}
