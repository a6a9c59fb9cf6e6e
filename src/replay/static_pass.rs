//! The static answer: every logged request checked, at its logged time, against each candidate
//! limit, as a dashboard's "what if" counter or a gateway's dry-run mode counts: what would
//! have been refused if the traffic had stayed exactly as logged. It cannot see the retries a
//! refusal causes (the closed loop's job); it is the number people quote, and the baseline the
//! closed loop is compared with.
//!
//! Each candidate is a scenario's `[[server.limiters]]` hierarchy, run by `sim`'s
//! [`Levels`] (the same code the simulator and `serve` use: every level peeked, charged only
//! if all admit), keyed by the dense ids of the clients and tenants the key expressions name.
//! Several candidates are fed from one reading of the log. Memory grows with the number of
//! distinct clients and tenants, never with the number of lines.
//!
//! Time: 0 is the whole Unix second of the first line; fixed windows keep their calendar
//! alignment ([`Levels::on_calendar`]). Logs are written when requests complete, so lines can
//! be out of order by a request's duration: a line earlier than one already seen is checked at
//! the latest time seen (limiter time never goes back) and counted in `out_of_order`.

use super::time::UnixNanos;
use limiters::{LimiterError, Nanos, Outcome, Registry};
use rustc_hash::FxHashMap;
use sim::model::{Charge, Level};
use sim::server::{Admission, Levels};

/// Names to dense ids, in order of first appearance.
#[derive(Debug, Default)]
pub struct Interner {
    ids: FxHashMap<Box<str>, u32>,
    names: Vec<Box<str>>,
}

impl Interner {
    /// The id of `name`, new or known.
    #[inline]
    pub fn id(&mut self, name: &str) -> u32 {
        if let Some(&id) = self.ids.get(name) {
            return id;
        }
        let id = self.names.len() as u32;
        self.names.push(name.into());
        self.ids.insert(name.into(), id);
        id
    }

    /// Every name, by id.
    pub fn names(&self) -> &[Box<str>] {
        &self.names
    }
}

/// Algorithms whose decisions depend on requests completing (`release`): a log line carries
/// no completion to replay, so the static pass refuses them rather than count wrongly.
const NEEDS_COMPLETION: [&str; 3] = ["concurrency", "aimd", "gradient"];

/// Per-entity counts of one candidate. `first[i]` is `u64::MAX` while entity `i` has no
/// refusal.
#[derive(Debug, Default, Clone)]
pub struct Counts {
    /// Would-be refusals by id.
    pub refused: Vec<u64>,
    /// Time of the first would-be refusal by id (ns since the replay's time 0).
    pub first: Vec<u64>,
}

impl Counts {
    #[inline]
    fn refuse(&mut self, id: u32, now: Nanos) {
        let i = id as usize;
        if i >= self.refused.len() {
            self.refused.resize(i + 1, 0);
            self.first.resize(i + 1, u64::MAX);
        }
        self.refused[i] += 1;
        self.first[i] = self.first[i].min(now.as_nanos());
    }

    /// Refusals of entity `id`.
    pub fn of(&self, id: usize) -> u64 {
        self.refused.get(id).copied().unwrap_or(0)
    }

    /// First refusal time of entity `id`.
    pub fn first_of(&self, id: usize) -> Option<Nanos> {
        self.first
            .get(id)
            .copied()
            .filter(|&t| t != u64::MAX)
            .map(Nanos)
    }
}

/// One candidate limit.
#[derive(Debug)]
pub struct Candidate {
    /// Its name (the scenario's).
    pub name: String,
    levels: Levels,
    /// Would-be refusals by client.
    pub clients: Counts,
    /// Would-be refusals by tenant.
    pub tenants: Counts,
    /// Requests admitted with a delay (a leaky bucket's `delay`), and the delay summed.
    pub delayed: u64,
    /// Sum of those delays.
    pub delay_total: Nanos,
    /// All would-be refusals.
    pub refused: u64,
    /// Some level records only on completion (`charge = "on_completion"`): an admitted request
    /// the log shows succeeded (2xx) is recorded at once (a log line has no duration).
    records_on_completion: bool,
    /// The first would-be refusal.
    pub first: Option<Nanos>,
}

/// Per-entity request counts, as logged.
#[derive(Debug, Default, Clone)]
pub struct Logged {
    /// Requests by id.
    pub requests: Vec<u64>,
    /// Requests the log shows refused (429) by id.
    pub refused: Vec<u64>,
}

impl Logged {
    #[inline]
    fn add(&mut self, id: u32, refused: bool) {
        let i = id as usize;
        if i >= self.requests.len() {
            self.requests.resize(i + 1, 0);
            self.refused.resize(i + 1, 0);
        }
        self.requests[i] += 1;
        self.refused[i] += u64::from(refused);
    }
}

/// The static pass over one log (several files), for every candidate at once.
#[derive(Debug)]
pub struct StaticPass {
    /// The candidates, in the order given.
    pub candidates: Vec<Candidate>,
    /// Client names.
    pub clients: Interner,
    /// Tenant names.
    pub tenants: Interner,
    /// Logged counts by client.
    pub client_log: Logged,
    /// Logged counts by tenant.
    pub tenant_log: Logged,
    /// Unix time of the replay's time 0 (a whole second), once a line was seen.
    pub t0: Option<UnixNanos>,
    /// The latest replay time seen.
    pub last: Nanos,
    /// Lines earlier than one before them.
    pub out_of_order: u64,
    /// The largest step back.
    pub max_skew: Nanos,
    /// Requests checked.
    pub requests: u64,
}

impl StaticPass {
    /// A pass over `candidates` (name, levels). Refuses levels the static pass cannot replay.
    pub fn new(candidates: Vec<(String, Vec<Level>)>) -> Result<StaticPass, String> {
        let registry = Registry::builtin();
        let mut out = Vec::with_capacity(candidates.len());
        for (name, levels) in candidates {
            if levels.is_empty() {
                return Err(format!(
                    "{name}: the scenario has no [[server.limiters]] level: nothing to check"
                ));
            }
            if let Some(l) = levels
                .iter()
                .find(|l| NEEDS_COMPLETION.contains(&l.algorithm.as_str()))
            {
                return Err(format!(
                    "{name}: the `{}` limiter decides on requests in flight, which needs each \
                     request's completion; a log line has none, so the static pass cannot \
                     replay it (use a rate limiter: token_bucket, gcra, fixed_window, \
                     sliding_log, sliding_counter, leaky_bucket, quota)",
                    l.algorithm
                ));
            }
            let records_on_completion = levels.iter().any(|l| l.charge == Charge::OnCompletion);
            let levels = Levels::build(&levels, &registry)
                .map_err(|(i, e)| format!("{name}: level {}: {e}", i + 1))?;
            out.push(Candidate {
                name,
                levels,
                clients: Counts::default(),
                tenants: Counts::default(),
                delayed: 0,
                delay_total: Nanos::ZERO,
                refused: 0,
                first: None,
                records_on_completion,
            });
        }
        Ok(StaticPass {
            candidates: out,
            clients: Interner::default(),
            tenants: Interner::default(),
            client_log: Logged::default(),
            tenant_log: Logged::default(),
            t0: None,
            last: Nanos::ZERO,
            out_of_order: 0,
            max_skew: Nanos::ZERO,
            requests: 0,
        })
    }

    /// The replay time of Unix time `t` (time 0 fixed by the first call).
    fn now(&mut self, t: UnixNanos) -> Nanos {
        let t0 = match self.t0 {
            Some(t0) => t0,
            None => {
                let t0 = t - t % Nanos::PER_SEC;
                self.t0 = Some(t0);
                for c in &mut self.candidates {
                    c.levels.on_calendar(t0 / Nanos::PER_SEC);
                }
                t0
            }
        };
        let now = Nanos(t.saturating_sub(t0));
        if now < self.last {
            self.out_of_order += 1;
            self.max_skew = self.max_skew.max(self.last - now);
            return self.last;
        }
        self.last = now;
        now
    }

    /// Check one logged request (Unix time `t`, from `client` of `tenant`, answered `status`)
    /// against every candidate.
    pub fn observe(
        &mut self,
        t: UnixNanos,
        client: &str,
        tenant: &str,
        status: u16,
    ) -> Result<(), LimiterError> {
        let now = self.now(t);
        let key = self.clients.id(client);
        let ten = self.tenants.id(tenant);
        self.requests += 1;
        self.client_log.add(key, status == 429);
        self.tenant_log.add(ten, status == 429);
        for c in &mut self.candidates {
            match c.levels.admit(now, key, ten, 1)? {
                Admission::Allowed { delay, .. } => {
                    if !delay.is_zero() {
                        c.delayed += 1;
                        c.delay_total = c.delay_total.saturating_add(delay);
                    }
                    if c.records_on_completion && (200..300).contains(&status) {
                        c.levels
                            .release(now, key, ten, 1, Outcome::success(Nanos::ZERO))?;
                    }
                }
                Admission::Denied { .. } => {
                    c.refused += 1;
                    c.first.get_or_insert(now);
                    c.clients.refuse(key, now);
                    c.tenants.refuse(ten, now);
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
