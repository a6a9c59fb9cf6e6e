//! `[fleet.<name>]`: a fleet of identical clients and its arrival process.

use super::cx::{sp, Cx, Variant, R};
use super::dist::dist;
use super::retry::retry;
use crate::model::{Arrival, Distribution, Fleet, Keys};
use crate::scenario::spec::{ArrivalSpec, FleetSpec, Opt};
use crate::scenario::{Dur, RateValue};
use limiters::{Nanos, Rate};
use toml::Spanned;

/// The arrival processes (`process = "..."`).
pub const PROCESSES: &[&str] = &[
    "poisson",
    "constant",
    "on_off",
    "cron",
    "diurnal",
    "piecewise",
    "closed",
];

/// Most clients one fleet may have (the model caps the total at 2^31).
const MAX_CLIENTS: i64 = 10_000_000;

/// Validate one fleet.
pub(crate) fn fleet(cx: &Cx, name: &str, f: &Spanned<FleetSpec>) -> R<Fleet> {
    let f = f.get_ref();
    let count = cx.int(&f.count, "count", 1, MAX_CLIENTS)?;
    let mut out = Fleet::new(name, count, arrival(cx, &f.arrival)?);
    if let Some(k) = &f.keys {
        out.keys = match k.get_ref() {
            toml::Value::String(s) if s == "per-client" => Keys::PerClient,
            toml::Value::Integer(n) => {
                Keys::Shared(cx.int(&Spanned::new(k.span(), *n), "keys", 1, u32::MAX as i64)?)
            }
            _ => {
                return Err(cx.err(
                    k.span(),
                    "`keys` is \"per-client\" or a number of API keys shared round-robin",
                ))
            }
        };
    }
    out.tenants = cx.int_or(&f.tenants, "tenants", 1, u32::MAX as i64, 1)?;
    if let Some(p) = &f.key_prefix {
        out.key_prefix = nonempty(cx, p, "key_prefix")?;
    }
    if let Some(p) = &f.tenant_prefix {
        out.tenant_prefix = nonempty(cx, p, "tenant_prefix")?;
    }
    out.timeout = cx.positive_opt(&f.timeout, "timeout")?;
    out.deadline = cx.positive_opt(&f.deadline, "deadline")?;
    out.cost = cx.int_or(&f.cost, "cost", 1, u32::MAX as i64, 1)?;
    if let Some(i) = &f.idempotent {
        out.idempotent = *i.get_ref();
    }
    if let Some(r) = &f.retry {
        out.retry = retry(cx, r)?;
    }
    for g in f.gates.iter().flatten() {
        out.gates.push(super::gates::gate(cx, g)?);
    }
    if let Some(k) = &f.idempotency_key {
        out.idempotency_key = *k.get_ref();
    }
    if let Some(fo) = &f.failover {
        out.failover = Some(super::upstream::failover(cx, fo)?);
    }
    if let Some(t) = &f.idempotency {
        if let Some(p) = &t.get_ref().changed_body_probability {
            out.changed_body = cx.probability(p, "changed_body_probability")?;
        }
        if !out.idempotency_key {
            return Err(cx.err(
                t.span(),
                "`[idempotency]` needs `idempotency_key = true` (without a key a changed body \
                 is just another request)",
            ));
        }
    }
    if let Some(h) = &f.headers {
        out.headers = Some(super::headers::headers(cx, h)?);
    }
    if let Some(h) = &f.hedge {
        out.hedge = Some(super::hedge::hedge(cx, h)?);
    }
    if let Some(t) = &f.trigger {
        out.trigger = *t.get_ref();
        if out.trigger && !matches!(out.arrival, Arrival::Piecewise { .. }) {
            return Err(cx.err(
                t.span(),
                "a trigger fleet needs a `piecewise` arrival (its window is when it sends)",
            ));
        }
    }
    Ok(out)
}

/// `r`, unless it is above one arrival per nanosecond (time could not advance).
fn too_fast(cx: &Cx, r: Rate, span: std::ops::Range<usize>) -> R<Rate> {
    crate::model::arrival_rate_ok(&r).map_err(|why| cx.err(span, format!("`{r}`: {why}")))?;
    Ok(r)
}

fn nonempty(cx: &Cx, s: &Spanned<String>, what: &str) -> R<String> {
    if s.get_ref().trim().is_empty() {
        return Err(cx.err(s.span(), format!("`{what}` must not be empty")));
    }
    Ok(s.get_ref().clone())
}

/// The keys arrival process `name` takes besides `process` (None: no such process).
pub fn process_keys(name: &str) -> Option<&'static [&'static str]> {
    Some(match name {
        "poisson" | "constant" => &["rate"],
        "on_off" => &["rate", "on", "off"],
        "cron" => &["period", "offset"],
        "diurnal" => &["low", "high", "period"],
        "piecewise" => &["points"],
        "closed" => &["concurrency", "think"],
        _ => return None,
    })
}

fn arrival(cx: &Cx, a: &Spanned<ArrivalSpec>) -> R<Arrival> {
    let span = a.span();
    let a = a.get_ref();
    let name = a.process.get_ref().as_str();
    let Some(takes) = process_keys(name) else {
        return Err(cx.unknown(&a.process, "arrival process", PROCESSES));
    };
    let v = Variant {
        tag: "process",
        name,
        takes,
    };
    cx.only(
        &v,
        &[
            ("rate", sp(&a.rate)),
            ("on", sp(&a.on)),
            ("off", sp(&a.off)),
            ("period", sp(&a.period)),
            ("offset", sp(&a.offset)),
            ("low", sp(&a.low)),
            ("high", sp(&a.high)),
            ("points", sp(&a.points)),
            ("concurrency", sp(&a.concurrency)),
            ("think", sp(&a.think)),
        ],
    )?;
    let req_rate = |r: &Opt<RateValue>, n: &str| -> R<Rate> {
        let r = cx.required(r, n, span.clone(), &v)?;
        too_fast(cx, r.get_ref().0, r.span())
    };
    let req_dur = |d: &Opt<Dur>, n: &str| cx.positive(cx.required(d, n, span.clone(), &v)?, n);
    Ok(match name {
        "poisson" => Arrival::Poisson {
            rate: req_rate(&a.rate, "rate")?,
        },
        "constant" => Arrival::Constant {
            rate: req_rate(&a.rate, "rate")?,
        },
        "on_off" => Arrival::OnOff {
            rate: req_rate(&a.rate, "rate")?,
            on: req_dur(&a.on, "on")?,
            off: cx.required(&a.off, "off", span.clone(), &v)?.get_ref().0,
        },
        "cron" => {
            let period = req_dur(&a.period, "period")?;
            let offset = a.offset.as_ref().map_or(Nanos::ZERO, |o| o.get_ref().0);
            if offset > period {
                let at = a.offset.as_ref().map(Spanned::span).unwrap_or(span);
                return Err(cx.err(
                    at,
                    format!("`offset` ({offset}) must not exceed `period` ({period})"),
                ));
            }
            Arrival::Cron { period, offset }
        }
        "diurnal" => {
            let low = req_rate(&a.low, "low")?;
            let high = req_rate(&a.high, "high")?;
            if high.per_sec() < low.per_sec() {
                let at = a.high.as_ref().map(Spanned::span).unwrap_or(span);
                return Err(cx.err(
                    at,
                    format!("`high` ({high}) must not be below `low` ({low})"),
                ));
            }
            Arrival::Diurnal {
                low,
                high,
                period: req_dur(&a.period, "period")?,
            }
        }
        "piecewise" => {
            let pts = cx.required(&a.points, "points", span, &v)?;
            if pts.get_ref().is_empty() {
                return Err(cx.err(pts.span(), "`points` needs at least one point"));
            }
            let mut points: Vec<(Nanos, Option<Rate>)> = Vec::new();
            for p in pts.get_ref() {
                let p = p.get_ref();
                let from = p.from.get_ref().0;
                if points.last().is_some_and(|(prev, _)| from <= *prev) {
                    return Err(cx.err(
                        p.from.span(),
                        "points must be in strictly increasing `from` order",
                    ));
                }
                let rate = match p.rate.get_ref().as_str() {
                    "off" => None,
                    s => Some(too_fast(
                        cx,
                        s.parse::<Rate>().map_err(|e| {
                            cx.err(
                                p.rate.span(),
                                format!("expected a rate such as \"5/s\" or \"off\": {e}"),
                            )
                        })?,
                        p.rate.span(),
                    )?),
                };
                points.push((from, rate));
            }
            Arrival::Piecewise { points }
        }
        _ => Arrival::Closed {
            concurrency: cx.int_or(&a.concurrency, "concurrency", 1, 1_000_000, 1)?,
            think: match &a.think {
                Some(t) => dist(cx, t)?,
                None => Distribution::ZERO,
            },
        },
    })
}
