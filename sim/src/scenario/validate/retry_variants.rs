//! The retry policies of `sim::resilience` that library backoffs ship with their quirks:
//! `randomize_then_cap` (Resilience4j) and `polly_v2` (Polly), from `[fleet.<name>.retry]`.

use super::cx::{Cx, R};
use crate::retry::{Backoff, Strategy};
use crate::retry::{PollyV2, RandomizeThenCap};
use crate::scenario::spec::RetrySpec;
use toml::Spanned;

fn factor(cx: &Cx, v: &Option<Spanned<f64>>, what: &str, lo: f64, hi: f64, default: u32) -> R<u32> {
    match v {
        None => Ok(default),
        Some(v) => {
            let x = *v.get_ref();
            if !(x.is_finite() && (lo..=hi).contains(&x)) {
                return Err(cx.err(
                    v.span(),
                    format!("`{what}` must be from {lo} to {hi}, got {x}"),
                ));
            }
            Ok((x * 1000.0).round() as u32)
        }
    }
}

/// The strategy of policy `name` (`randomize_then_cap` or `polly_v2`).
pub(crate) fn strategy(cx: &Cx, name: &str, r: &RetrySpec) -> R<Strategy> {
    if name == "polly_v2" {
        let base = cx
            .positive_opt(&r.base, "base")?
            .unwrap_or(Backoff::default().base);
        return Ok(Strategy::PollyV2(PollyV2 {
            mean_first_delay: base,
        }));
    }
    let d = RandomizeThenCap::default();
    let initial_ms = match cx.positive_opt(&r.base, "base")? {
        None => d.initial_ms,
        Some(b) => b.as_millis().max(1),
    };
    let max_ms = match cx.positive_opt(&r.cap, "cap")? {
        None => Backoff::default().cap.as_millis(),
        Some(c) => c.as_millis().max(1),
    };
    Ok(Strategy::RandomizeThenCap(RandomizeThenCap {
        initial_ms,
        multiplier_milli: factor(
            cx,
            &r.multiplier,
            "multiplier",
            1.0,
            100.0,
            d.multiplier_milli,
        )?,
        randomization_milli: factor(
            cx,
            &r.randomization_factor,
            "randomization_factor",
            0.0,
            1.0,
            d.randomization_milli,
        )?,
        max_ms,
    }))
}
