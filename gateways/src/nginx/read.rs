//! The rate-limit directives of an nginx configuration, checked as nginx checks them at
//! start (`ngx_http_limit_req_zone`, `ngx_http_limit_req` in ngx_http_limit_req_module.c:
//! a zone needs `zone=name:size` and `rate=`; `burst`, `delay` must be above 0; a `limit_req`
//! names a zone defined by `limit_req_zone`).

use super::syntax::{parse, Directive, Word};
use crate::{GatewayError, Pos};
use std::collections::BTreeMap;

/// One `limit_req`, with its zone.
#[derive(Clone, Debug, PartialEq)]
pub struct ReqLimit {
    /// Zone name.
    pub zone: String,
    /// The zone's key (`$binary_remote_addr`).
    pub key: String,
    /// The zone's rate as written (`10r/s`).
    pub rate: String,
    /// `burst=`.
    pub burst: u64,
    /// `delay=`; `None` for `nodelay`.
    pub delay: Option<u64>,
    /// `limit_req_status` in force (503 by default).
    pub status: u16,
    /// Where the `limit_req` is.
    pub from: Pos,
    /// The directive as written.
    pub source: String,
}

/// One `limit_conn`, with its zone.
#[derive(Clone, Debug, PartialEq)]
pub struct ConnLimit {
    /// Zone name.
    pub zone: String,
    /// The zone's key.
    pub key: String,
    /// Connections at once.
    pub max: u64,
    /// `limit_conn_status` in force (503 by default).
    pub status: u16,
    /// Where the `limit_conn` is.
    pub from: Pos,
    /// The directive as written.
    pub source: String,
}

/// Everything about rate limits in one nginx configuration.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct NginxLimits {
    /// `limit_req` directives, in file order.
    pub req: Vec<ReqLimit>,
    /// `limit_conn` directives, in file order.
    pub conn: Vec<ConnLimit>,
    /// What was read but does not become a level.
    pub notes: Vec<String>,
}

struct Zone {
    key: String,
    rate: String,
}

struct Cx<'a> {
    file: &'a str,
    text: &'a str,
    req_zones: BTreeMap<String, Zone>,
    conn_zones: BTreeMap<String, String>,
    out: NginxLimits,
    /// Blocks holding a `limit_req`.
    req_blocks: usize,
}

impl Cx<'_> {
    fn err(&self, w: &Word, msg: impl Into<String>) -> GatewayError {
        GatewayError::at(self.file, self.text, w.at, msg)
    }
    fn source(&self, d: &Directive) -> String {
        let words: Vec<&str> = d.words.iter().map(|w| w.text.as_str()).collect();
        format!("{};", words.join(" "))
    }
}

/// Read the rate-limit directives of `text`.
pub fn read(file: &str, text: &str) -> Result<NginxLimits, GatewayError> {
    let tree = parse(file, text)?;
    let mut cx = Cx {
        file,
        text,
        req_zones: BTreeMap::new(),
        conn_zones: BTreeMap::new(),
        out: NginxLimits::default(),
        req_blocks: 0,
    };
    zones(&mut cx, &tree)?;
    limits(&mut cx, &tree, 503, 503)?;
    if cx.req_blocks > 1 {
        cx.out.notes.push(format!(
            "limit_req in {} blocks: the lab applies every one to every request, nginx those of the request's location (a block's own limit_req replace the enclosing block's)",
            cx.req_blocks
        ));
    }
    Ok(cx.out)
}

/// Every `limit_req_zone` and `limit_conn_zone`, wherever it is.
fn zones(cx: &mut Cx, list: &[Directive]) -> Result<(), GatewayError> {
    for d in list {
        match d.name() {
            "limit_req_zone" => req_zone(cx, d)?,
            "limit_conn_zone" => {
                let [key, zone] = d.args() else {
                    return Err(cx.err(
                        &d.words[0],
                        "`limit_conn_zone` takes a key and zone=name:size",
                    ));
                };
                let name = zone_name(cx, zone)?;
                cx.conn_zones.insert(name, key.text.clone());
            }
            _ => {}
        }
        if let Some(b) = &d.block {
            zones(cx, b)?;
        }
    }
    Ok(())
}

fn zone_name(cx: &Cx, w: &Word) -> Result<String, GatewayError> {
    let Some(spec) = w.text.strip_prefix("zone=") else {
        return Err(cx.err(w, format!("expected zone=name:size, got `{}`", w.text)));
    };
    match spec.split_once(':') {
        Some((name, size)) if !name.is_empty() && !size.is_empty() => Ok(name.to_string()),
        _ => Err(cx.err(
            w,
            format!(
                "invalid zone size \"{}\": expected zone=name:size such as zone=one:10m",
                w.text
            ),
        )),
    }
}

fn req_zone(cx: &mut Cx, d: &Directive) -> Result<(), GatewayError> {
    let args = d.args();
    let Some(key) = args.first() else {
        return Err(cx.err(
            &d.words[0],
            "`limit_req_zone` takes a key, zone=name:size and rate=N r/s",
        ));
    };
    let (mut name, mut rate) = (None, None);
    for w in &args[1..] {
        if w.text.starts_with("zone=") {
            name = Some(zone_name(cx, w)?);
        } else if let Some(r) = w.text.strip_prefix("rate=") {
            limiters::nginx_rate(r).map_err(|_| {
                cx.err(w, format!("invalid rate \"{}\": expected rate=N r/s or rate=N r/m with N a whole number above 0", w.text))
            })?;
            rate = Some(r.to_string());
        } else {
            return Err(cx.err(
                w,
                format!("invalid parameter \"{}\": expected zone= or rate=", w.text),
            ));
        }
    }
    let name = name.ok_or_else(|| {
        cx.err(
            &d.words[0],
            "\"limit_req_zone\" must have \"zone\" parameter",
        )
    })?;
    let rate = rate.ok_or_else(|| {
        cx.err(
            &d.words[0],
            "\"limit_req_zone\" must have \"rate\" parameter (nginx would take 1r/s)",
        )
    })?;
    cx.req_zones.insert(
        name,
        Zone {
            key: key.text.clone(),
            rate,
        },
    );
    Ok(())
}

/// `limit_req` / `limit_conn` directives, with the status in force in their context.
fn limits(
    cx: &mut Cx,
    list: &[Directive],
    req_status: u16,
    conn_status: u16,
) -> Result<(), GatewayError> {
    // a status set in this block applies to all of it, before or after the limit
    let (mut rs, mut cs) = (req_status, conn_status);
    for d in list {
        match d.name() {
            "limit_req_status" => rs = status(cx, d)?,
            "limit_conn_status" => cs = status(cx, d)?,
            "limit_req_dry_run" if d.args().first().is_some_and(|w| w.text == "on") => {
                return Err(cx.err(&d.words[0], "`limit_req_dry_run on` enforces nothing (nginx only logs): turn it off to import the limits"));
            }
            _ => {}
        }
    }
    if list.iter().any(|d| d.name() == "limit_req") {
        cx.req_blocks += 1;
    }
    for d in list {
        match d.name() {
            "limit_req" => req(cx, d, rs)?,
            "limit_conn" => conn(cx, d, cs)?,
            _ => {}
        }
        if let Some(b) = &d.block {
            limits(cx, b, rs, cs)?;
        }
    }
    Ok(())
}

fn status(cx: &Cx, d: &Directive) -> Result<u16, GatewayError> {
    let bad = |w: &Word| {
        cx.err(
            w,
            format!("value must be between 400 and 599, got \"{}\"", w.text),
        )
    };
    let [w] = d.args() else {
        return Err(cx.err(&d.words[0], format!("`{}` takes one status code", d.name())));
    };
    match w.text.parse::<u16>() {
        Ok(s) if (400..=599).contains(&s) => Ok(s),
        _ => Err(bad(w)),
    }
}

fn positive(cx: &Cx, w: &Word, value: &str, what: &str) -> Result<u64, GatewayError> {
    match value.parse::<u64>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(cx.err(
            w,
            format!(
                "invalid {what} value \"{}\": expected a whole number above 0",
                w.text
            ),
        )),
    }
}

fn req(cx: &mut Cx, d: &Directive, status: u16) -> Result<(), GatewayError> {
    let (mut zone, mut burst, mut delay) = (None, 0, Some(0));
    for w in d.args() {
        if let Some(z) = w.text.strip_prefix("zone=") {
            let Some(zd) = cx.req_zones.get(z) else {
                return Err(cx.err(
                    w,
                    format!("zone \"{z}\" is not defined by any limit_req_zone in this file"),
                ));
            };
            zone = Some((z.to_string(), zd.key.clone(), zd.rate.clone()));
        } else if let Some(b) = w.text.strip_prefix("burst=") {
            burst = positive(cx, w, b, "burst")?;
        } else if let Some(v) = w.text.strip_prefix("delay=") {
            delay = Some(positive(cx, w, v, "delay")?);
        } else if w.text == "nodelay" {
            delay = None;
        } else {
            return Err(cx.err(
                w,
                format!(
                    "invalid parameter \"{}\": expected zone=, burst=, delay= or nodelay",
                    w.text
                ),
            ));
        }
    }
    let Some((zone, key, rate)) = zone else {
        return Err(cx.err(&d.words[0], "\"limit_req\" must have \"zone\" parameter"));
    };
    let source = cx.source(d);
    cx.out.req.push(ReqLimit {
        zone,
        key,
        rate,
        burst,
        delay,
        status,
        from: Pos::at(cx.file, cx.text, d.words[0].at),
        source,
    });
    Ok(())
}

fn conn(cx: &mut Cx, d: &Directive, status: u16) -> Result<(), GatewayError> {
    let [zone, n] = d.args() else {
        return Err(cx.err(
            &d.words[0],
            "`limit_conn` takes a zone name and a number, such as `limit_conn addr 10;`",
        ));
    };
    let Some(key) = cx.conn_zones.get(&zone.text).cloned() else {
        return Err(cx.err(
            zone,
            format!(
                "zone \"{}\" is not defined by any limit_conn_zone in this file",
                zone.text
            ),
        ));
    };
    let max = positive(cx, n, &n.text, "number of connections")?;
    let source = cx.source(d);
    cx.out.conn.push(ConnLimit {
        zone: zone.text.clone(),
        key,
        max,
        status,
        from: Pos::at(cx.file, cx.text, d.words[0].at),
        source,
    });
    Ok(())
}
