//! `[[fleet.<name>.gates]]` into [`GateSpec`]s: each kind takes its own keys (any other is an
//! error pointing at it), defaults are the strategies' real constants.

mod configs;

use super::cx::{sp, Cx, Variant, R};
use crate::client::gate::{
    AdaptiveConfig, DepositBucketConfig, DepositRule, EnvoyBudgetConfig, FinagleBudgetConfig,
    GateKind, GateScope, GateSpec, GrpcThrottleConfig, RatioBreakerConfig, SreThrottleConfig,
};
use crate::retry::StatusSet;
use crate::scenario::gate_spec::GateTable;
use crate::scenario::spec::Opt;
use configs::{aws, breaker};
use limiters::Nanos;
use toml::Spanned;

/// Gate kinds, as written.
pub const GATE_KINDS: &[&str] = &[
    "aws_standard",
    "aws_adaptive",
    "grpc_throttle",
    "envoy_budget",
    "finagle_budget",
    "retry_bucket",
    "circuit_breaker",
    "ratio_breaker",
    "sre_throttle",
];

const AWS: &[&str] = &["capacity", "retry_cost", "timeout_cost", "success_refund"];

fn statuses(cx: &Cx, v: &Opt<Vec<Spanned<i64>>>, what: &str, default: StatusSet) -> R<StatusSet> {
    let Some(list) = v else {
        return Ok(default);
    };
    let mut set = StatusSet::empty();
    for s in list.get_ref() {
        set.insert(cx.error_status(s, what)?);
    }
    Ok(set)
}

/// A non-negative number in thousandths (three decimals, as gRPC's tokenRatio).
fn milli(cx: &Cx, v: &Spanned<f64>, what: &str, lo: f64, hi: f64) -> R<u32> {
    let x = *v.get_ref();
    if !(x.is_finite() && (lo..=hi).contains(&x)) {
        return Err(cx.err(
            v.span(),
            format!("`{what}` must be from {lo} to {hi}, got {x}"),
        ));
    }
    Ok((x * 1000.0).round() as u32)
}

fn milli_or(cx: &Cx, v: &Opt<f64>, what: &str, lo: f64, hi: f64, default: u32) -> R<u32> {
    v.as_ref()
        .map_or(Ok(default), |v| milli(cx, v, what, lo, hi))
}

fn flag(v: &Opt<bool>, default: bool) -> bool {
    v.as_ref().map_or(default, |b| *b.get_ref())
}

/// Validate one gate table.
pub(crate) fn gate(cx: &Cx, g: &Spanned<GateTable>) -> R<GateSpec> {
    let g = g.get_ref();
    let name = g.kind.get_ref().as_str();
    let own: Vec<&str> = match name {
        "aws_standard" => AWS.to_vec(),
        "aws_adaptive" => [AWS, &["throttle_on"]].concat(),
        "grpc_throttle" => vec!["max_tokens", "token_ratio", "failure_on", "timeouts_fail"],
        "envoy_budget" => vec!["budget_percent", "min_retry_concurrency"],
        "finagle_budget" => vec!["ttl", "min_retries_per_sec", "percent_can_retry"],
        "retry_bucket" => vec!["capacity", "deposit", "withdraw", "initial", "rule"],
        "ratio_breaker" => vec!["max_failure_ratio"],
        "circuit_breaker" => vec![
            "failure_rate_threshold",
            "slow_call_rate_threshold",
            "slow_call_duration",
            "sliding_window_type",
            "sliding_window_size",
            "minimum_calls",
            "wait_in_open",
            "half_open_calls",
            "failure_on",
            "timeouts_fail",
            "retries_only",
        ],
        "sre_throttle" => vec!["k", "window", "reject_on", "timeouts_reject"],
        _ => return Err(cx.unknown(&g.kind, "gate kind", GATE_KINDS)),
    };
    let mut takes = own;
    takes.push("scope");
    let v = Variant {
        tag: "kind",
        name,
        takes: &takes,
    };
    cx.only(
        &v,
        &[
            ("scope", sp(&g.scope)),
            ("capacity", sp(&g.capacity)),
            ("retry_cost", sp(&g.retry_cost)),
            ("timeout_cost", sp(&g.timeout_cost)),
            ("success_refund", sp(&g.success_refund)),
            ("throttle_on", sp(&g.throttle_on)),
            ("max_tokens", sp(&g.max_tokens)),
            ("token_ratio", sp(&g.token_ratio)),
            ("failure_on", sp(&g.failure_on)),
            ("timeouts_fail", sp(&g.timeouts_fail)),
            ("budget_percent", sp(&g.budget_percent)),
            ("min_retry_concurrency", sp(&g.min_retry_concurrency)),
            ("ttl", sp(&g.ttl)),
            ("min_retries_per_sec", sp(&g.min_retries_per_sec)),
            ("percent_can_retry", sp(&g.percent_can_retry)),
            ("deposit", sp(&g.deposit)),
            ("withdraw", sp(&g.withdraw)),
            ("initial", sp(&g.initial)),
            ("rule", sp(&g.rule)),
            ("max_failure_ratio", sp(&g.max_failure_ratio)),
            ("failure_rate_threshold", sp(&g.failure_rate_threshold)),
            ("slow_call_rate_threshold", sp(&g.slow_call_rate_threshold)),
            ("slow_call_duration", sp(&g.slow_call_duration)),
            ("sliding_window_type", sp(&g.sliding_window_type)),
            ("sliding_window_size", sp(&g.sliding_window_size)),
            ("minimum_calls", sp(&g.minimum_calls)),
            ("wait_in_open", sp(&g.wait_in_open)),
            ("half_open_calls", sp(&g.half_open_calls)),
            ("retries_only", sp(&g.retries_only)),
            ("k", sp(&g.k)),
            ("window", sp(&g.window)),
            ("reject_on", sp(&g.reject_on)),
            ("timeouts_reject", sp(&g.timeouts_reject)),
        ],
    )?;
    let scope = match &g.scope {
        None => GateScope::Fleet,
        Some(s) => match s.get_ref().as_str() {
            "fleet" => GateScope::Fleet,
            "client" => GateScope::Client,
            _ => return Err(cx.unknown(s, "gate scope", &["fleet", "client"])),
        },
    };
    let kind = match name {
        "aws_standard" => GateKind::AwsStandard(aws(cx, g)?),
        "aws_adaptive" => GateKind::AwsAdaptive {
            quota: aws(cx, g)?,
            limiter: AdaptiveConfig {
                throttle_on: statuses(
                    cx,
                    &g.throttle_on,
                    "throttle_on",
                    AdaptiveConfig::default().throttle_on,
                )?,
            },
        },
        "grpc_throttle" => {
            let d = GrpcThrottleConfig::default();
            GateKind::Grpc(GrpcThrottleConfig {
                max_tokens: cx.int_or(&g.max_tokens, "max_tokens", 1, 1000, d.max_tokens)?,
                token_ratio_milli: milli_or(cx, &g.token_ratio, "token_ratio", 0.001, 1e6, 100)?,
                failure_on: statuses(cx, &g.failure_on, "failure_on", d.failure_on)?,
                timeouts_fail: flag(&g.timeouts_fail, d.timeouts_fail),
            })
        }
        "envoy_budget" => {
            let d = EnvoyBudgetConfig::default();
            GateKind::Envoy(EnvoyBudgetConfig {
                budget_percent: cx.int_or(
                    &g.budget_percent,
                    "budget_percent",
                    0,
                    100,
                    d.budget_percent,
                )?,
                min_retry_concurrency: cx.int_or(
                    &g.min_retry_concurrency,
                    "min_retry_concurrency",
                    0,
                    u32::MAX as i64,
                    d.min_retry_concurrency,
                )?,
            })
        }
        "finagle_budget" => {
            let d = FinagleBudgetConfig::default();
            let ttl = cx.positive_opt(&g.ttl, "ttl")?.unwrap_or(d.ttl);
            if ttl < Nanos::from_secs(1) || ttl > Nanos::from_secs(60) {
                let at = g.ttl.as_ref().map_or(0..0, Spanned::span);
                return Err(cx.err(
                    at,
                    format!("`ttl` must be from 1s to 60s (Finagle's bounds), got {ttl}"),
                ));
            }
            GateKind::Finagle(FinagleBudgetConfig {
                ttl,
                min_retries_per_sec: cx.int_or(
                    &g.min_retries_per_sec,
                    "min_retries_per_sec",
                    0,
                    1_000_000,
                    d.min_retries_per_sec,
                )?,
                percent_can_retry_milli: milli_or(
                    cx,
                    &g.percent_can_retry,
                    "percent_can_retry",
                    0.0,
                    1000.0,
                    d.percent_can_retry_milli,
                )?,
            })
        }
        "retry_bucket" => {
            let d = DepositBucketConfig::default();
            let capacity = milli_or(cx, &g.capacity, "capacity", 0.001, 1e6, d.capacity_milli)?;
            let withdraw = milli_or(cx, &g.withdraw, "withdraw", 0.001, 1e6, d.withdraw_milli)?;
            if capacity < withdraw {
                let at = g
                    .capacity
                    .as_ref()
                    .or(g.withdraw.as_ref())
                    .map_or(0..0, Spanned::span);
                return Err(cx.err(at, "`capacity` must hold at least one retry (`withdraw`)"));
            }
            let rule = match &g.rule {
                None => d.rule,
                Some(r) => match r.get_ref().as_str() {
                    "brooker_post" => DepositRule::BrookerPost,
                    "brooker_code" => DepositRule::BrookerCode,
                    _ => return Err(cx.unknown(r, "rule", &["brooker_post", "brooker_code"])),
                },
            };
            GateKind::RetryBucket(DepositBucketConfig {
                rule,
                capacity_milli: capacity,
                deposit_milli: milli_or(cx, &g.deposit, "deposit", 0.0, 1e6, d.deposit_milli)?,
                withdraw_milli: withdraw,
                initial_milli: milli_or(cx, &g.initial, "initial", 0.0, 1e6, capacity)?,
            })
        }
        "circuit_breaker" => GateKind::Breaker(breaker(cx, g)?),
        "ratio_breaker" => GateKind::RatioBreaker(RatioBreakerConfig {
            max_failure_ratio_milli: milli_or(
                cx,
                &g.max_failure_ratio,
                "max_failure_ratio",
                0.0,
                1e6,
                RatioBreakerConfig::default().max_failure_ratio_milli,
            )?,
        }),
        "sre_throttle" => {
            let d = SreThrottleConfig::default();
            let k = match &g.k {
                None => d.k,
                Some(k) => {
                    let x = *k.get_ref();
                    if !(x.is_finite() && x > 0.0) {
                        return Err(
                            cx.err(k.span(), format!("`k` must be a positive number, got {x}"))
                        );
                    }
                    x
                }
            };
            let window = cx
                .positive_opt(&g.window, "window")?
                .map_or(d.window_secs, |w| {
                    w.as_secs().clamp(1, u64::from(u32::MAX)) as u32
                });
            GateKind::Sre(SreThrottleConfig {
                k,
                window_secs: window,
                reject_on: statuses(cx, &g.reject_on, "reject_on", d.reject_on)?,
                timeouts_reject: flag(&g.timeouts_reject, d.timeouts_reject),
            })
        }
        _ => return Err(cx.unknown(&g.kind, "gate kind", GATE_KINDS)),
    };
    Ok(GateSpec { kind, scope })
}
