//! What a deployment costs in accuracy and latency, measured against the one exact limiter it
//! stands for.
//!
//! The reference is the scenario's limiter hierarchy as one server would keep it, charged with
//! every request the deployment admitted: an admission it refuses was *over the limit*; a
//! deployment refusal it would have admitted was *under-admission* (the global limit had
//! room). Over-admission in time is the most admissions in any window of the level's length
//! (its `period`/`window`, or its rate's period), divided by its limit: 1.0 is exact, 3.0 is
//! three pods each letting the whole limit through.

use super::share::limit_of;
use crate::metrics::loghist;
use crate::model::{Level, Scope};
use crate::server::Levels;
use limiters::{LimiterError, Nanos, Registry};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, VecDeque};

/// A deployment's figures (`summary.json` `deployment`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DeploymentFigures {
    /// Replicas.
    pub replicas: u32,
    /// The balancer's name.
    pub balancer: String,
    /// Per limiter level.
    pub levels: Vec<LevelFigures>,
    /// Admissions the exact one-server hierarchy would have refused (admitted over the limit).
    pub admitted_over_limit: u64,
    /// Refusals by a limiter while the exact hierarchy had room (under-admission).
    pub refused_with_room: u64,
    /// Attempts the deployment's limiters admitted.
    pub admitted: u64,
    /// Attempts per replica (those sent to a failed replica included).
    pub attempts_per_replica: Vec<u64>,
    /// Admissions per replica.
    pub admitted_per_replica: Vec<u64>,
    /// Jain's index of the replicas' attempt counts (1.0: even load).
    pub replica_jain: Option<f64>,
    /// Attempts answered 502 by a failed replica the balancer had not yet taken out.
    pub failed_replica_502: u64,
    /// Decision latency the store added, median and 99th percentile (ms; zero without a store).
    pub decision_latency_p50_ms: Option<f64>,
    /// See [`DeploymentFigures::decision_latency_p50_ms`].
    pub decision_latency_p99_ms: Option<f64>,
    /// Store calls (decisions and syncs) per second of the run.
    pub store_calls_per_s: f64,
    /// Store calls that failed (outage, partition, timeout).
    pub store_errors: u64,
    /// The admission figures per fleet, in the scenario's fleet order (they add up to the
    /// whole run's).
    #[serde(default)]
    pub per_fleet: Vec<GroupFigures>,
    /// The admission figures per tenant, by tenant name.
    #[serde(default)]
    pub per_tenant: Vec<GroupFigures>,
}

/// Over- and under-admission of one fleet's or one tenant's requests, measured against the
/// exact one-server hierarchy charged with every admission of the run (so a tenant's
/// `admitted_over_limit` counts its admissions the exact limiter refused, whoever filled it).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupFigures {
    /// The fleet's or tenant's name.
    pub name: String,
    /// Its attempts the deployment's limiters admitted.
    pub admitted: u64,
    /// Of those, admissions the exact hierarchy would have refused.
    pub admitted_over_limit: u64,
    /// Its refusals by a limiter while the exact hierarchy had room.
    pub refused_with_room: u64,
}

impl GroupFigures {
    fn add(&mut self, admitted: bool, over: bool, room: bool) {
        self.admitted += u64::from(admitted);
        self.admitted_over_limit += u64::from(over);
        self.refused_with_room += u64::from(room);
    }
}

/// One level's figures.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LevelFigures {
    /// The level's index (0: outermost).
    pub level: u32,
    /// Where its state lives.
    pub state: String,
    /// Its limit and window, when it has one.
    pub limit: Option<u64>,
    /// See [`LevelFigures::limit`] (seconds).
    pub window_s: Option<f64>,
    /// The most admissions in any window of the limit's length (per key or tenant for a keyed
    /// level: the worst one), divided by the limit.
    pub max_window_over_limit: Option<f64>,
    /// Admissions this level alone, kept exactly, would have refused.
    pub admitted_over_limit: u64,
}

/// One level's sliding count of admissions per state id.
#[derive(Debug)]
struct Window {
    scope: Scope,
    limit: u64,
    len: Nanos,
    times: HashMap<u32, VecDeque<Nanos>>,
    max: u64,
}

/// The recorder of a deployment's figures.
#[derive(Debug)]
pub struct Recorder {
    pub(super) out: DeploymentFigures,
    exact_all: Levels,
    exact_each: Vec<Levels>,
    windows: Vec<Option<Window>>,
    latency: Vec<u32>,
    store_calls: u64,
    fleets: Vec<GroupFigures>,
    tenants: BTreeMap<u32, GroupFigures>,
}

impl Recorder {
    /// A recorder for `levels` (with their placements' names) over `replicas`.
    pub fn new(
        levels: &[Level],
        states: &[&str],
        replicas: u32,
        balancer: &str,
        registry: &Registry,
    ) -> Result<Recorder, (usize, LimiterError)> {
        let exact_each = levels
            .iter()
            .enumerate()
            .map(|(i, l)| Levels::build(std::slice::from_ref(l), registry).map_err(|(_, e)| (i, e)))
            .collect::<Result<Vec<_>, _>>()?;
        let windows = levels
            .iter()
            .map(|l| {
                limit_of(&l.params).map(|(limit, len)| Window {
                    scope: l.scope,
                    limit,
                    len,
                    times: HashMap::new(),
                    max: 0,
                })
            })
            .collect();
        Ok(Recorder {
            out: DeploymentFigures {
                replicas,
                balancer: balancer.to_owned(),
                levels: levels
                    .iter()
                    .enumerate()
                    .map(|(i, _)| LevelFigures {
                        level: i as u32,
                        state: states.get(i).copied().unwrap_or("local").to_owned(),
                        ..LevelFigures::default()
                    })
                    .collect(),
                attempts_per_replica: vec![0; replicas as usize],
                admitted_per_replica: vec![0; replicas as usize],
                ..DeploymentFigures::default()
            },
            exact_all: Levels::build(levels, registry)?,
            exact_each,
            windows,
            latency: vec![0; loghist::BINS],
            store_calls: 0,
            fleets: Vec::new(),
            tenants: BTreeMap::new(),
        })
    }

    /// Bind the exact hierarchy's fleet restrictions (see [`Levels::bind_fleets`]).
    pub fn bind_fleets(&mut self, names: &[&str]) {
        self.fleets = names
            .iter()
            .map(|n| GroupFigures {
                name: (*n).to_owned(),
                ..GroupFigures::default()
            })
            .collect();
        self.exact_all.bind_fleets(names);
        for l in &mut self.exact_each {
            l.bind_fleets(names);
        }
    }

    /// An attempt reached replica `r`.
    pub fn attempt(&mut self, r: u32) {
        self.out.attempts_per_replica[r as usize] += 1;
    }

    /// A store call, failed or not.
    pub fn store_call(&mut self, failed: bool) {
        self.store_calls += 1;
        self.out.store_errors += u64::from(failed);
    }

    /// The latency a store added to a decision.
    pub fn decision_latency(&mut self, d: Nanos) {
        loghist::record(&mut self.latency, d.0 / 1_000);
    }

    /// The limiters' verdict on a request of `fleet` at replica `r`: admitted or refused.
    #[allow(clippy::too_many_arguments)]
    pub fn verdict(
        &mut self,
        r: u32,
        admitted: bool,
        now: Nanos,
        fleet: u16,
        key: u32,
        tenant: u32,
        cost: u32,
    ) -> Result<(), LimiterError> {
        let f = Some(fleet);
        if !admitted {
            if self.exact_all.would_admit(f, now, key, tenant, cost)? {
                self.out.refused_with_room += 1;
                self.group(fleet, tenant, false, false, true);
            }
            return Ok(());
        }
        self.out.admitted += 1;
        self.out.admitted_per_replica[r as usize] += 1;
        let over = !matches!(
            self.exact_all.admit_as(f, now, key, tenant, cost)?,
            crate::server::Admission::Allowed { .. }
        );
        self.out.admitted_over_limit += u64::from(over);
        self.group(fleet, tenant, true, over, false);
        for (i, l) in self.exact_each.iter_mut().enumerate() {
            if matches!(
                l.admit_as(f, now, key, tenant, cost)?,
                crate::server::Admission::Denied { .. }
            ) {
                self.out.levels[i].admitted_over_limit += 1;
            }
            if let Some(w) = &mut self.windows[i] {
                let id = match w.scope {
                    Scope::Global => 0,
                    Scope::Key => key,
                    Scope::Tenant => tenant,
                };
                let q = w.times.entry(id).or_default();
                q.push_back(now);
                while q.front().is_some_and(|&t| t + w.len <= now) {
                    q.pop_front();
                }
                w.max = w.max.max(q.len() as u64);
            }
        }
        Ok(())
    }

    /// Count a verdict for its fleet and tenant.
    fn group(&mut self, fleet: u16, tenant: u32, admitted: bool, over: bool, room: bool) {
        if let Some(g) = self.fleets.get_mut(usize::from(fleet)) {
            g.add(admitted, over, room);
        }
        self.tenants
            .entry(tenant)
            .or_default()
            .add(admitted, over, room);
    }

    /// The figures at the end of a run of `duration`, tenants named by `tenant_name`.
    pub fn finish(
        mut self,
        duration: Nanos,
        tenant_name: &dyn Fn(u32) -> String,
    ) -> DeploymentFigures {
        self.out.per_fleet = std::mem::take(&mut self.fleets);
        self.out.per_tenant = std::mem::take(&mut self.tenants)
            .into_iter()
            .map(|(id, g)| GroupFigures {
                name: tenant_name(id),
                ..g
            })
            .collect();
        self.out.per_tenant.sort_by(|a, b| a.name.cmp(&b.name));
        for (i, w) in self.windows.iter().enumerate() {
            if let Some(w) = w {
                let l = &mut self.out.levels[i];
                l.limit = Some(w.limit);
                l.window_s = Some(w.len.as_secs_f64());
                l.max_window_over_limit = Some(w.max as f64 / w.limit as f64);
            }
        }
        // Bin 0 holds the zero latencies of decisions made without a store call.
        let ms = |q| {
            loghist::quantile(&self.latency, q).map(|us| if us < 1.0 { 0.0 } else { us / 1_000.0 })
        };
        self.out.decision_latency_p50_ms = ms(0.5);
        self.out.decision_latency_p99_ms = ms(0.99);
        self.out.store_calls_per_s = self.store_calls as f64 / duration.as_secs_f64().max(1e-9);
        self.out.replica_jain = replica_jain(&self.out.attempts_per_replica);
        self.out
    }
}

/// Jain's index of the replicas' attempt counts: 1.0 when even, `1/N` when one replica takes
/// everything; `None` without an attempt.
///
/// ```
/// use sim::server::deployment::replica_jain;
/// assert_eq!(replica_jain(&[10, 10, 10]), Some(1.0));
/// assert_eq!(replica_jain(&[30, 0, 0]), Some(1.0 / 3.0));
/// assert_eq!(replica_jain(&[0, 0]), None);
/// ```
pub fn replica_jain(attempts: &[u64]) -> Option<f64> {
    let sum: f64 = attempts.iter().map(|&x| x as f64).sum();
    let sq: f64 = attempts.iter().map(|&x| (x as f64) * (x as f64)).sum();
    (sq > 0.0).then(|| sum * sum / (attempts.len() as f64 * sq))
}
