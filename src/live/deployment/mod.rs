//! A scenario's `[deployment]` run live: N `serve` processes (the replicas) on their own
//! loopback ports behind a real HAProxy started by the lab (issue #15, "Live, on loopback").
//!
//! Why processes and a real balancer: the point of a deployment is that the replicas do not
//! share memory, and that a real balancer's choices (its round robin, its least-connections
//! count, its hash) decide which replica sees which request. The lab's `load` fleet drives the
//! balancer's port, as clients of a real API would.
//!
//! Where each level's state lives ([`plan`]), mapped onto the live store:
//! - `local`: each replica's own in-memory limiter with the whole limit;
//! - `split`: the same with the limit divided by the replicas (`sim`'s own
//!   [`sim::server::deployment::split_params`], so both sides divide alike);
//! - `central`: the existing Redis store (`check.lua`, one atomic script call per decision);
//!   `sync_interval = "0s"` synced levels run the same way (the simulator's interval 0 makes
//!   the replicas' states equal to one central limiter's);
//! - `synced`: in-memory decisions, counters flushed to Redis every `sync_interval` with one
//!   script call that returns the global counts ([`crate::live::store::synced`]).
//!
//! Refused with a reason (never run with other semantics): `over_limit_cache` and `leases`
//! levels, replica and store events (`[[deployment.events]]`), a level mixing Redis-decided
//! (`central`) and in-memory (`local`, `split`, `synced`) state in one deployment (a replica
//! has one store), `on_store_error = "local"` for central levels.

pub mod fleet;
pub mod haproxy;

use super::config::OnStoreError;
use limiters::Nanos;
use sim::model::{Deployment, Placement, Scenario};
use std::time::Duration;

/// Where the replicas' decisions are made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decider {
    /// In each replica's memory (`local`, `split`, and `synced` levels).
    Memory,
    /// In Redis, one script call per decision (`central` levels).
    Redis {
        /// What a replica does when Redis does not answer.
        on_error: OnStoreError,
        /// How long a call may take.
        timeout: Duration,
        /// The status of a fail-closed refusal (the level's `status_on_error`, 500 unless
        /// set), as the simulator answers it.
        closed_status: u16,
    },
}

/// How a deployment runs live.
#[derive(Clone, Debug, PartialEq)]
pub struct Plan {
    /// Replicas (processes).
    pub replicas: u32,
    /// Where decisions are made.
    pub decider: Decider,
    /// The synced levels: (level index, sync interval, store timeout).
    pub synced: Vec<(usize, Duration, Duration)>,
    /// The split levels' indices.
    pub split: Vec<usize>,
}

impl Plan {
    /// True when the replicas need a Redis server (`central` or `synced` levels).
    pub fn needs_redis(&self) -> bool {
        matches!(self.decider, Decider::Redis { .. }) || !self.synced.is_empty()
    }
}

/// A store call's timeout: the scenario's, or 250 ms (the `serve` default) when it sets none.
fn timeout_of(t: Option<Nanos>) -> Duration {
    t.map_or(Duration::from_millis(250), Duration::from)
}

/// How `s`'s deployment runs live, or why it cannot (a sentence naming the part).
pub fn plan(s: &Scenario) -> Result<Plan, String> {
    let Some(d) = &s.deployment else {
        return Err("the scenario has no [deployment] section".into());
    };
    refuse_events(d)?;
    let mut central = None;
    let mut memory = None;
    let mut synced = Vec::new();
    let mut split = Vec::new();
    for (i, level) in s.server.levels.iter().enumerate() {
        let placement = d.placement.get(i).cloned().unwrap_or_default();
        let what = format!(
            "level {i} (`{}`, state `{}`)",
            level.algorithm,
            placement.as_str()
        );
        match &placement {
            Placement::Local => memory = Some(what),
            Placement::Split => {
                split.push(i);
                memory = Some(what);
            }
            Placement::Synced { interval, .. } if interval.is_zero() => {
                central = Some((what, placement.clone()));
            }
            Placement::Synced { interval, store } => {
                synced.push((i, Duration::from(*interval), timeout_of(store.timeout)));
                memory = Some(what);
            }
            Placement::Central(_) => central = Some((what, placement.clone())),
            Placement::OverLimitCache(_) => {
                return Err(format!(
                    "{what} cannot run live: the over-limit cache of envoyproxy/ratelimit is \
                     only simulated (live runs local, split, central and synced levels)"
                ))
            }
            Placement::Leases { .. } => {
                return Err(format!(
                    "{what} cannot run live: Doorman's leases are only simulated (live runs \
                     local, split, central and synced levels)"
                ))
            }
        }
    }
    let decider = match (central, memory) {
        (Some((c, _)), Some(m)) => {
            return Err(format!(
                "{c} is decided in Redis and {m} in each replica's memory: a live replica has \
                 one store, so a deployment runs either every level central (or synced every \
                 request) or none"
            ))
        }
        (Some((c, p)), None) => {
            let store = match &p {
                Placement::Central(st) | Placement::Synced { store: st, .. } => st.clone(),
                _ => unreachable!("only central and synced levels are kept"),
            };
            let on_error = match store.on_error {
                sim::model::OnStoreError::Open => OnStoreError::FailOpen,
                sim::model::OnStoreError::Closed => OnStoreError::FailClosed,
                sim::model::OnStoreError::Local => {
                    return Err(format!(
                        "{c}: `on_store_error = \"local\"` (a split limiter of the replica's \
                         own) cannot run live; use \"open\" or \"closed\""
                    ))
                }
            };
            Decider::Redis {
                on_error,
                timeout: timeout_of(store.timeout),
                closed_status: store.status_on_error,
            }
        }
        _ => Decider::Memory,
    };
    Ok(Plan {
        replicas: d.replicas,
        decider,
        synced,
        split,
    })
}

/// Replica and store events are the simulator's fault timeline; live they are not run yet.
fn refuse_events(d: &Deployment) -> Result<(), String> {
    match d.events.first() {
        Some(e) => Err(format!(
            "[[deployment.events]] ({:?} at {}) cannot run live: replica failures, drains and \
             store faults are only simulated; remove the events to run the deployment live",
            e.kind, e.at
        )),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scenario(state: &str, extra: &str) -> Scenario {
        let text = format!(
            "name = \"t\"\nduration = \"5s\"\n[[server.limiters]]\nscope = \"key\"\n\
             algorithm = \"fixed_window\"\nlimit = 10\nperiod = \"1s\"\nstate = \"{state}\"\n\
             {extra}\n[deployment]\nreplicas = 3\n[fleet.a]\ncount = 1\n\
             arrival = {{ process = \"constant\", rate = \"1/s\" }}\n"
        );
        sim::scenario::load_str("t.toml", &text).unwrap()
    }

    #[test]
    fn each_state_maps_to_its_live_store() {
        let p = plan(&scenario("local", "")).unwrap();
        assert_eq!(p.decider, Decider::Memory);
        assert!(p.split.is_empty() && p.synced.is_empty());
        let p = plan(&scenario("central", "store_timeout = \"20ms\"")).unwrap();
        assert_eq!(
            p.decider,
            Decider::Redis {
                on_error: OnStoreError::FailOpen,
                timeout: Duration::from_millis(20),
                closed_status: 500,
            }
        );
        let closed = "on_store_error = \"closed\"\nstatus_on_error = 503";
        let p = plan(&scenario("central", closed)).unwrap();
        assert!(matches!(
            p.decider,
            Decider::Redis {
                on_error: OnStoreError::FailClosed,
                closed_status: 503,
                ..
            }
        ));
        let p = plan(&scenario("synced", "sync_interval = \"2s\"")).unwrap();
        assert_eq!(p.decider, Decider::Memory);
        assert_eq!(p.synced[0].1, Duration::from_secs(2));
        assert!(p.needs_redis());
        // synced on every request is the central store
        let p = plan(&scenario("synced", "sync_interval = \"0s\"")).unwrap();
        assert!(matches!(p.decider, Decider::Redis { .. }));
    }

    #[test]
    fn what_live_cannot_run_is_refused_with_the_reason() {
        let text = "name = \"t\"\nduration = \"5s\"\n[[server.limiters]]\nscope = \"global\"\n\
                    algorithm = \"fixed_window\"\nlimit = 10\nperiod = \"1s\"\nstate = \"leases\"\nlease_period = \"1s\"\n\
                    [deployment]\nreplicas = 3\n[fleet.a]\ncount = 1\n\
                    arrival = { process = \"constant\", rate = \"1/s\" }\n";
        let e = plan(&sim::scenario::load_str("t.toml", text).unwrap()).unwrap_err();
        assert!(e.contains("level 0") && e.contains("leases"), "{e}");
        let e = plan(&scenario("over_limit_cache", "")).unwrap_err();
        assert!(e.contains("over-limit cache"), "{e}");
        let e = plan(&scenario("central", "on_store_error = \"local\"")).unwrap_err();
        assert!(e.contains("on_store_error"), "{e}");
        let mut s = scenario("local", "");
        if let Some(d) = s.deployment.as_mut() {
            d.events.push(sim::model::ReplicaEvent {
                kind: sim::model::EventKind::Fail,
                replica: Some(1),
                at: Nanos::from_secs(1),
                until: Nanos::from_secs(2),
            });
        }
        let e = plan(&s).unwrap_err();
        assert!(
            e.contains("[[deployment.events]]") && e.contains("only simulated"),
            "{e}"
        );
        let mut s = scenario("central", "");
        s.server.levels.push(s.server.levels[0].clone());
        if let Some(d) = s.deployment.as_mut() {
            d.placement.push(sim::model::Placement::Local);
        }
        let e = plan(&s).unwrap_err();
        assert!(e.contains("one store"), "{e}");
    }
}
