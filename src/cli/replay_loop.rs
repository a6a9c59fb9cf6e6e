//! `replay --closed-loop`: the log's original requests replayed through the simulator against
//! every candidate (see `crate::replay::closed`), with the retries each candidate's refusals
//! cause; per candidate, tenant and client the would-be refusals, retries induced, goodput
//! lost, first bite and latency added, beside the static answer's refusals.

use crate::replay::closed::layout::layout;
use crate::replay::closed::outcome::{self, PairFig, TenantLatency};
use crate::replay::closed::policy::{assign, fit_pairs, ClassPolicy, Source};
use crate::replay::closed::Collect;
use crate::replay::static_pass::StaticPass;
use limiters::Nanos;
use rayon::prelude::*;
use sim::model::Scenario;
use sim::SimError;
use std::collections::HashMap;

/// One entity's row: name, closed-loop figures, static refusals.
#[derive(Debug, Clone)]
pub struct Entity {
    /// Client or tenant name.
    pub name: String,
    /// Closed-loop figures.
    pub fig: PairFig,
    /// The static answer's would-be refusals.
    pub static_refused: u64,
    /// Latency (tenants only).
    pub latency: Option<TenantLatency>,
}

/// One candidate.
#[derive(Debug, Clone)]
pub struct CandidateRows {
    /// Its name.
    pub name: String,
    /// Totals.
    pub total: PairFig,
    /// The static answer's refusals.
    pub static_refused: u64,
    /// Per tenant, worst first.
    pub tenants: Vec<Entity>,
    /// Per client, worst first.
    pub clients: Vec<Entity>,
    /// Simulator events.
    pub events: u64,
}

impl CandidateRows {
    /// Clients with a refusal.
    pub fn clients_hurt(&self) -> usize {
        self.clients.iter().filter(|e| e.fig.refused > 0).count()
    }
    /// Tenants with a refusal.
    pub fn tenants_hurt(&self) -> usize {
        self.tenants.iter().filter(|e| e.fig.refused > 0).count()
    }
}

/// Everything the closed loop found.
#[derive(Debug, Clone)]
pub struct LoopResult {
    /// Retry classes and their policies.
    pub classes: Vec<ClassPolicy>,
    /// Original requests replayed.
    pub originals: u64,
    /// Logged retries dropped.
    pub dropped: u64,
    /// Replayed span.
    pub duration: Nanos,
    /// Seed.
    pub seed: u64,
    /// Per candidate.
    pub candidates: Vec<CandidateRows>,
    /// Trace memory.
    pub trace_bytes: u64,
    /// The log's times were whole seconds: originals spread over their second.
    pub spread: bool,
}

/// The closed loop's settings.
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    /// The retry window (originals and the fit).
    pub window: Nanos,
    /// `--assume-retry`.
    pub assume: Option<sim::retry::RetryPolicy>,
    /// `--duration`, else the last original plus the window.
    pub duration: Option<Nanos>,
    /// Seed.
    pub seed: u64,
    /// Attempt cap of a class with no give-up in the log.
    pub unseen_cap: u32,
}

fn worst(mut v: Vec<Entity>) -> Vec<Entity> {
    v.sort_by(|a, b| {
        (b.fig.refused, b.fig.goodput_lost())
            .cmp(&(a.fig.refused, a.fig.goodput_lost()))
            .then_with(|| a.name.cmp(&b.name))
    });
    v
}

fn rows(
    c: &Collect,
    out: &outcome::Outcome,
    pass: &StaticPass,
    ci: usize,
) -> (Vec<Entity>, Vec<Entity>) {
    let static_of = |names: &[Box<str>], counts: &crate::replay::static_pass::Counts| {
        names
            .iter()
            .enumerate()
            .map(|(i, n)| (n.to_string(), counts.of(i)))
            .collect::<HashMap<String, u64>>()
    };
    let cand = &pass.candidates[ci];
    let st_clients = static_of(pass.clients.names(), &cand.clients);
    let st_tenants = static_of(pass.tenants.names(), &cand.tenants);
    let mut by_client = vec![PairFig::default(); c.clients.names().len()];
    let mut by_tenant = vec![PairFig::default(); c.tenants.names().len()];
    for (p, f) in out.pairs.iter().enumerate() {
        by_client[c.who[p].0 as usize].add(f);
        by_tenant[c.who[p].1 as usize].add(f);
    }
    let lat: HashMap<&str, &TenantLatency> =
        out.latency.iter().map(|(n, l)| (n.as_str(), l)).collect();
    let ent = |names: &[Box<str>], figs: Vec<PairFig>, st: &HashMap<String, u64>, tenant: bool| {
        names
            .iter()
            .zip(figs)
            .map(|(n, fig)| Entity {
                name: n.to_string(),
                fig,
                static_refused: st.get(n.as_ref()).copied().unwrap_or(0),
                latency: if tenant {
                    lat.get(n.as_ref()).map(|l| (*l).clone())
                } else {
                    None
                },
            })
            .collect::<Vec<_>>()
    };
    (
        worst(ent(c.tenants.names(), by_tenant, &st_tenants, true)),
        worst(ent(c.clients.names(), by_client, &st_clients, false)),
    )
}

/// Fit, lay out and replay every candidate (in parallel; each run is deterministic and
/// shares the seed and fleet names, so the candidates see common random numbers).
pub fn run(
    mut c: Collect,
    candidates: &[Scenario],
    pass: &StaticPass,
    set: Settings,
) -> Result<LoopResult, SimError> {
    c.sort();
    let fits = fit_pairs(&c, set.window);
    let (classes, of_pair) = assign(&fits, set.assume, set.unseen_cap);
    let spread = (!c.subsecond).then_some(set.seed);
    let lay = layout(&c, set.window, &classes, &of_pair, spread);
    let duration = set
        .duration
        .unwrap_or(lay.last.saturating_add(set.window))
        .max(Nanos(1));
    let epoch = c.t0.unwrap_or(0) / Nanos::PER_SEC;
    let outs: Vec<Result<outcome::Outcome, SimError>> = candidates
        .par_iter()
        .map(|s| outcome::run(s, &lay, duration, epoch, set.seed))
        .collect();
    let mut rows_out = Vec::with_capacity(candidates.len());
    for (ci, o) in outs.into_iter().enumerate() {
        let o = o?;
        let mut total = PairFig::default();
        for f in &o.pairs {
            total.add(f);
        }
        let (tenants, clients) = rows(&c, &o, pass, ci);
        rows_out.push(CandidateRows {
            name: pass.candidates[ci].name.clone(),
            total,
            static_refused: pass.candidates[ci].refused,
            tenants,
            clients,
            events: o.events,
        });
    }
    Ok(LoopResult {
        classes,
        originals: lay.originals.iter().sum(),
        dropped: lay.dropped,
        duration,
        seed: set.seed,
        candidates: rows_out,
        trace_bytes: lay.trace_bytes,
        spread: spread.is_some(),
    })
}

/// A policy in a few words.
pub fn describe(cp: &ClassPolicy) -> String {
    use sim::retry::Strategy;
    let p = &cp.policy;
    let s = |n: Nanos| format!("{}.{:03} s", n.as_secs(), n.as_millis() % 1000);
    let what = match p.strategy {
        Strategy::None => "no retries".to_string(),
        Strategy::Fixed { delay } => format!("fixed {}", s(delay)),
        Strategy::Exponential(b) => {
            let cap = match cp.fit {
                Some(f) if f.cap.is_none() => "none seen".to_string(),
                _ => s(b.cap),
            };
            format!(
                "exponential base {} cap {cap} jitter {}",
                s(b.base),
                format!("{:?}", b.jitter).to_lowercase()
            )
        }
        Strategy::RetryAfter(_) => "waits its Retry-After".to_string(),
        other => other.as_str().to_string(),
    };
    let from = match &cp.source {
        Source::Fitted => "fitted".to_string(),
        Source::Assumed => "--assume-retry".to_string(),
        Source::Borrowed(c) => format!("as the `{c}` class: nothing to learn from"),
        Source::Default => "no refusal in the log to learn from: give --assume-retry".into(),
    };
    if let Some(f) = cp
        .fit
        .filter(|f| !f.cap_seen && p.max_attempts > f.max_attempts)
    {
        format!(
            "{what}, {} attempts ({from}; no give-up in the log, longest chain {}: cap assumed, \
             --unseen-attempt-cap)",
            p.max_attempts, f.max_attempts
        )
    } else if p.max_attempts > 1 {
        format!("{what}, {} attempts ({from})", p.max_attempts)
    } else {
        format!("{what} ({from})")
    }
}
