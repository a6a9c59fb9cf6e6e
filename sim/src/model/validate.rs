//! Checks a [`Scenario`] for values its types cannot rule out, naming the offending field by
//! its scenario-file path (`fleet.web.count`, `server.limiters[0].burst`) so the scenario
//! parser can point at the line.

use super::{Arrival, Distribution, FaultKind, Keys, Scenario, Strategy};
use limiters::{LimiterError, Nanos, Rate, Registry};
use std::collections::BTreeSet;
use thiserror::Error;

/// Why a scenario cannot run.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ModelError {
    /// A field has an impossible value.
    #[error("`{field}`: {reason}")]
    Invalid {
        /// Dotted path of the field as in a scenario file.
        field: String,
        /// What is wrong.
        reason: String,
    },
    /// A limiter level's algorithm or parameters were rejected by the registry.
    #[error("`server.limiters[{level}]`: {source}")]
    Limiter {
        /// Index of the level.
        level: usize,
        /// The registry's error (its `param()` names the parameter).
        source: LimiterError,
    },
}

impl ModelError {
    fn invalid(field: impl Into<String>, reason: impl Into<String>) -> ModelError {
        ModelError::Invalid {
            field: field.into(),
            reason: reason.into(),
        }
    }
    /// The dotted path of the field at fault.
    pub fn field(&self) -> String {
        match self {
            ModelError::Invalid { field, .. } => field.clone(),
            ModelError::Limiter { level, source } => match source.param() {
                Some(p) => format!("server.limiters[{level}].{p}"),
                None => format!("server.limiters[{level}].algorithm"),
            },
        }
    }
}

fn positive(field: &str, v: Nanos) -> Result<(), ModelError> {
    if v.is_zero() {
        return Err(ModelError::invalid(field, "must be longer than zero"));
    }
    Ok(())
}

fn rate(field: &str, r: &Rate) -> Result<(), ModelError> {
    if r.count == 0 || r.period.is_zero() {
        return Err(ModelError::invalid(
            field,
            "a rate needs a non-zero count and period",
        ));
    }
    Ok(())
}

/// An arrival rate: besides [`rate`], at most one arrival per nanosecond per client. Gaps are
/// whole nanoseconds, so a faster rate draws gaps of zero and simulated time never advances
/// (the run would loop at one instant, growing its queue until memory runs out).
fn arrival_rate(field: &str, r: &Rate) -> Result<(), ModelError> {
    rate(field, r)?;
    arrival_rate_ok(r).map_err(|why| ModelError::invalid(field, why))
}

/// [`arrival_rate`]'s speed check alone, for the scenario parser (which has the value's span).
pub(crate) fn arrival_rate_ok(r: &Rate) -> Result<(), &'static str> {
    if r.count > r.period.0 {
        return Err(TOO_FAST);
    }
    Ok(())
}

/// Why [`arrival_rate`] refuses a rate.
pub(crate) const TOO_FAST: &str = "more than one arrival per nanosecond per client: simulated \
     time is counted in whole nanoseconds and could not advance; use more clients at a lower rate";

/// Why a closed-loop fleet without think time or network delay is refused.
pub(crate) const CLOSED_STALLS: &str = "a closed-loop fleet needs a `think` time or a \
     `network.delay` with a mean above zero: a rejected request is answered at once, so the \
     next one would start at the same instant and simulated time could never advance";

/// True when a closed-loop fleet could loop at one instant forever: nothing on the way of a
/// rejected request (answered by a limiter or a fault without reaching the backend) takes time.
pub(crate) fn closed_stalls(arrival: &Arrival, network: &Distribution) -> bool {
    matches!(arrival, Arrival::Closed { think, .. } if think.mean().is_zero() && network.mean().is_zero())
}

fn status(field: &str, s: u16) -> Result<(), ModelError> {
    if !(100..600).contains(&s) {
        return Err(ModelError::invalid(
            field,
            format!("{s} is not an HTTP status (100..=599)"),
        ));
    }
    Ok(())
}

fn probability(field: &str, p: f64) -> Result<(), ModelError> {
    if !(0.0..=1.0).contains(&p) {
        return Err(ModelError::invalid(
            field,
            format!("{p} is not a probability in [0, 1]"),
        ));
    }
    Ok(())
}

/// Largest p99/mean ratio a lognormal can have: `exp(z^2 / 2)` with `z = 2.3263` (the 99th
/// percentile of the standard normal).
pub(crate) const LOGNORMAL_MAX_RATIO: f64 = 14.94;

/// Check a distribution.
pub(crate) fn distribution(field: &str, d: &Distribution) -> Result<(), ModelError> {
    match *d {
        Distribution::Constant(_) | Distribution::NormalAbs { .. } => Ok(()),
        Distribution::Exponential { mean } => positive(&format!("{field}.mean"), mean),
        Distribution::Lognormal { mean, p99 } => {
            positive(&format!("{field}.mean"), mean)?;
            if p99 <= mean {
                return Err(ModelError::invalid(
                    format!("{field}.p99"),
                    "must be above the mean",
                ));
            }
            if p99.0 as f64 / mean.0 as f64 > LOGNORMAL_MAX_RATIO {
                return Err(ModelError::invalid(
                    format!("{field}.p99"),
                    format!("no lognormal has p99 above {LOGNORMAL_MAX_RATIO} x its mean"),
                ));
            }
            Ok(())
        }
        Distribution::Bimodal { p_high, .. } => probability(&format!("{field}.p_high"), p_high),
        Distribution::Uniform { low, high } => {
            if high < low {
                return Err(ModelError::invalid(
                    format!("{field}.high"),
                    "must not be below `low`",
                ));
            }
            Ok(())
        }
    }
}

fn arrival(field: &str, a: &Arrival) -> Result<(), ModelError> {
    match a {
        Arrival::Poisson { rate: r } | Arrival::Constant { rate: r } => {
            arrival_rate(&format!("{field}.rate"), r)
        }
        Arrival::OnOff {
            rate: r,
            on,
            off: _,
        } => {
            arrival_rate(&format!("{field}.rate"), r)?;
            positive(&format!("{field}.on"), *on)
        }
        Arrival::Cron { period, offset } => {
            positive(&format!("{field}.period"), *period)?;
            if offset > period {
                return Err(ModelError::invalid(
                    format!("{field}.offset"),
                    "must not exceed the period",
                ));
            }
            Ok(())
        }
        Arrival::Diurnal { low, high, period } => {
            arrival_rate(&format!("{field}.low"), low)?;
            arrival_rate(&format!("{field}.high"), high)?;
            positive(&format!("{field}.period"), *period)?;
            if high.per_sec() < low.per_sec() {
                return Err(ModelError::invalid(
                    format!("{field}.high"),
                    "must not be below `low`",
                ));
            }
            Ok(())
        }
        Arrival::Piecewise { points } => {
            if points.is_empty() {
                return Err(ModelError::invalid(
                    format!("{field}.points"),
                    "needs at least one point",
                ));
            }
            for (i, (from, r)) in points.iter().enumerate() {
                if let Some(r) = r {
                    arrival_rate(&format!("{field}.points[{i}]"), r)?;
                }
                if i > 0 && *from <= points[i - 1].0 {
                    return Err(ModelError::invalid(
                        format!("{field}.points[{i}]"),
                        "points must be in strictly increasing time order",
                    ));
                }
            }
            Ok(())
        }
        Arrival::Closed { concurrency, think } => {
            if *concurrency == 0 {
                return Err(ModelError::invalid(
                    format!("{field}.concurrency"),
                    "must be at least 1",
                ));
            }
            distribution(&format!("{field}.think"), think)
        }
        Arrival::Trace(_) => Ok(()),
    }
}

impl Scenario {
    /// Check every field; limiter levels are built once through `registry` to validate their
    /// parameters.
    pub fn validate(&self, registry: &Registry) -> Result<(), ModelError> {
        positive("duration", self.duration)?;
        positive("bucket", self.bucket)?;
        positive("arrival_resolution", self.arrival_resolution)?;
        if self.duration.0 / self.bucket.0 > 10_000_000 {
            return Err(ModelError::invalid(
                "bucket",
                "more than 10,000,000 buckets; use a wider bucket",
            ));
        }
        for (i, level) in self.server.levels.iter().enumerate() {
            status(&format!("server.limiters[{i}].status"), level.status)?;
            registry
                .build(&level.algorithm, &level.params)
                .map_err(|source| ModelError::Limiter { level: i, source })?;
        }
        if let Some(d) = &self.deployment {
            deployment(d, self.server.levels.len())?;
        }
        let b = &self.server.backend;
        if b.workers == Some(0) {
            return Err(ModelError::invalid(
                "server.backend.workers",
                "must be at least 1 (omit it for unlimited)",
            ));
        }
        if let Some(t) = b.queue_timeout {
            positive("server.backend.queue_timeout", t)?;
        }
        if let Some(t) = b.deadline {
            positive("server.backend.deadline", t)?;
        }
        distribution("server.backend.service_time", &b.service_time)?;
        distribution("network.delay", &self.network.delay)?;
        for (i, f) in self.faults.iter().enumerate() {
            let field = format!("faults[{i}]");
            positive(&format!("{field}.duration"), f.duration)?;
            match &f.kind {
                FaultKind::ErrorRate { status: s, rate: r } => {
                    status(&format!("{field}.status"), *s)?;
                    probability(&format!("{field}.rate"), *r)?;
                }
                FaultKind::Outage { status: s } => status(&format!("{field}.status"), *s)?,
                FaultKind::LatencySpike { extra } => {
                    distribution(&format!("{field}.extra"), extra)?
                }
                FaultKind::CapacityDrop { .. } => {}
            }
        }
        if self.server.upstreams.len() > usize::from(u8::MAX) {
            return Err(ModelError::invalid(
                "server.upstreams",
                "at most 255 upstreams",
            ));
        }
        let mut upstream_names = BTreeSet::new();
        for (i, u) in self.server.upstreams.iter().enumerate() {
            if !upstream_names.insert(u.name.as_str()) {
                return Err(ModelError::invalid(
                    format!("server.upstreams[{i}]"),
                    "duplicate upstream name",
                ));
            }
            for (j, f) in u.faults.iter().enumerate() {
                let field = format!("server.upstreams[{i}].faults[{j}]");
                positive(&format!("{field}.duration"), f.duration)?;
                match &f.kind {
                    FaultKind::ErrorRate { status: s, rate: r } => {
                        status(&format!("{field}.status"), *s)?;
                        probability(&format!("{field}.rate"), *r)?;
                    }
                    FaultKind::Outage { status: s } => status(&format!("{field}.status"), *s)?,
                    _ => {
                        return Err(ModelError::invalid(
                            field,
                            "an upstream's faults are `error_rate` or `outage` (latency and \
                             capacity belong to the shared backend: use `[[faults]]`)",
                        ))
                    }
                }
            }
        }
        let mut names = BTreeSet::new();
        let mut total: u64 = 0;
        if self.fleets.len() > u16::MAX as usize {
            return Err(ModelError::invalid("fleet", "too many fleets"));
        }
        for fl in &self.fleets {
            let field = format!("fleet.{}", fl.name);
            if fl.name.is_empty() {
                return Err(ModelError::invalid("fleet", "a fleet needs a name"));
            }
            if !names.insert(fl.name.as_str()) {
                return Err(ModelError::invalid(field, "duplicate fleet name"));
            }
            if let Some(f) = &fl.failover {
                if self.server.upstreams.len() < 2 {
                    return Err(ModelError::invalid(
                        format!("{field}.failover"),
                        "fail-over needs at least two `[[server.upstreams]]`",
                    ));
                }
                if f.after == 0 {
                    return Err(ModelError::invalid(
                        format!("{field}.failover.after"),
                        "must be at least 1",
                    ));
                }
            }
            if fl.count == 0 {
                return Err(ModelError::invalid(
                    format!("{field}.count"),
                    "must be at least 1",
                ));
            }
            total += u64::from(fl.count);
            if fl.tenants == 0 {
                return Err(ModelError::invalid(
                    format!("{field}.tenants"),
                    "must be at least 1",
                ));
            }
            if fl.keys == Keys::Shared(0) {
                return Err(ModelError::invalid(
                    format!("{field}.keys"),
                    "must be at least 1",
                ));
            }
            if fl.cost == 0 {
                return Err(ModelError::invalid(
                    format!("{field}.cost"),
                    "must be at least 1",
                ));
            }
            if let Some(t) = fl.timeout {
                positive(&format!("{field}.timeout"), t)?;
            }
            if let Some(t) = fl.deadline {
                positive(&format!("{field}.deadline"), t)?;
            }
            arrival(&format!("{field}.arrival"), &fl.arrival)?;
            if let Arrival::Trace(t) = &fl.arrival {
                if t.clients() != fl.count {
                    return Err(ModelError::invalid(
                        format!("{field}.arrival"),
                        format!(
                            "the trace has {} clients and the fleet {}: client i of the fleet \
                             sends the trace's client i's requests",
                            t.clients(),
                            fl.count
                        ),
                    ));
                }
            }
            if closed_stalls(&fl.arrival, &self.network.delay) {
                return Err(ModelError::invalid(
                    format!("{field}.arrival"),
                    CLOSED_STALLS,
                ));
            }
            if fl.trigger && !matches!(fl.arrival, Arrival::Piecewise { .. }) {
                return Err(ModelError::invalid(
                    format!("{field}.trigger"),
                    "a trigger fleet needs a `piecewise` arrival (its window is when it sends)",
                ));
            }
            for (i, g) in fl.gates.iter().enumerate() {
                g.validate(&format!("{field}.gates[{i}]"))?;
            }
            if let Some(h) = &fl.hedge {
                h.validate(&format!("{field}.hedge"))?;
            }
            let r = &fl.retry;
            if r.max_attempts == 0 {
                return Err(ModelError::invalid(
                    format!("{field}.retry.max_attempts"),
                    "must be at least 1",
                ));
            }
            let backoff = match &r.strategy {
                Strategy::Exponential(b) => Some(b),
                Strategy::RetryAfter(h) => Some(&h.fallback),
                _ => None,
            };
            if let Some(b) = backoff {
                if b.cap < b.base {
                    return Err(ModelError::invalid(
                        format!("{field}.retry.cap"),
                        "must not be below `base`",
                    ));
                }
            }
        }
        if total > u64::from(u32::MAX / 2) {
            return Err(ModelError::invalid(
                "fleet",
                "more than 2^31 clients in total",
            ));
        }
        Ok(())
    }
}

/// A deployment's values: what the scenario loader checks with line numbers, checked again
/// for a deployment built in code.
fn deployment(d: &super::Deployment, levels: usize) -> Result<(), ModelError> {
    use super::{Balancer, EventKind};
    if d.replicas == 0 || d.replicas > super::MAX_REPLICAS {
        return Err(ModelError::invalid(
            "deployment.replicas",
            format!(
                "must be between 1 and {}, got {}",
                super::MAX_REPLICAS,
                d.replicas
            ),
        ));
    }
    if d.placement.len() != levels {
        return Err(ModelError::invalid(
            "deployment",
            format!(
                "{} level states for {levels} limiter levels",
                d.placement.len()
            ),
        ));
    }
    if let Balancer::Weighted(w) = &d.balancer {
        if w.len() != d.replicas as usize || w.iter().all(|&x| x == 0) {
            return Err(ModelError::invalid(
                "deployment.balancer",
                "one weight per replica, not all 0",
            ));
        }
    }
    for (i, e) in d.events.iter().enumerate() {
        let needs = matches!(
            e.kind,
            EventKind::Fail | EventKind::Drain | EventKind::StorePartition
        );
        if needs != e.replica.is_some() || e.replica.is_some_and(|r| r >= d.replicas) {
            return Err(ModelError::invalid(
                format!("deployment.events[{i}].replica"),
                format!(
                    "a replica index from 0 to {} for fail, drain and store_partition only",
                    d.replicas - 1
                ),
            ));
        }
        if e.until <= e.at {
            return Err(ModelError::invalid(
                format!("deployment.events[{i}].duration"),
                "must be longer than zero",
            ));
        }
    }
    Ok(())
}
