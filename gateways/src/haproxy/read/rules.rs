//! A proxy section's rules: its `track-scN` lines and the `http-request deny` (or
//! `tcp-request`) rules whose conditions read a tracked counter (`sc_http_req_rate`,
//! `sc_conn_cur`), named acls resolved, each into a [`Rule`].

use super::{Counter, Cx, HaproxyLimits, Rule, Table};
use crate::haproxy::syntax::{Section, Word};
use crate::{GatewayError, Pos};
use std::collections::BTreeMap;

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

pub(super) fn proxy(
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
