//! `[fleet.<name>.retry]` into a [`RetryPolicy`]. The keys each policy takes follow
//! `sim::retry::catalog()`; keys of another policy are errors, not silently ignored.

use super::cx::{sp, Cx, Variant, R};
use crate::retry::{Backoff, HonourRetryAfter, Jitter, RetryPolicy, StatusSet, Strategy};
use crate::scenario::spec::{BackoffSpec, RetrySpec};
use crate::scenario::Dur;
use limiters::Nanos;
use serde::Deserialize;
use toml::Spanned;

/// The retry policies (`policy = "..."`).
pub const POLICIES: &[&str] = &[
    "none",
    "immediate",
    "fixed",
    "exponential",
    "retry_after",
    "randomize_then_cap",
    "polly_v2",
];
/// The jitter spellings of `exponential` (`"+P%"`: proportional).
pub const JITTERS: &[&str] = &["none", "full", "equal", "decorrelated", "+<percent>%"];
const COMMON: [&str; 3] = ["max_attempts", "retry_on", "retry_timeouts"];

/// Attempts in total when `max_attempts` is not given (policies other than `none`).
pub const DEFAULT_MAX_ATTEMPTS: u32 = 4;

/// Validate a retry table.
pub(crate) fn retry(cx: &Cx, r: &Spanned<RetrySpec>) -> R<RetryPolicy> {
    let span = r.span();
    let r = r.get_ref();
    let name = r.policy.get_ref().as_str();
    let own: &[&str] = match name {
        "none" => &[],
        "immediate" => &[],
        "fixed" => &["delay"],
        "exponential" => &["base", "cap", "jitter"],
        "retry_after" => &["jitter", "cap", "use_reset", "fallback"],
        "randomize_then_cap" => &["base", "multiplier", "randomization_factor", "cap"],
        "polly_v2" => &["base"],
        _ => return Err(cx.unknown(&r.policy, "retry policy", POLICIES)),
    };
    let mut takes: Vec<&str> = own.to_vec();
    if name != "none" {
        takes.extend(COMMON);
    }
    let v = Variant {
        tag: "policy",
        name,
        takes: &takes,
    };
    cx.only(
        &v,
        &[
            ("max_attempts", sp(&r.max_attempts)),
            ("retry_on", sp(&r.retry_on)),
            ("retry_timeouts", sp(&r.retry_timeouts)),
            ("delay", sp(&r.delay)),
            ("base", sp(&r.base)),
            ("cap", sp(&r.cap)),
            ("jitter", sp(&r.jitter)),
            ("use_reset", sp(&r.use_reset)),
            ("fallback", r.fallback.as_ref().map(Spanned::span)),
            ("multiplier", sp(&r.multiplier)),
            ("randomization_factor", sp(&r.randomization_factor)),
        ],
    )?;
    let strategy = match name {
        "none" => return Ok(RetryPolicy::none()),
        "immediate" => Strategy::Immediate,
        "fixed" => Strategy::Fixed {
            delay: cx
                .required(&r.delay, "delay", span.clone(), &v)?
                .get_ref()
                .0,
        },
        "randomize_then_cap" | "polly_v2" => super::retry_variants::strategy(cx, name, r)?,
        "exponential" => {
            let jitter = match &r.jitter {
                None => Jitter::default(),
                Some(j) => match j.get_ref().as_str() {
                    Some(s) => jitter_named(cx, &Spanned::new(j.span(), s.to_string()))?,
                    None => {
                        return Err(cx.err(
                            j.span(),
                            format!(
                                "`jitter` of exponential backoff is one of: {}",
                                JITTERS.join(", ")
                            ),
                        ))
                    }
                },
            };
            Strategy::Exponential(backoff(cx, &r.base, &r.cap, jitter)?)
        }
        _ => {
            let percent = match &r.jitter {
                Some(j) => match j.get_ref().as_str() {
                    Some(s) if s.ends_with('%') => Some(percent(cx, j.span(), s)?),
                    _ => None,
                },
                None => None,
            };
            let jitter = match &r.jitter {
                None => Nanos::ZERO,
                Some(_) if percent.is_some() => Nanos::ZERO,
                Some(j) => Dur::deserialize(j.get_ref().clone())
                    .map_err(|e| {
                        cx.err(
                            j.span(),
                            format!(
                                "`jitter` of retry_after is the upper bound of a uniform extra wait, or \"+P%\": {}",
                                e.message()
                            ),
                        )
                    })?
                    .0,
            };
            let fallback = match &r.fallback {
                None => Backoff::default(),
                Some(f) => fallback(cx, f.get_ref())?,
            };
            Strategy::RetryAfter(HonourRetryAfter {
                jitter,
                jitter_percent: percent.unwrap_or(0),
                cap: cx.positive_opt(&r.cap, "cap")?,
                use_reset: r.use_reset.as_ref().is_some_and(|u| *u.get_ref()),
                fallback,
            })
        }
    };
    let mut policy = RetryPolicy::new(
        strategy,
        cx.int_or(
            &r.max_attempts,
            "max_attempts",
            1,
            1_000_000,
            DEFAULT_MAX_ATTEMPTS,
        )?,
    );
    if let Some(list) = &r.retry_on {
        let mut set = StatusSet::of(&[]);
        for s in list.get_ref() {
            set.insert(cx.error_status(s, "retry_on")?);
        }
        policy.retry_on = set;
    }
    if let Some(t) = &r.retry_timeouts {
        policy.retry_timeouts = *t.get_ref();
    }
    Ok(policy)
}

fn jitter_named(cx: &Cx, j: &Spanned<String>) -> R<Jitter> {
    Ok(match j.get_ref().as_str() {
        "none" => Jitter::None,
        "full" => Jitter::Full,
        "equal" => Jitter::Equal,
        "decorrelated" => Jitter::Decorrelated,
        s if s.ends_with('%') => Jitter::Proportional(percent(cx, j.span(), s)?),
        _ => return Err(cx.unknown(j, "jitter", JITTERS)),
    })
}

/// `"+20%"`: a proportional jitter of 1 to 1000 percent (seed 002's `Math.random() * base * 0.2`).
fn percent(cx: &Cx, span: std::ops::Range<usize>, s: &str) -> R<u32> {
    let bad = || {
        cx.err(
            span.clone(),
            format!("a proportional jitter is written \"+P%\" with P a whole number from 1 to 1000, got \"{s}\""),
        )
    };
    let digits = s
        .strip_prefix('+')
        .and_then(|t| t.strip_suffix('%'))
        .ok_or_else(bad)?;
    match digits.parse::<u32>() {
        Ok(p) if (1..=1000).contains(&p) => Ok(p),
        _ => Err(bad()),
    }
}

fn backoff(
    cx: &Cx,
    base: &Option<Spanned<Dur>>,
    cap: &Option<Spanned<Dur>>,
    jitter: Jitter,
) -> R<Backoff> {
    let d = Backoff::default();
    let base_v = cx.positive_opt(base, "base")?.unwrap_or(d.base);
    let cap_v = cx.positive_opt(cap, "cap")?.unwrap_or(d.cap.max(base_v));
    if cap_v < base_v {
        let at = cap
            .as_ref()
            .or(base.as_ref())
            .map(Spanned::span)
            .unwrap_or(0..0);
        return Err(cx.err(
            at,
            format!("`cap` ({cap_v}) must not be below `base` ({base_v})"),
        ));
    }
    Ok(Backoff {
        base: base_v,
        cap: cap_v,
        jitter,
    })
}

fn fallback(cx: &Cx, f: &BackoffSpec) -> R<Backoff> {
    let jitter = match &f.jitter {
        None => Jitter::default(),
        Some(j) => jitter_named(cx, j)?,
    };
    backoff(cx, &f.base, &f.cap, jitter)
}
