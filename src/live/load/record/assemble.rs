//! The end of a live run: the log sorted by time and replayed into a `sim::metrics::Recorder`
//! (counters, time-series buckets, latency histograms, statuses in dense columns fixed at
//! construction), with the server's gauges from its readings, and assembled into a
//! `sim::RunResult` as `sim::run` assembles its own.

use super::{Ev, Log};
use crate::live::load::gauges::Feed;
use limiters::Nanos;
use sim::metrics::{
    jain_of_ratios, recovery_of_fleets, recovery_window, Arrivals, ClientRow, Recorder, RunResult,
    Series, SummaryInputs, TenantRow,
};
use sim::model::{FaultKind, Scenario};
use std::collections::BTreeMap;

/// Every non-2xx status the scenario's server can answer (as the simulator lists them), plus
/// every status seen: the recorder's status columns.
fn statuses(s: &Scenario, seen: impl Iterator<Item = u16>) -> Vec<u16> {
    let mut v: Vec<u16> = s.server.levels.iter().map(|l| l.status).collect();
    v.extend([503, 504]);
    if s.fleets.iter().any(|f| f.idempotency_key) {
        v.push(409);
    }
    for f in &s.faults {
        if let FaultKind::ErrorRate { status, .. } | FaultKind::Outage { status } = f.kind {
            v.push(status);
        }
    }
    v.extend(seen);
    v.retain(|s| !(200..300).contains(s) && *s < 600);
    v.sort_unstable();
    v.dedup();
    v
}

/// The fault window (first start, last end) over faults and trigger fleets, as the simulator
/// computes it.
fn fault_window(s: &Scenario, horizon: Nanos) -> Option<(Nanos, Nanos)> {
    s.faults
        .iter()
        .map(|f| (f.start, f.end()))
        .chain(s.fleets.iter().filter_map(|f| f.trigger_window(horizon)))
        .fold(None, |acc, (a, b)| match acc {
            None => Some((a, b)),
            Some((x, y)) => Some((x.min(a), y.max(b))),
        })
}

#[derive(Clone, Copy, Debug, Default)]
struct Totals {
    demand: u64,
    successes: u64,
    attempts: u64,
    give_ups: u64,
}

/// Replay `log` into a recorder and assemble the result of a run of `s` over `horizon`
/// (the scenario's duration, or shorter), with the server's readings `feed`; clients are named
/// as the simulator names them.
pub fn assemble(s: &Scenario, seed: u64, horizon: Nanos, log: &Log, feed: &mut Feed) -> RunResult {
    let mut entries = log.take();
    entries.retain(|e| e.at < horizon);
    entries.sort_by_key(|e| e.at);
    let seen = entries.iter().filter_map(|e| match e.ev {
        Ev::Response(s) => Some(s),
        _ => None,
    });
    let statuses = statuses(s, seen);
    let nfleets = s.fleets.len();
    // global client index -> (fleet, index in fleet)
    let mut owner: Vec<(usize, u32)> = Vec::new();
    for (fi, f) in s.fleets.iter().enumerate() {
        owner.extend((0..f.count).map(|i| (fi, i)));
    }
    // tenant name -> dense index (in name order), and each client's
    let mut slots: BTreeMap<String, u32> = BTreeMap::new();
    for &(fi, i) in &owner {
        slots.insert(tenant_name(s, fi, i), 0);
    }
    for (k, v) in slots.values_mut().enumerate() {
        *v = k as u32;
    }
    let tenant_of: Vec<u32> = owner
        .iter()
        .map(|&(fi, i)| slots[&tenant_name(s, fi, i)])
        .collect();
    let mut rec = Recorder::new(nfleets, horizon, s.bucket, &statuses).with_tenants(slots.len());
    let mut totals = vec![Totals::default(); owner.len()];
    let mut attempts = 0u64;
    for e in &entries {
        feed.advance(&mut rec, e.at);
        let f = usize::from(e.fleet);
        let t = &mut totals[e.client as usize];
        match e.ev {
            Ev::Logical => {
                rec.logical(f);
                t.demand += 1;
            }
            Ev::Attempt { retry } => {
                rec.attempt(f, retry);
                rec.server_arrival(f, e.at, 0, 0);
                t.attempts += 1;
                attempts += 1;
            }
            Ev::Response(status) => rec.response(f, tenant_of[e.client as usize], status),
            Ev::Admitted => rec.admitted(f),
            Ev::Timeout => rec.timeout(f),
            Ev::Success(latency) => {
                rec.success(f, tenant_of[e.client as usize], latency);
                t.successes += 1;
            }
            Ev::GiveUp(reason) => {
                rec.give_up(f, reason);
                t.give_ups += 1;
            }
            Ev::RetryDelay(wait) => rec.retry_delay(f, wait),
            Ev::Hedge => {
                rec.hedge(f);
                rec.server_arrival(f, e.at, 0, 0);
                t.attempts += 1;
                attempts += 1;
            }
            Ev::HedgeWin => rec.hedge_won(f, true),
            Ev::HedgeAbandoned(n) => rec.hedge_abandoned(f, n),
            // the deployment figures' input, below
            Ev::Verdict { .. } => {}
        }
    }
    // the attempts whose work can be wasted: timed out, or abandoned hedge copies
    let mut timeouts = vec![0u64; nfleets];
    for e in &entries {
        match e.ev {
            Ev::Timeout => timeouts[usize::from(e.fleet)] += 1,
            Ev::HedgeAbandoned(n) => timeouts[usize::from(e.fleet)] += u64::from(n),
            _ => {}
        }
    }
    feed.finish(&mut rec, &timeouts);
    let server = feed.present();
    let clients = Clients {
        owner: &owner,
        totals: &totals,
        slots: &slots,
    };
    let mut result = build(s, seed, horizon, &rec, &clients, attempts, server);
    if s.deployment.is_some() {
        // the limiters' verdicts at their decision times (admissions, and refusals with a
        // status only a limiter gives: no fault and no deployment failure shares it)
        let refusal = crate::live::load::deployment::refusal_statuses(s);
        let verdicts: Vec<crate::live::load::deployment::Verdict> = entries
            .iter()
            .filter_map(|e| match e.ev {
                Ev::Verdict { admitted: true, .. } => Some((e.at, e.fleet, e.client, true)),
                Ev::Verdict { status, .. } if refusal.contains(&status) => {
                    Some((e.at, e.fleet, e.client, false))
                }
                _ => None,
            })
            .collect();
        // the run's start on the Unix clock (the live servers' fixed windows are on it)
        let start = u128::from(log.start_unix_ns());
        let names = |fi: usize, i: u32| names(s, fi, i);
        result.deployment =
            crate::live::load::deployment::figures(s, horizon, start, &verdicts, &names);
    }
    result
}

/// The tenant name of client `i` of fleet `fi`, as the simulator names it.
fn tenant_name(s: &Scenario, fi: usize, i: u32) -> String {
    let f = &s.fleets[fi];
    format!("{}-{}", f.tenant_prefix, i % f.tenants.max(1))
}

/// Who the clients are and what each did.
struct Clients<'a> {
    /// Global client index -> (fleet, index in fleet).
    owner: &'a [(usize, u32)],
    totals: &'a [Totals],
    /// Tenant name -> its index in the recorder's per-tenant counters.
    slots: &'a BTreeMap<String, u32>,
}

/// The tenant and key names of client `i` of fleet `fi`, as the simulator names them.
fn names(s: &Scenario, fi: usize, i: u32) -> (String, String) {
    let f = &s.fleets[fi];
    let k = crate::live::identities::client_token(f, i);
    (tenant_name(s, fi, i), format!("{}-{k}", f.key_prefix))
}

fn build(
    s: &Scenario,
    seed: u64,
    horizon: Nanos,
    rec: &Recorder,
    who: &Clients,
    attempts: u64,
    server: bool,
) -> RunResult {
    let (owner, totals) = (who.owner, who.totals);
    let fault = fault_window(s, horizon);
    let window = recovery_window(s);
    let mut clients = Vec::with_capacity(owner.len());
    let mut tenants: BTreeMap<String, [u64; 5]> = BTreeMap::new();
    let mut fleet_tenants: Vec<BTreeMap<String, (u64, u64)>> =
        vec![BTreeMap::new(); s.fleets.len()];
    for (c, (&(fi, i), t)) in owner.iter().zip(totals).enumerate() {
        let (tenant, key) = names(s, fi, i);
        let row = tenants.entry(tenant.clone()).or_insert([0; 5]);
        row[0] += 1;
        row[1] += t.demand;
        row[2] += t.successes;
        row[3] += t.attempts;
        row[4] += t.give_ups;
        let ft = fleet_tenants[fi].entry(tenant.clone()).or_insert((0, 0));
        ft.0 += t.successes;
        ft.1 += t.demand;
        clients.push(ClientRow {
            client: c as u32,
            fleet: s.fleets[fi].name.as_str().into(),
            index: i,
            tenant: tenant.into(),
            key,
            demand: t.demand,
            successes: t.successes,
            attempts: t.attempts,
            give_ups: t.give_ups,
        });
    }
    let pairs = |range: std::ops::Range<usize>| {
        jain_of_ratios(totals[range].iter().map(|t| (t.successes, t.demand)))
    };
    let mut fleets = BTreeMap::new();
    let mut series_fleets = BTreeMap::new();
    let mut first = 0usize;
    for (fi, f) in s.fleets.iter().enumerate() {
        let range = first..first + f.count as usize;
        first += f.count as usize;
        let inputs = SummaryInputs {
            clients: u64::from(f.count),
            duration: horizon,
            fairness_clients: pairs(range),
            fairness_tenants: jain_of_ratios(fleet_tenants[fi].values().copied()),
            fault,
            recovery_window: window,
        };
        fleets.insert(f.name.clone(), rec.summary(&[fi], inputs));
        series_fleets.insert(f.name.clone(), rec.series(&[fi], false));
    }
    let all: Vec<usize> = (0..s.fleets.len()).collect();
    let mut summary = rec.summary(
        &all,
        SummaryInputs {
            clients: owner.len() as u64,
            duration: horizon,
            fairness_clients: pairs(0..owner.len()),
            fairness_tenants: jain_of_ratios(tenants.values().map(|t| (t[2], t[1]))),
            fault: None,
            recovery_window: window,
        },
    );
    // As in the simulator: the run's recovery is its fleets' verdict.
    summary.recovery = recovery_of_fleets(
        fleets
            .iter()
            .map(|(n, f)| (n.as_str(), f.recovery.as_ref())),
    );
    let series = Series {
        bucket_s: s.bucket.as_secs_f64(),
        latency_bucket_s: rec.latency_bucket().as_secs_f64(),
        // the server's columns, as the simulator fills them, when the server was read
        limiter_scope: s.server.levels.first().filter(|_| server).map(|l| {
            match l.scope {
                sim::model::Scope::Global => "global",
                sim::model::Scope::Key => "hottest key",
                sim::model::Scope::Tenant => "hottest tenant",
            }
            .to_owned()
        }),
        total: rec.series(&all, server),
        fleets: series_fleets,
    };
    RunResult {
        scenario: s.name.clone(),
        seed,
        duration_s: horizon.as_secs_f64(),
        events: attempts,
        summary,
        fleets,
        series,
        clients,
        tenants: tenants
            .into_iter()
            .map(|(tenant, t)| {
                let slot = who.slots.get(&tenant).copied().unwrap_or(u32::MAX);
                let mut row = TenantRow::from_counts(tenant, t);
                rec.fill_tenant(slot as usize, &mut row);
                row
            })
            .collect(),
        retry_delays: s
            .fleets
            .iter()
            .enumerate()
            .map(|(fi, f)| (f.name.clone(), rec.retry_delays(fi)))
            .collect(),
        arrivals: Arrivals {
            resolution_s: rec.arrival_resolution().as_secs_f64(),
            fleets: s
                .fleets
                .iter()
                .enumerate()
                .map(|(fi, f)| (f.name.clone(), rec.arrival_counts(fi).to_vec()))
                .collect(),
        },
        live: true,
        // the live server's keyed stores are its own (see `/metrics`)
        keyed: Vec::new(),
        deployment: None,
    }
}
