//! The live server's configuration: API keys and who they belong to, the limiter levels, the
//! backend, the wire formats (header dialect, error envelope) and the limit store.
//!
//! It is built from `serve` flags (or, later, the server part of a scenario file) and validated
//! once at startup: every limiter level is built through `limiters::Registry::builtin()`, so a
//! typo in `--limiter "token_bucket rte=10/s"` is a startup error naming the parameter, never a
//! failure on the first request.

use super::envelope::Envelope;
use anyhow::{anyhow, bail, Context, Result};
use limiters::{Params, Registry};
use std::collections::HashMap;
use std::fmt;
use std::time::Duration;

/// Who a limiter level counts requests against.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Scope {
    /// One shared limit for every request.
    Global,
    /// Per API key (seed 002's "per credential").
    Key,
    /// Per tenant, i.e. organisation (seed 002's "per org"); `org` is accepted as a synonym,
    /// as in the scenario format where tenants are orgs.
    Tenant,
}

impl Scope {
    /// Parse `global`, `key`, `tenant` or `org`.
    pub fn parse(text: &str) -> Result<Scope> {
        match text {
            "global" => Ok(Scope::Global),
            "key" | "credential" => Ok(Scope::Key),
            "tenant" | "org" => Ok(Scope::Tenant),
            other => bail!("unknown limiter scope `{other}` (expected global, key, tenant or org)"),
        }
    }
    /// The name used in metrics labels and store keys.
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Global => "global",
            Scope::Key => "key",
            Scope::Tenant => "tenant",
        }
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One limiter level: a request must pass every level, and is charged only where all admit.
#[derive(Clone, Debug)]
pub struct Level {
    /// What it counts against.
    pub scope: Scope,
    /// The registered algorithm name.
    pub algorithm: String,
    /// The algorithm's parameters, validated by building one instance at startup.
    pub params: Params,
    /// The status a denial at this level answers: 429 (rate) or 402 (credits, quota).
    pub status: u16,
    /// A fixed `Retry-After` on this level's denials whatever the limiter says (a scenario
    /// level's `retry_after`: seed 000 always answers 60 s); `None`: the limiter's own.
    pub retry_after: Option<Duration>,
    /// When the level charges: at admission, or only when the request completes successfully
    /// (a scenario level's `charge = "on_completion"`: seed 001's check-then-record metering).
    pub charge: sim::model::Charge,
    /// The identity keys (`Identity::key`) the level applies to (a scenario level's `fleets`,
    /// resolved to the keys those fleets' clients use); `None`: every key.
    pub only: Option<std::collections::HashSet<String>>,
    /// The header dialect of this level's fields (`dialect=x-quota-monthly`, a scenario level's
    /// `dialect`); `None`: the server's `--dialect`.
    pub dialect: Option<limiters::headers::Dialect>,
    /// The level's IETF policy name (`policy=per-key`); `None`: its scope's name.
    pub policy: Option<String>,
}

impl Level {
    /// Parse `"[scope:]algorithm k=v k=v ..."`, e.g. `"key:token_bucket rate=10/s burst=20"`
    /// or `"org:sliding_log limit=600 window=60s status=429"`. `status` is the level's denial
    /// status; every other `k=v` is an algorithm parameter (integers and floats are typed as
    /// such, `true`/`false` as booleans, anything else a string such as a rate or duration).
    ///
    /// The level is validated by building it through the registry.
    pub fn parse(spec: &str, registry: &Registry) -> Result<Level> {
        let mut words = spec.split_whitespace();
        let head = words.next().ok_or_else(|| {
            anyhow!("empty limiter spec (expected e.g. \"key:token_bucket rate=10/s burst=20\")")
        })?;
        let (scope, algorithm) = match head.split_once(':') {
            Some((s, a)) => (Scope::parse(s)?, a),
            None => (Scope::Key, head),
        };
        let mut params = Params::new();
        let mut status = 429;
        let mut dialect = None;
        let mut policy = None;
        for w in words {
            let (k, v) = w
                .split_once('=')
                .ok_or_else(|| anyhow!("limiter parameter `{w}` is not of the form name=value"))?;
            if k == "dialect" {
                dialect = Some(
                    v.parse()
                        .map_err(|e| anyhow!("limiter `dialect={v}`: {e}"))?,
                );
                continue;
            }
            if k == "policy" {
                limiters::headers::HeaderStyle::new(limiters::headers::Dialect::Ietf)
                    .with_policy(v)
                    .map_err(|e| anyhow!("limiter `policy={v}`: {e}"))?;
                policy = Some(v.to_string());
                continue;
            }
            if k == "status" {
                status = v
                    .parse()
                    .ok()
                    .filter(|s| matches!(s, 402 | 429 | 503))
                    .ok_or_else(|| anyhow!("limiter `status={v}`: expected 402, 429 or 503"))?;
                continue;
            }
            if let Ok(i) = v.parse::<i64>() {
                params.insert(k, i);
            } else if let Ok(f) = v.parse::<f64>() {
                params.insert(k, f);
            } else if let Ok(b) = v.parse::<bool>() {
                params.insert(k, b);
            } else {
                params.insert(k, v);
            }
        }
        let level = Level {
            scope,
            algorithm: algorithm.to_string(),
            params,
            status,
            retry_after: None,
            charge: sim::model::Charge::OnAdmission,
            only: None,
            dialect,
            policy,
        };
        level.validate(registry)?;
        Ok(level)
    }

    /// True when the level counts requests of `who`.
    pub fn applies(&self, who: &Identity) -> bool {
        self.only
            .as_ref()
            .is_none_or(|keys| keys.contains(&who.key))
    }

    /// True when the level is charged at admission for every key (the plain case).
    pub fn is_plain(&self) -> bool {
        self.only.is_none() && self.charge == sim::model::Charge::OnAdmission
    }

    /// Build one instance to check the algorithm name and parameters.
    pub fn validate(&self, registry: &Registry) -> Result<()> {
        registry
            .build(&self.algorithm, &self.params)
            .map(|_| ())
            .with_context(|| format!("limiter level `{}:{}`", self.scope, self.algorithm))
    }
}

/// An authenticated caller: the API key and the tenant (org) it belongs to.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Identity {
    /// The API key as presented.
    pub key: String,
    /// The tenant (organisation) owning the key.
    pub tenant: String,
}

impl Identity {
    /// The state id of this caller at a scope (`""` for the global scope).
    pub fn id(&self, scope: Scope) -> &str {
        match scope {
            Scope::Global => "",
            Scope::Key => &self.key,
            Scope::Tenant => &self.tenant,
        }
    }
}

/// The backend model: bounded worker pool and queue, service time, deadline, injected errors.
#[derive(Clone, Debug)]
pub struct BackendConfig {
    /// Requests served at once.
    pub workers: usize,
    /// Requests allowed to wait for a worker; one more gets 503.
    pub queue: usize,
    /// Longest wait for a worker (a scenario's `queue_timeout`); past it, 504 and the service
    /// never starts. `None`: no limit of its own (the deadline still applies).
    pub queue_timeout: Option<Duration>,
    /// Deadline from admission to response (queue wait plus service, a scenario's
    /// `deadline`); past it, 504 and the service is cancelled. `None`: no deadline.
    pub deadline: Option<Duration>,
    /// Service time drawn per request, by the simulator's sampler.
    pub service_time: sim::model::Distribution,
    /// Fault windows from server start (outage, error rate, latency spike, capacity drop);
    /// `--error-rate` is an error-rate window over the whole run.
    pub faults: Vec<sim::model::Fault>,
    /// Named upstreams with their own fault windows (a scenario's `[[server.upstreams]]`): a
    /// request picks one with its `X-Upstream` header (none: the first).
    pub upstreams: Vec<sim::model::Upstream>,
    /// Seed of the service-time and fault streams (derived as the simulator derives them).
    pub seed: u64,
}

/// Everything the live server needs.
#[derive(Clone, Debug)]
pub struct LiveConfig {
    /// Port on 127.0.0.1; 0 picks a free one.
    pub port: u16,
    /// API key -> identity.
    pub keys: HashMap<String, Identity>,
    /// Limiter levels, checked in order.
    pub levels: Vec<Level>,
    /// Header dialect name (as `limiters::headers` spells it).
    pub dialect: String,
    /// Error body shape.
    pub envelope: Envelope,
    /// Largest accepted request body in bytes; larger gets 413.
    pub max_body: usize,
    /// A connection that has not sent a complete request head within this time is closed.
    pub header_timeout: Duration,
    /// How long a stored idempotent response is replayed.
    pub idempotency_ttl: Duration,
    /// At most this many stored idempotent responses per tenant (that tenant's oldest evicted
    /// first: another tenant's traffic never evicts them).
    pub idempotency_capacity: usize,
    /// The backend model.
    pub backend: BackendConfig,
    /// Where limiter state lives.
    pub store: StoreConfig,
    /// At most this many open connections (idle ones closed oldest first past it).
    pub max_connections: usize,
    /// Serve `/metrics` on this address instead of the API's (`None`: on the API's).
    pub metrics_addr: Option<std::net::SocketAddr>,
    /// `/metrics` answers only `Authorization: Bearer <token>` (`None`: anyone who reaches it).
    pub metrics_token: Option<String>,
    /// Accept API keys that were not configured (`--open-registration`); `None`: 401.
    pub open_keys: Option<OpenKeys>,
    /// Answer every limiter verdict with [`ARRIVED_HEADER`]: a deployment's replicas do, so the
    /// load client charges its exact limiter at the decision's time, not its own (`check-live`'s
    /// over- and under-admission figures).
    pub arrival_header: bool,
}

/// The Unix time in nanoseconds at which a replica received the request it answers.
pub const ARRIVED_HEADER: &str = "x-throttlelab-arrived";

/// Open registration, as a public API's free tier: any presented API key is a client of its
/// own (key and tenant named by the key), limited like a configured one. Its limiter states
/// live in a bounded, evicting `limiters::keyed` store per level, so a flood of new keys cannot
/// grow memory past `max_keys` states per level.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OpenKeys {
    /// At most this many unconfigured keys' states per level.
    pub max_keys: usize,
    /// A key unused this long whose limiter is back to full capacity is dropped (exact).
    pub idle_after: Duration,
}

impl LiveConfig {
    /// `n` keys `key-0 .. key-(n-1)` spread round-robin over `tenants` tenants `org-0 ..`.
    pub fn generated_keys(n: usize, tenants: usize) -> Result<HashMap<String, Identity>> {
        if tenants == 0 {
            bail!("--orgs must be at least 1");
        }
        Ok((0..n)
            .map(|i| {
                let key = format!("key-{i}");
                let id = Identity {
                    key: key.clone(),
                    tenant: format!("org-{}", i % tenants),
                };
                (key, id)
            })
            .collect())
    }
}

mod store;

pub use store::{OnStoreError, StoreConfig, SyncedLevel};

#[cfg(test)]
mod tests;
