//! A live deployment's over-admission figures, measured from what the clients saw, with the
//! simulator's own recorder (`sim::server::deployment::Recorder`): every admission is charged,
//! at the time its answer came back, to the exact one-server limiter hierarchy, and counted in
//! a sliding window of each level's length. So `admitted_over_limit` and
//! `max_window_over_limit` mean the same on both sides of `check-live`.
//!
//! Refusals are fed too, so `refused_with_room` (a limiter refused while the exact hierarchy had
//! room) is measured as well: an answer with a status only a limiter level gives (none of the
//! faults' and not 500/502/503, which a deployment answers for its own failures) is a
//! refusal. What the clients cannot see is left empty here: the replica an attempt reached
//! (HAProxy's choice; `check-live` reads it from each replica's `/metrics`), store latency
//! and calls.
//!
//! Fixed windows: the live servers put them on the wall clock (`limiters::fixed_window::
//! on_unix_clock`), so the exact limiter here does too, from the run's start on the Unix clock.

use limiters::{Nanos, Registry};
use sim::model::{FaultKind, Scenario};
use sim::server::deployment::{DeploymentFigures, Recorder};
use std::collections::HashMap;

/// One verdict of the limiters the clients saw: when, which fleet, which client (global
/// index), admitted or refused.
pub type Verdict = (Nanos, u16, u32, bool);

/// The statuses that mean a limiter level refused: the levels' own, except any a fault or the
/// deployment itself (500 for a store failing closed unless its level says otherwise, 502 for
/// a failed replica, 503 for none in rotation) also answers.
pub fn refusal_statuses(s: &Scenario) -> Vec<u16> {
    let mut other: Vec<u16> = vec![500, 502, 503];
    other.extend(s.deployment.iter().flat_map(|d| {
        d.placement
            .iter()
            .filter_map(|p| p.store())
            .map(|st| st.status_on_error)
    }));
    for f in &s.faults {
        if let FaultKind::ErrorRate { status, .. } | FaultKind::Outage { status } = f.kind {
            other.push(status);
        }
    }
    let mut v: Vec<u16> = s.server.levels.iter().map(|l| l.status).collect();
    v.retain(|st| !other.contains(st));
    v.sort_unstable();
    v.dedup();
    v
}

/// The deployment figures of `verdicts` (sorted by time) in a run of `s` over `horizon`
/// that started at `start_unix_ns` on the Unix clock; `names(fleet, client in fleet)` gives a
/// client's tenant and key names. `None` without a `[deployment]`.
pub fn figures(
    s: &Scenario,
    horizon: Nanos,
    start_unix_ns: u128,
    verdicts: &[Verdict],
    names: &dyn Fn(usize, u32) -> (String, String),
) -> Option<DeploymentFigures> {
    let d = s.deployment.as_ref()?;
    let mut levels = s.server.levels.clone();
    for l in &mut levels {
        if l.algorithm == "fixed_window" {
            l.params = limiters::fixed_window::on_unix_clock(&l.params, start_unix_ns);
        }
    }
    let states: Vec<&str> = (0..levels.len())
        .map(|i| d.placement.get(i).map_or("local", |p| p.as_str()))
        .collect();
    let registry = Registry::builtin();
    let mut rec =
        Recorder::new(&levels, &states, d.replicas, d.balancer.as_str(), &registry).ok()?;
    let fleet_names: Vec<&str> = s.fleets.iter().map(|f| f.name.as_str()).collect();
    rec.bind_fleets(&fleet_names);
    // global client index -> (fleet, index in fleet)
    let mut owner: Vec<(usize, u32)> = Vec::new();
    for (fi, f) in s.fleets.iter().enumerate() {
        owner.extend((0..f.count).map(|i| (fi, i)));
    }
    let mut keys: HashMap<String, u32> = HashMap::new();
    let mut tenants: HashMap<String, u32> = HashMap::new();
    let mut tenant_names: Vec<String> = Vec::new();
    let ids: Vec<(u32, u32)> = owner
        .iter()
        .map(|&(fi, i)| {
            let (tenant, key) = names(fi, i);
            let n = keys.len() as u32;
            let k = *keys.entry(key).or_insert(n);
            let n = tenants.len() as u32;
            let t = *tenants.entry(tenant.clone()).or_insert_with(|| {
                tenant_names.push(tenant);
                n
            });
            (k, t)
        })
        .collect();
    for &(at, fleet, client, admitted) in verdicts {
        let Some(&(key, tenant)) = ids.get(client as usize) else {
            continue;
        };
        rec.verdict(0, admitted, at, fleet, key, tenant, 1).ok()?;
    }
    let mut out = rec.finish(horizon, &|t| {
        tenant_names.get(t as usize).cloned().unwrap_or_default()
    });
    out.admitted_per_replica.clear();
    out.attempts_per_replica.clear();
    out.replica_jain = None;
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admissions_past_the_limit_are_counted_over_it() {
        let text = "name = \"t\"\nduration = \"10s\"\n[[server.limiters]]\nscope = \"key\"\n\
                    algorithm = \"sliding_log\"\nlimit = 2\nwindow = \"1s\"\n\
                    [deployment]\nreplicas = 2\n[fleet.a]\ncount = 2\nkeys = \"per-client\"\n\
                    arrival = { process = \"constant\", rate = \"1/s\" }\n";
        let s = sim::scenario::load_str("t.toml", text).unwrap();
        let ms = |m: u64| Nanos::from_millis(m);
        // client 0: 3 admissions in 1 s (one over); client 1: 2 (none over)
        // client 1 refused at 400 ms while its key had room (1 in the window of 2)
        let a = [
            (ms(0), 0, 0, true),
            (ms(10), 0, 1, true),
            (ms(100), 0, 0, true),
            (ms(200), 0, 0, true),
            (ms(300), 0, 1, true),
            (ms(1_200), 0, 0, false),
            (ms(1_400), 0, 1, false),
        ];
        let names = |_: usize, i: u32| ("t-0".to_string(), format!("k-{i}"));
        let f = figures(&s, Nanos::from_secs(10), 0, &a, &names).unwrap();
        assert_eq!(f.admitted, 5);
        assert_eq!(f.admitted_over_limit, 1);
        assert_eq!(f.levels[0].max_window_over_limit, Some(1.5));
        // the exact log of key 0 holds 0 and 100 ms (200 ms was over the limit, not logged),
        // both out of the 1 s window at 1.2 s; key 1's 10 and 300 ms are out of it at 1.4 s:
        // both refusals came while the exact limiter had room
        assert_eq!(f.refused_with_room, 2);
    }

    #[test]
    fn only_statuses_no_fault_or_failure_shares_count_as_refusals() {
        let text = "name = \"t\"\nduration = \"10s\"\n[[server.limiters]]\nscope = \"key\"\n\
                    algorithm = \"sliding_log\"\nlimit = 2\nwindow = \"1s\"\n\
                    [[server.limiters]]\nscope = \"global\"\nalgorithm = \"sliding_log\"\n\
                    limit = 9\nwindow = \"1s\"\nstatus = 503\n\
                    [[faults]]\nkind = \"error_rate\"\nrate = 0.1\nstatus = 429\nstart = \"1s\"\n\
                    duration = \"1s\"\n[deployment]\nreplicas = 2\n[fleet.a]\ncount = 2\n\
                    arrival = { process = \"constant\", rate = \"1/s\" }\n";
        let s = sim::scenario::load_str("t.toml", text).unwrap();
        assert_eq!(refusal_statuses(&s), Vec::<u16>::new());
        let text = text.replace("status = 429", "status = 500");
        let s = sim::scenario::load_str("t.toml", &text).unwrap();
        assert_eq!(refusal_statuses(&s), vec![429]);
    }
}
