//! The two gate kinds whose tables take the most keys: the AWS SDK retry quota and the
//! Resilience4j circuit breaker, each checked key by key with its library's defaults.

use super::{flag, statuses};
use crate::client::gate::{AwsQuotaConfig, BreakerConfig, WindowKind};
use crate::scenario::gate_spec::GateTable;
use crate::scenario::validate::cx::{Cx, R};

pub(super) fn aws(cx: &Cx, g: &GateTable) -> R<AwsQuotaConfig> {
    let d = AwsQuotaConfig::default();
    let capacity = match &g.capacity {
        None => d.capacity,
        Some(c) => {
            let x = *c.get_ref();
            if !(x.fract() == 0.0 && (1.0..=1e9).contains(&x)) {
                return Err(cx.err(
                    c.span(),
                    format!("`capacity` must be a whole number of tokens from 1, got {x}"),
                ));
            }
            x as u32
        }
    };
    let max = i64::from(u32::MAX);
    Ok(AwsQuotaConfig {
        capacity,
        retry_cost: cx.int_or(&g.retry_cost, "retry_cost", 0, max, d.retry_cost)?,
        timeout_cost: cx.int_or(&g.timeout_cost, "timeout_cost", 0, max, d.timeout_cost)?,
        success_refund: cx.int_or(
            &g.success_refund,
            "success_refund",
            0,
            max,
            d.success_refund,
        )?,
    })
}

pub(super) fn breaker(cx: &Cx, g: &GateTable) -> R<BreakerConfig> {
    let d = BreakerConfig::default();
    let size = cx.int_or(
        &g.sliding_window_size,
        "sliding_window_size",
        1,
        1_000_000,
        100u32,
    )?;
    let window = match &g.sliding_window_type {
        None => WindowKind::Count(size),
        Some(t) => match t.get_ref().as_str() {
            "count" => WindowKind::Count(size),
            "time" => WindowKind::Time(size),
            _ => return Err(cx.unknown(t, "sliding_window_type", &["count", "time"])),
        },
    };
    Ok(BreakerConfig {
        failure_rate_threshold: cx.int_or(
            &g.failure_rate_threshold,
            "failure_rate_threshold",
            1,
            100,
            d.failure_rate_threshold,
        )?,
        slow_call_rate_threshold: cx.int_or(
            &g.slow_call_rate_threshold,
            "slow_call_rate_threshold",
            1,
            100,
            d.slow_call_rate_threshold,
        )?,
        slow_call_duration: cx
            .positive_opt(&g.slow_call_duration, "slow_call_duration")?
            .unwrap_or(d.slow_call_duration),
        window,
        minimum_calls: cx.int_or(
            &g.minimum_calls,
            "minimum_calls",
            1,
            1_000_000,
            d.minimum_calls,
        )?,
        wait_in_open: cx
            .positive_opt(&g.wait_in_open, "wait_in_open")?
            .unwrap_or(d.wait_in_open),
        half_open_calls: cx.int_or(
            &g.half_open_calls,
            "half_open_calls",
            1,
            1_000_000,
            d.half_open_calls,
        )?,
        failure_on: statuses(cx, &g.failure_on, "failure_on", d.failure_on)?,
        timeouts_fail: flag(&g.timeouts_fail, d.timeouts_fail),
        retries_only: flag(&g.retries_only, d.retries_only),
    })
}
