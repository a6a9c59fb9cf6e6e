//! Scopes of a figure: the whole run, one fleet, or one tenant.
//!
//! Why: a whole-run total hides what a change does to the clients it touches. Sweeping the
//! jitter of one fleet beside an unchanged one leaves the total's 429s and p99 flat (the
//! unchanged fleet dominates them), and a limiter that moves capacity from a noisy tenant to
//! quiet ones barely moves the total goodput. So every table carries each fleet's figures
//! (`web:goodput_rps`) and, where tenants split the clients differently from fleets, each
//! tenant's (`tenant/quiet-0:goodput_rps`), beside the total; sweeps and comparisons show
//! them first where a parameter touches them.

use super::table::Cell;
use sim::metrics::{RunResult, TenantRow};
use std::collections::BTreeMap;

/// The column-name prefix of a tenant's figures, before its name and a colon.
pub const TENANT_PREFIX: &str = "tenant/";

/// What a figure covers.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Scope {
    /// The whole run, every fleet together.
    All,
    /// One fleet.
    Fleet(String),
    /// One tenant.
    Tenant(String),
}

impl Scope {
    /// `all`, `fleet` or `tenant`.
    pub fn kind(&self) -> &'static str {
        match self {
            Scope::All => "all",
            Scope::Fleet(_) => "fleet",
            Scope::Tenant(_) => "tenant",
        }
    }

    /// `all`, or the fleet's or tenant's name.
    pub fn name(&self) -> &str {
        match self {
            Scope::All => "all",
            Scope::Fleet(n) | Scope::Tenant(n) => n,
        }
    }

    /// The prefix of its column names: ``, `web:`, `tenant/quiet-0:`.
    pub fn prefix(&self) -> String {
        match self {
            Scope::All => String::new(),
            Scope::Fleet(n) => format!("{n}:"),
            Scope::Tenant(n) => format!("{TENANT_PREFIX}{n}:"),
        }
    }

    /// As printed in tables: `all`, `web`, `tenant quiet-0`.
    pub fn label(&self) -> String {
        match self {
            Scope::Tenant(n) => format!("tenant {n}"),
            s => s.name().to_owned(),
        }
    }
}

/// A column name's scope and figure (`web:goodput_rps` -> fleet `web`, `goodput_rps`).
pub fn split_scope(name: &str) -> (Scope, &str) {
    match name.split_once(':') {
        None => (Scope::All, name),
        Some((p, base)) => match p.strip_prefix(TENANT_PREFIX) {
            Some(t) => (Scope::Tenant(t.to_owned()), base),
            None => (Scope::Fleet(p.to_owned()), base),
        },
    }
}

/// The scopes of `names` that carry `figure`, in order of first appearance.
pub fn scopes_of<'a>(names: impl IntoIterator<Item = &'a str>, figure: &str) -> Vec<Scope> {
    let mut out: Vec<Scope> = Vec::new();
    for n in names {
        let (s, base) = split_scope(n);
        if base == figure && !out.contains(&s) {
            out.push(s);
        }
    }
    out
}

/// The fleets a sweep's parameters touch: `fleet.<name>.…` touches fleet `<name>`; any other
/// parameter (server, limiters, faults, network) touches every fleet, given as `None`.
pub fn touched_fleets<S: AsRef<str>>(params: &[S]) -> Option<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for p in params {
        let name = p.as_ref().strip_prefix("fleet.")?.split('.').next()?;
        if !out.iter().any(|o| o == name) {
            out.push(name.to_owned());
        }
    }
    Some(out)
}

/// The scopes in the order a reader wants them: the touched fleets first (every fleet when
/// `touched` is `None`), then the other fleets, the tenants and the whole run.
pub fn lead_with(scopes: &[Scope], touched: Option<&[String]>) -> Vec<Scope> {
    let rank = |s: &Scope| match s {
        Scope::Fleet(n) if touched.is_none_or(|t| t.contains(n)) => 0,
        Scope::Fleet(_) => 1,
        Scope::Tenant(_) => 2,
        Scope::All => 3,
    };
    let mut out = scopes.to_vec();
    out.sort_by_key(rank);
    out
}

/// Whether the tenants split the clients differently from the fleets (a fleet with several
/// tenants, or a tenant shared by fleets): only then do the tenants' figures add anything.
pub fn tenants_differ(r: &RunResult) -> bool {
    let mut fleet_of: BTreeMap<&str, &str> = BTreeMap::new();
    let mut tenant_of: BTreeMap<&str, &str> = BTreeMap::new();
    for c in &r.clients {
        let (f, t) = (c.fleet.as_ref(), c.tenant.as_ref());
        if *fleet_of.entry(t).or_insert(f) != f || *tenant_of.entry(f).or_insert(t) != t {
            return true;
        }
    }
    false
}

/// The figures of one tenant (what the per-tenant totals hold: counts, rates, rejections and
/// server errors by status, p50/p99 latency), named `tenant/<name>:<figure>` with the names
/// of the whole run's figures.
pub fn tenant_cells(t: &TenantRow, duration_s: f64) -> Vec<(String, Cell)> {
    let ratio = |a: u64, b: u64| if b == 0 { 0.0 } else { a as f64 / b as f64 };
    let per_sec = |a: u64| {
        if duration_s > 0.0 {
            a as f64 / duration_s
        } else {
            0.0
        }
    };
    let mut cells: Vec<(String, Cell)> = vec![
        ("clients".into(), Cell::U64(t.clients)),
        ("logical_requests".into(), Cell::U64(t.demand)),
        ("offered_rps".into(), Cell::F64(per_sec(t.demand))),
        ("attempts".into(), Cell::U64(t.attempts)),
        (
            "retry_amplification".into(),
            Cell::F64(ratio(t.attempts, t.demand)),
        ),
        ("rejected_total".into(), Cell::U64(t.rejected_total)),
    ];
    for (code, n) in &t.rejected {
        cells.push((format!("rejected_{code}"), Cell::U64(*n)));
    }
    let rejection_rate = (t.attempts > 0).then(|| ratio(t.rejected_total, t.attempts));
    cells.push(("rejection_rate".into(), rejection_rate.into()));
    cells.push((
        "server_errors_total".into(),
        Cell::U64(t.server_errors_total),
    ));
    for (code, n) in &t.server_errors {
        cells.push((format!("server_errors_{code}"), Cell::U64(*n)));
    }
    cells.extend([
        ("successes".into(), Cell::U64(t.successes)),
        ("goodput_rps".into(), Cell::F64(per_sec(t.successes))),
        (
            "success_ratio".into(),
            Cell::F64(ratio(t.successes, t.demand)),
        ),
        ("give_ups_total".into(), Cell::U64(t.give_ups)),
        ("latency_p50_ms".into(), t.latency_p50_ms.into()),
        ("latency_p99_ms".into(), t.latency_p99_ms.into()),
    ]);
    let prefix = Scope::Tenant(t.tenant.clone()).prefix();
    cells
        .into_iter()
        .map(|(n, c)| (format!("{prefix}{n}"), c))
        .collect()
}

/// Every tenant's figures when [`tenants_differ`], else none.
pub fn tenants_cells(r: &RunResult) -> Vec<(String, Cell)> {
    if !tenants_differ(r) {
        return Vec::new();
    }
    r.tenants
        .iter()
        .flat_map(|t| tenant_cells(t, r.duration_s))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_split_into_scope_and_figure() {
        assert_eq!(split_scope("goodput_rps"), (Scope::All, "goodput_rps"));
        assert_eq!(
            split_scope("web:rejected_429"),
            (Scope::Fleet("web".into()), "rejected_429")
        );
        let (s, f) = split_scope("tenant/quiet-0:goodput_rps");
        assert_eq!(
            (s.clone(), f),
            (Scope::Tenant("quiet-0".into()), "goodput_rps")
        );
        assert_eq!(s.prefix(), "tenant/quiet-0:");
        assert_eq!(s.label(), "tenant quiet-0");
    }

    #[test]
    fn a_fleet_param_touches_its_fleet_others_touch_all() {
        assert_eq!(
            touched_fleets(&["fleet.jitter.retry.jitter", "fleet.jitter.count"]),
            Some(vec!["jitter".to_string()])
        );
        assert_eq!(touched_fleets(&["fleet.a.count", "server.limiters"]), None);
        let scopes = scopes_of(
            [
                "goodput_rps",
                "jitter:goodput_rps",
                "nojitter:goodput_rps",
                "nojitter:attempts",
                "tenant/t-0:goodput_rps",
            ],
            "goodput_rps",
        );
        assert_eq!(scopes.len(), 4);
        let touched = vec!["nojitter".to_string()];
        let led = lead_with(&scopes, Some(&touched));
        assert_eq!(
            led.iter().map(Scope::label).collect::<Vec<_>>(),
            ["nojitter", "jitter", "tenant t-0", "all"]
        );
        let all = lead_with(&scopes, None);
        assert_eq!(all[0], Scope::Fleet("jitter".into()));
        assert_eq!(all[3], Scope::All);
    }

    #[test]
    fn tenant_figures_are_rates_and_ratios_of_its_totals() {
        let t = TenantRow {
            tenant: "q-1".into(),
            clients: 10,
            demand: 600,
            successes: 300,
            attempts: 900,
            give_ups: 12,
            rejected: [(429, 150)].into(),
            rejected_total: 150,
            server_errors: [(503, 0)].into(),
            server_errors_total: 0,
            latency_p50_ms: Some(12.5),
            latency_p99_ms: None,
        };
        let cells = tenant_cells(&t, 60.0);
        let get = |n: &str| cells.iter().find(|(k, _)| k == n).map(|(_, c)| c.clone());
        assert_eq!(get("tenant/q-1:goodput_rps"), Some(Cell::F64(5.0)));
        assert_eq!(get("tenant/q-1:success_ratio"), Some(Cell::F64(0.5)));
        assert_eq!(get("tenant/q-1:retry_amplification"), Some(Cell::F64(1.5)));
        assert_eq!(get("tenant/q-1:give_ups_total"), Some(Cell::U64(12)));
        assert_eq!(get("tenant/q-1:rejected_429"), Some(Cell::U64(150)));
        assert_eq!(
            get("tenant/q-1:rejection_rate"),
            Some(Cell::F64(150.0 / 900.0))
        );
        assert_eq!(get("tenant/q-1:server_errors_503"), Some(Cell::U64(0)));
        assert_eq!(get("tenant/q-1:latency_p50_ms"), Some(Cell::F64(12.5)));
        assert_eq!(get("tenant/q-1:latency_p99_ms"), Some(Cell::Null));
    }
}
