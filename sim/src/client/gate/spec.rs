//! The configured form of a fleet's gates, as the scenario model carries them
//! (`[[fleet.<name>.gates]]` in a scenario file), their validation and construction.

use super::{
    AdaptiveConfig, AdaptiveRateLimiter, AwsQuotaConfig, AwsRetryQuota, Breaker, BreakerConfig,
    Chain, DepositBucket, DepositBucketConfig, EnvoyBudget, EnvoyBudgetConfig, FinagleBudget,
    FinagleBudgetConfig, GrpcThrottle, GrpcThrottleConfig, PerClient, RatioBreaker,
    RatioBreakerConfig, SreThrottle, SreThrottleConfig, WindowKind,
};
use crate::model::ModelError;
use crate::retry::ClientGate;
use limiters::Nanos;

/// Which strategy a gate runs.
#[derive(Clone, Debug, PartialEq)]
pub enum GateKind {
    /// AWS SDK standard mode retry quota.
    AwsStandard(AwsQuotaConfig),
    /// AWS SDK adaptive mode: the standard quota plus the CUBIC client rate limiter.
    AwsAdaptive {
        /// The retry quota.
        quota: AwsQuotaConfig,
        /// The rate limiter.
        limiter: AdaptiveConfig,
    },
    /// gRPC retry throttling.
    Grpc(GrpcThrottleConfig),
    /// Envoy retry budget.
    Envoy(EnvoyBudgetConfig),
    /// Finagle retry budget.
    Finagle(FinagleBudgetConfig),
    /// Brooker's retry token bucket (the post's or his simulator's deposit rule).
    RetryBucket(DepositBucketConfig),
    /// Resilience4j circuit breaker.
    Breaker(BreakerConfig),
    /// The failure-ratio breaker of Brooker's retry simulator.
    RatioBreaker(RatioBreakerConfig),
    /// SRE client-side adaptive throttling.
    Sre(SreThrottleConfig),
}

impl GateKind {
    /// The name as written in scenario files (`kind = "..."`).
    pub fn as_str(&self) -> &'static str {
        match self {
            GateKind::AwsStandard(_) => "aws_standard",
            GateKind::AwsAdaptive { .. } => "aws_adaptive",
            GateKind::Grpc(_) => "grpc_throttle",
            GateKind::Envoy(_) => "envoy_budget",
            GateKind::Finagle(_) => "finagle_budget",
            GateKind::RetryBucket(_) => "retry_bucket",
            GateKind::Breaker(_) => "circuit_breaker",
            GateKind::RatioBreaker(_) => "ratio_breaker",
            GateKind::Sre(_) => "sre_throttle",
        }
    }
}

/// Whether a gate's state is shared by the fleet or kept per client.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum GateScope {
    /// One state for the whole fleet (one process, many threads).
    #[default]
    Fleet,
    /// One state per client (one process each).
    Client,
}

/// One configured gate.
#[derive(Clone, Debug, PartialEq)]
pub struct GateSpec {
    /// The strategy.
    pub kind: GateKind,
    /// Where its state lives.
    pub scope: GateScope,
}

fn invalid(field: &str, reason: &str) -> ModelError {
    ModelError::Invalid {
        field: field.to_string(),
        reason: reason.to_string(),
    }
}

fn percent(field: &str, v: u32) -> Result<(), ModelError> {
    if !(1..=100).contains(&v) {
        return Err(invalid(field, "must be a percentage in 1..=100"));
    }
    Ok(())
}

impl GateSpec {
    /// A fleet-scoped gate.
    pub fn fleet(kind: GateKind) -> GateSpec {
        GateSpec {
            kind,
            scope: GateScope::Fleet,
        }
    }

    /// Check the values; `field` is the gate's path (`fleet.web.gates[0]`).
    pub fn validate(&self, field: &str) -> Result<(), ModelError> {
        let f = |k: &str| format!("{field}.{k}");
        match &self.kind {
            GateKind::AwsStandard(q) | GateKind::AwsAdaptive { quota: q, .. } => {
                if q.capacity == 0 {
                    return Err(invalid(&f("capacity"), "must be at least 1"));
                }
            }
            GateKind::Grpc(g) => {
                if !(1..=1000).contains(&g.max_tokens) {
                    return Err(invalid(&f("max_tokens"), "gRPC allows 1..=1000"));
                }
                if g.token_ratio_milli == 0 {
                    return Err(invalid(&f("token_ratio"), "must be above 0"));
                }
            }
            GateKind::Envoy(e) => {
                if e.budget_percent > 100 {
                    return Err(invalid(&f("budget_percent"), "must be in 0..=100"));
                }
            }
            GateKind::Finagle(b) => {
                if b.ttl < Nanos::from_secs(1) || b.ttl > Nanos::from_secs(60) {
                    return Err(invalid(&f("ttl"), "Finagle requires 1s..=60s"));
                }
                if b.percent_can_retry_milli > 1_000_000 {
                    return Err(invalid(&f("percent_can_retry"), "must be in 0..=1000"));
                }
            }
            GateKind::RetryBucket(b) => {
                if b.withdraw_milli == 0 {
                    return Err(invalid(&f("withdraw"), "must be above 0"));
                }
                if b.capacity_milli < b.withdraw_milli {
                    return Err(invalid(&f("capacity"), "must hold at least one retry"));
                }
            }
            GateKind::Breaker(b) => {
                percent(&f("failure_rate_threshold"), b.failure_rate_threshold)?;
                percent(&f("slow_call_rate_threshold"), b.slow_call_rate_threshold)?;
                let (WindowKind::Count(n) | WindowKind::Time(n)) = b.window;
                if n == 0 {
                    return Err(invalid(&f("sliding_window_size"), "must be at least 1"));
                }
                if b.minimum_calls == 0 {
                    return Err(invalid(&f("minimum_calls"), "must be at least 1"));
                }
                if b.half_open_calls == 0 {
                    return Err(invalid(&f("half_open_calls"), "must be at least 1"));
                }
            }
            GateKind::RatioBreaker(_) => {}
            GateKind::Sre(s) => {
                if !(s.k.is_finite() && s.k > 0.0) {
                    return Err(invalid(&f("k"), "must be a positive number"));
                }
                if s.window_secs == 0 {
                    return Err(invalid(&f("window"), "must be at least 1s"));
                }
            }
        }
        Ok(())
    }

    /// A fresh gate.
    pub fn build(&self) -> Box<dyn ClientGate> {
        fn scoped<G: ClientGate + Clone + 'static>(g: G, s: GateScope) -> Box<dyn ClientGate> {
            match s {
                GateScope::Fleet => Box::new(g),
                GateScope::Client => Box::new(PerClient::new(g)),
            }
        }
        let s = self.scope;
        match &self.kind {
            GateKind::AwsStandard(q) => scoped(AwsRetryQuota::new(*q), s),
            GateKind::AwsAdaptive { quota, limiter } => {
                let rl = AdaptiveRateLimiter::new(*limiter, Nanos::ZERO);
                Box::new(Chain::new(vec![
                    scoped(AwsRetryQuota::new(*quota), s),
                    scoped(rl, s),
                ]))
            }
            GateKind::Grpc(g) => scoped(GrpcThrottle::new(*g), s),
            GateKind::Envoy(e) => scoped(EnvoyBudget::new(*e), s),
            GateKind::Finagle(b) => scoped(FinagleBudget::new(*b), s),
            GateKind::RetryBucket(b) => scoped(DepositBucket::new(*b), s),
            GateKind::Breaker(b) => scoped(Breaker::new(*b), s),
            GateKind::RatioBreaker(b) => scoped(RatioBreaker::new(*b), s),
            GateKind::Sre(c) => scoped(SreThrottle::new(*c), s),
        }
    }
}

/// The gate of a fleet with `specs` (none: `None`; several: in series).
pub fn build_gates(specs: &[GateSpec]) -> Option<Box<dyn ClientGate>> {
    match specs {
        [] => None,
        [one] => Some(one.build()),
        many => Some(Box::new(Chain::new(
            many.iter().map(GateSpec::build).collect(),
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_names_the_field() {
        let g = GateSpec::fleet(GateKind::Grpc(GrpcThrottleConfig {
            max_tokens: 2000,
            ..GrpcThrottleConfig::default()
        }));
        let e = g.validate("fleet.web.gates[0]").unwrap_err();
        assert_eq!(e.field(), "fleet.web.gates[0].max_tokens");
        let b = GateSpec::fleet(GateKind::Breaker(BreakerConfig {
            failure_rate_threshold: 0,
            ..BreakerConfig::default()
        }));
        assert!(b.validate("g").is_err());
        assert!(GateSpec::fleet(GateKind::Sre(SreThrottleConfig::default()))
            .validate("g")
            .is_ok());
    }

    #[test]
    fn build_gates_chains_several() {
        assert!(build_gates(&[]).is_none());
        let specs = [
            GateSpec::fleet(GateKind::AwsStandard(AwsQuotaConfig::default())),
            GateSpec {
                kind: GateKind::RetryBucket(DepositBucketConfig::default()),
                scope: GateScope::Client,
            },
        ];
        let g = build_gates(&specs).unwrap();
        assert!(format!("{g:?}").contains("Chain"));
    }
}
