//! The replayed run's fleets: a simulated client per log client and tenant, one fleet per
//! tenant and retry class, each client sending its original requests (the trace).
//!
//! Identity: a fleet's clients each have their own key (`Keys::PerClient`, the fleet's name
//! as key prefix), so a `key` level limits each log client on its own; every fleet of a tenant
//! has the tenant's name as tenant prefix and one tenant, so a `tenant` level is shared by all
//! of the tenant's clients whatever their class. A client seen under two tenants is two
//! simulated clients (its `key` level is then split between them).

use super::policy::ClassPolicy;
use super::Collect;
use limiters::Nanos;
use sim::client::{originals, Trace};
use sim::engine::mix64;
use sim::model::{Arrival, Fleet, Keys, Scenario};
use std::collections::BTreeMap;
use std::sync::Arc;

/// The fleets of a replay.
#[derive(Debug, Clone)]
pub struct Layout {
    /// The fleets, each with its trace and class policy.
    pub fleets: Vec<Fleet>,
    /// Per fleet, the pair (`Collect` id) of each of its clients, by index in the fleet.
    pub members: Vec<Vec<u32>>,
    /// Per pair, its original requests.
    pub originals: Vec<u64>,
    /// Logged requests dropped as retries of a refusal.
    pub dropped: u64,
    /// The last original request's time.
    pub last: Nanos,
    /// Bytes the traces hold.
    pub trace_bytes: u64,
}

/// Where in its second a request logged at a whole second is replayed: uniform in
/// `[0, 1 s)`, from a hash of the seed, the pair and the request's index (the same offsets for
/// every candidate). Replaying them all on the second instead makes ties of what were spread
/// requests, and the order of a tie decides who gets the token (see docs/replay.md).
fn offset(seed: u64, pair: usize, i: usize) -> Nanos {
    let h = mix64(seed ^ mix64(((pair as u64) << 32) ^ i as u64 ^ 0x5eed_0ff5));
    Nanos(h % Nanos::PER_SEC)
}

/// Lay out the fleets of `c` (sorted): originals by `window`, classes by `of_pair`; with
/// `spread` (the log's times are whole seconds), each original moved to a random point of its
/// second drawn from that seed.
pub fn layout(
    c: &Collect,
    window: Nanos,
    classes: &[ClassPolicy],
    of_pair: &[u16],
    spread: Option<u64>,
) -> Layout {
    // (tenant id, class) -> pairs, in a fixed order.
    let mut groups: BTreeMap<(u32, u16), Vec<u32>> = BTreeMap::new();
    for (p, (who, class)) in c.who.iter().zip(of_pair).enumerate() {
        groups.entry((who.1, *class)).or_default().push(p as u32);
    }
    let mut out = Layout {
        fleets: Vec::with_capacity(groups.len()),
        members: Vec::with_capacity(groups.len()),
        originals: vec![0; c.pairs()],
        dropped: 0,
        last: Nanos::ZERO,
        trace_bytes: 0,
    };
    for ((tenant, class), pairs) in groups {
        let times: Vec<Vec<Nanos>> = pairs
            .iter()
            .map(|&p| {
                let mut o = originals(&c.obs[p as usize], window);
                if let Some(seed) = spread {
                    for (i, t) in o.iter_mut().enumerate() {
                        *t = t.saturating_add(offset(seed, p as usize, i));
                    }
                }
                out.originals[p as usize] = o.len() as u64;
                out.dropped += (c.obs[p as usize].len() - o.len()) as u64;
                o
            })
            .collect();
        let trace = Trace::new(times);
        out.last = out.last.max(trace.last().unwrap_or(Nanos::ZERO));
        out.trace_bytes += trace.bytes();
        let cp = &classes[class as usize];
        let tenant_name = &c.tenants.names()[tenant as usize];
        let name = format!("{tenant_name}/{}", cp.class.as_str());
        let mut f = Fleet::new(&name, pairs.len() as u32, Arrival::Trace(Arc::new(trace)));
        f.keys = Keys::PerClient;
        f.key_prefix = name.clone();
        f.tenant_prefix = tenant_name.to_string();
        f.tenants = 1;
        f.retry = cp.policy;
        out.fleets.push(f);
        out.members.push(pairs);
    }
    out
}

/// The scenario that replays `layout` against `candidate`'s server and network for
/// `duration` from the log's time 0 (Unix seconds `epoch`); without the candidate's levels
/// for the `baseline`. The candidate's fleets are left out (the log is the load); its faults
/// stay (an outage is part of the world the candidate is judged in, in both runs).
pub fn scenario(
    candidate: &Scenario,
    layout: &Layout,
    duration: Nanos,
    epoch: u64,
    baseline: bool,
) -> Scenario {
    let mut s = candidate.clone();
    s.name = format!("replay of {}", candidate.name);
    s.fleets = layout.fleets.clone();
    s.duration = duration;
    // One bucket: the replay reads per-client and per-tenant totals, not time series, and a
    // fleet per tenant would otherwise cost a series each.
    s.bucket = duration;
    s.arrival_resolution = duration;
    s.epoch = epoch;
    if baseline {
        s.server.levels.clear();
        s.deployment = None;
    }
    s
}
