//! Checks a [`Scenario`] for values its types cannot rule out, naming the offending field by
//! its scenario-file path (`fleet.web.count`, `server.limiters[0].burst`) so the scenario
//! parser can point at the line.

mod values;

pub(crate) use values::{arrival_rate_ok, closed_stalls, CLOSED_STALLS};

use super::{Arrival, FaultKind, Keys, Scenario, Strategy};
use limiters::{LimiterError, Registry};
use std::collections::BTreeSet;
use thiserror::Error;
use values::{arrival, distribution, positive, probability, status};

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
    if let Some(i) = d
        .fault_replicas
        .iter()
        .position(|r| r.is_some_and(|r| r >= d.replicas))
    {
        return Err(ModelError::invalid(
            format!("faults[{i}].replica"),
            format!("a replica index from 0 to {}", d.replicas - 1),
        ));
    }
    Ok(())
}
