//! `clients.csv` and `tenants.csv`: per-client and per-tenant totals (demand, successes,
//! attempts, give-ups), the inputs of the fairness figures.

use sim::metrics::RunResult;

/// Header and rows of `clients.csv`, by global client index.
pub(crate) fn client_rows(r: &RunResult) -> Vec<Vec<String>> {
    let mut out = vec![[
        "client",
        "fleet",
        "index",
        "tenant",
        "key",
        "demand",
        "successes",
        "attempts",
        "give_ups",
    ]
    .map(String::from)
    .to_vec()];
    out.extend(r.clients.iter().map(|c| {
        vec![
            c.client.to_string(),
            c.fleet.to_string(),
            c.index.to_string(),
            c.tenant.to_string(),
            c.key.clone(),
            c.demand.to_string(),
            c.successes.to_string(),
            c.attempts.to_string(),
            c.give_ups.to_string(),
        ]
    }));
    out
}

/// Header and rows of `tenants.csv`, by tenant name.
pub(crate) fn tenant_rows(r: &RunResult) -> Vec<Vec<String>> {
    let mut out = vec![[
        "tenant",
        "clients",
        "demand",
        "successes",
        "attempts",
        "give_ups",
    ]
    .map(String::from)
    .to_vec()];
    out.extend(r.tenants.iter().map(|t| {
        vec![
            t.tenant.clone(),
            t.clients.to_string(),
            t.demand.to_string(),
            t.successes.to_string(),
            t.attempts.to_string(),
            t.give_ups.to_string(),
        ]
    }));
    out
}
