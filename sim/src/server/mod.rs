//! The server: an outage check, the front limiter hierarchy, injected errors, then the backend.
//!
//! The way of one attempt: an active outage (of the whole API, or of the upstream the attempt
//! is for) answers its status before anything else (the load balancer answers; no limiter is
//! charged) -> the limiter levels admit or deny (429/402 with
//! the [`Decision`]) -> an error-rate fault may fail the admitted request (limiters released
//! with a failure) -> the backend serves it, queues it, or refuses it (503 full, 504 waited too
//! long). Every admitted request is released on every level when it leaves, with its outcome.

mod backend;
pub mod deployment;
mod faults;
pub mod idempotency;
mod level_state;
mod levels;
mod receive;
mod response;

pub use crate::model::KeyBound;
pub use backend::{BackendRt, Finished, JobMeta};
pub use faults::Faults;
pub use level_state::Refuse;
pub use levels::{Admission, Levels};
pub use response::{Response, Shown};

use crate::engine::{AttemptId, Crn, EventQueue, Purpose};
use crate::model::{RetryAfterFormat, Server as ServerCfg};
use limiters::headers::{level_styles, Dialect, HeaderStyle};
use limiters::{LimiterError, Nanos, Registry};
use std::collections::HashMap;

/// The server at run time.
#[derive(Debug)]
pub struct Server {
    levels: Levels,
    backend: BackendRt,
    faults: Faults,
    /// Per upstream: its own fault windows (error rates, outages), each with its own stream.
    upstream_faults: Vec<Faults>,
    /// Header dialect name, carried to clients.
    pub dialect: String,
    /// How `Retry-After` is written.
    pub retry_after: RetryAfterFormat,
    /// How each level's decision is rendered (its dialect, or the server's; its IETF policy
    /// name), by level index: what a client that reads headers gets to parse.
    pub styles: Vec<HeaderStyle>,
    /// Every level's decision behind an attempt's response, by `(request, token)`, while the
    /// response travels: kept only when some client reads headers ([`Server::keep_shown`]).
    shown: HashMap<(u32, u32), Shown>,
    /// Every admitted request completes at once, without a job (unlimited workers, zero
    /// service time, no latency fault): the fleet-429 reference model's backend.
    instant: bool,
    /// No fault, one plain limiter level, an instant backend that no level delays into:
    /// [`Server::receive`] takes the direct way.
    direct: bool,
}

impl Server {
    /// Build the server of a run with `seed`: service times and fault coins are drawn per
    /// attempt identity ([`Crn`]).
    pub fn new(
        cfg: &ServerCfg,
        registry: &Registry,
        faults: &[crate::model::Fault],
        seed: u64,
    ) -> Result<Server, (usize, LimiterError)> {
        let backend = BackendRt::new(&cfg.backend, Crn::new(seed, Purpose::Service));
        let faults = Faults::new(faults, Crn::new(seed, Purpose::Faults));
        let levels = Levels::build(&cfg.levels, registry)?;
        let instant = backend.instant() && !faults.adds_latency();
        let styles = styles(cfg).map_err(|e| (0, e))?;
        Ok(Server {
            styles,
            shown: HashMap::new(),
            direct: instant && faults.is_empty() && levels.single_plain(),
            levels,
            instant,
            backend,
            faults,
            upstream_faults: Vec::new(),
            dialect: cfg.dialect.clone(),
            retry_after: cfg.retry_after,
        })
    }

    /// The upstreams' own fault windows, each drawing per attempt from its own draws (derived
    /// from `seed` and the upstream's name, so adding an upstream changes no other draw).
    pub fn set_upstreams(&mut self, upstreams: &[crate::model::Upstream], seed: u64) {
        self.upstream_faults = upstreams
            .iter()
            .map(|u| {
                let name = format!("upstream/{}", u.name);
                Faults::new(&u.faults, Crn::named(seed, Purpose::Faults, &name))
            })
            .collect();
        if self.upstream_faults.iter().any(|f| !f.is_empty()) {
            self.direct = false;
        }
    }

    /// An active outage of the whole API or of `upstream`.
    #[inline]
    fn outage(&self, now: Nanos, upstream: u8) -> Option<u16> {
        self.faults.outage(now).or_else(|| {
            self.upstream_faults
                .get(usize::from(upstream))
                .and_then(|f| f.outage(now))
        })
    }

    /// An injected error of the whole API, else of `upstream` (one coin per active window).
    #[inline]
    fn injected_error(&mut self, now: Nanos, upstream: u8, id: AttemptId) -> Option<u16> {
        self.faults.error(now, id).or_else(|| {
            self.upstream_faults
                .get_mut(usize::from(upstream))
                .and_then(|f| f.error(now, id))
        })
    }

    /// Resolve limiter levels restricted to some fleets: `names[i]` is fleet `i`'s name.
    pub fn bind_fleets(&mut self, names: &[&str]) {
        self.levels.bind_fleets(names);
    }

    /// Keep every level's decision of each attempt, with its time, for clients that read
    /// headers (see [`Server::take_shown`]). Turns the direct way off (it keeps nothing).
    pub fn keep_shown(&mut self, keep: bool) {
        self.levels.keep_shown(keep);
        if keep {
            self.direct = false;
        }
    }

    /// Place fixed windows on the calendar clock whose time 0 is the Unix second `epoch` (see
    /// [`Levels::on_calendar`]).
    pub fn on_calendar(&mut self, epoch: u64) {
        self.levels.on_calendar(epoch);
    }

    /// True when [`Server::take_shown`] may hold something.
    #[inline(always)]
    pub fn keeps_shown(&self) -> bool {
        !self.shown.is_empty()
    }

    /// Every level's decision behind the response to attempt `token` of request `req`, taken
    /// (`None` when not kept: no header-reading client, or no level consulted).
    pub fn take_shown(&mut self, req: u32, token: u32) -> Option<Shown> {
        self.shown.remove(&(req, token))
    }

    /// Times at which a capacity-drop fault starts or ends.
    pub fn capacity_edges(&self) -> Vec<Nanos> {
        self.faults.capacity_edges()
    }

    /// Upstreams a client may fail over between (at least 1).
    pub fn upstreams(&self) -> usize {
        self.upstream_faults.len().max(1)
    }

    /// Requests waiting in the backend queue.
    pub fn queue_len(&self) -> u32 {
        self.backend.queue_len()
    }

    /// Requests in service.
    pub fn busy(&self) -> u32 {
        self.backend.busy()
    }

    /// The first level's `(remaining, limit)`: of its global state, or of key or tenant `hot`.
    pub fn limiter_state(&self, now: Nanos, hot: Option<u32>) -> Option<(u64, u64)> {
        self.levels.first_level_state(now, hot)
    }

    /// The figures of the levels that keep their keys in bounded memory (`max_keys`).
    pub fn keyed_figures(&self) -> Vec<crate::metrics::KeyedLevel> {
        self.levels.keyed_figures()
    }

    /// The first limiter level's scope, if there is a level.
    pub fn first_limiter_scope(&self) -> Option<crate::model::Scope> {
        self.levels.first_scope()
    }

    /// Tag the job ids of this server's events (a deployment's replica index).
    pub fn set_job_tag(&mut self, tag: u32) {
        self.backend.set_tag(tag);
    }

    /// Capacity changed (a capacity-drop window started or ended).
    pub fn capacity_change(&mut self, now: Nanos, q: &mut EventQueue) {
        self.backend.fill_workers(now, q, &mut self.faults);
    }
}

/// The levels' header styles: each level's own dialect or the server's, with the server's
/// `Retry-After` form; IETF policy names from the levels' `policy` or their scopes.
fn styles(cfg: &ServerCfg) -> Result<Vec<HeaderStyle>, LimiterError> {
    let dialect = cfg
        .dialect
        .parse::<Dialect>()
        .map_err(|e| LimiterError::invalid("dialect", e.to_string()))?;
    let retry_after = match cfg.retry_after {
        RetryAfterFormat::Seconds => limiters::headers::RetryAfterFormat::Seconds,
        RetryAfterFormat::HttpDate => limiters::headers::RetryAfterFormat::HttpDate,
    };
    let base = HeaderStyle::new(dialect).with_retry_after(retry_after);
    let dialects: Vec<Option<Dialect>> = cfg.levels.iter().map(|l| l.dialect).collect();
    let policies: Vec<Option<&str>> = cfg.levels.iter().map(|l| l.policy.as_deref()).collect();
    let names: Vec<&str> = cfg.levels.iter().map(|l| l.scope.as_str()).collect();
    level_styles(&base, &dialects, &policies, &names)
        .map_err(|e| LimiterError::invalid("policy", e.to_string()))
}

#[cfg(test)]
mod tests;
