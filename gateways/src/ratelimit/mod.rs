//! envoyproxy/ratelimit's YAML (a domain, nested descriptors, `rate_limit: {unit,
//! requests_per_unit}`, `unlimited`, `shadow_mode`, `name`/`replaces`) as lab levels; and a
//! scenario's levels back as that YAML.
//!
//! The window: ratelimit keeps one counter per descriptor value and per window, the window
//! being `(now / divider) * divider` of Unix seconds (`src/limiter/cache_key.go`,
//! `GenerateCacheKey`): fixed windows aligned to the clock, a "month" being 30 days. That is
//! the lab's `fixed_window` with `period` = the unit's seconds, whose windows a run places at
//! Unix multiples of the period (the scenario's `epoch` is the Unix time of time 0, so the
//! first window is usually partial).
//!
//! Which requests a rule counts: Envoy's route `rate_limits` actions build each request's
//! descriptors; the lab's requests carry an API key and a tenant and nothing else. So a rule
//! whose entries have no value (one counter per value) is a per-key level (`tenant` when its
//! key names a tenant or organisation); entries with a value are accepted only for route-wide
//! constants (`generic_key`, `destination_cluster`, `source_cluster`, `header_match`,
//! `query_match`), which every request through the route carries: with only those, the level
//! is global. A value such as `remote_address: 10.0.0.1` picks requests the lab cannot tell
//! apart, and is refused with that reason.
//!
//! Two differences, documented rather than hidden: ratelimit increments every counter a request
//! touches before comparing (`INCRBY`, then `limitAfterIncrease > limit`), so refused hits count
//! too; the lab charges a level only when every level admits. For unit-cost requests under one
//! rule the decisions are the same (once a window is over its limit it stays over).
//! Measured against the lab's reference of the service (`throttlelab conform --gateway
//! ratelimit`, docs/conformance.md): with 3 per second and 20 per minute on one request,
//! ratelimit refused 8.9% more requests than the lab; with its
//! `STOP_CACHE_KEY_INCREMENT_WHEN_OVERLIMIT` setting, none.

mod export;
mod model;
mod rules;
mod spec;

use crate::tree::{self, err_at, Sp};
use crate::{Dialect, GatewayError, Imported, ImportedLevel};
use spec::{Descriptor, RateLimit, Root};

pub use export::export_levels as export;
pub use model::ConformModel;
pub use rules::{rules, Rule as RuleSpec, Rules};

/// Whether `text` looks like this dialect.
pub(crate) fn sniff(text: &str) -> bool {
    text.contains("requests_per_unit")
}

/// Keys whose valued entries every request of a route carries.
const ROUTE_CONSTANTS: &[&str] = &[
    "generic_key",
    "destination_cluster",
    "source_cluster",
    "header_match",
    "query_match",
];

/// One rule: the descriptor path to a `rate_limit`.
struct Rule<'a> {
    path: Vec<(&'a Sp<String>, Option<&'a Sp<String>>)>,
    limit: &'a Sp<RateLimit>,
    /// The descriptor's `shadow_mode` (count, never refuse).
    shadow_mode: bool,
}

/// Read `text` (the file `file`).
pub fn import(file: &str, text: &str) -> Result<Imported, GatewayError> {
    let root: Root = tree::yaml(file, text)?;
    if root.domain.value.is_empty() {
        return Err(err_at(
            file,
            root.domain.referenced,
            "`domain` must not be empty",
        ));
    }
    let mut rules = Vec::new();
    collect(file, &root.descriptors, &mut Vec::new(), &mut rules, false)?;
    let mut out = Imported::new(Dialect::Ratelimit);
    out.notes.push(format!(
        "domain `{}`: each request is taken to carry every descriptor below (Envoy's rate_limits \
         actions make them); windows on the Unix clock as ratelimit's cache key",
        root.domain.value
    ));
    // names replaced by another rule that applies to the same requests (all of them, here)
    let replaced: Vec<&str> = rules
        .iter()
        .flat_map(|r| {
            r.limit
                .value
                .replaces
                .iter()
                .map(|x| x.value.name.value.as_str())
        })
        .collect();
    for r in &rules {
        let rl = &r.limit.value;
        let label = label(&r.path);
        if rl.unlimited {
            out.notes.push(format!("{label}: unlimited, so no level"));
            continue;
        }
        if let Some(n) = rl
            .name
            .as_ref()
            .filter(|n| replaced.contains(&n.value.as_str()))
        {
            out.notes.push(format!(
                "{label}: `{}` is replaced by another rule every request matches, so no level",
                n.value
            ));
            continue;
        }
        out.levels.push(level(file, r, &label)?);
    }
    Ok(out)
}

fn label(path: &[(&Sp<String>, Option<&Sp<String>>)]) -> String {
    let parts: Vec<String> = path
        .iter()
        .map(|(k, v)| match v {
            Some(v) => format!("{}={}", k.value, v.value),
            None => format!("{}=*", k.value),
        })
        .collect();
    parts.join(" / ")
}

/// Walk the descriptor tree, checking it as ratelimit's loader does, and collect the rules.
fn collect<'a>(
    file: &str,
    list: &'a [Sp<Descriptor>],
    path: &mut Vec<(&'a Sp<String>, Option<&'a Sp<String>>)>,
    rules: &mut Vec<Rule<'a>>,
    allow_shadow: bool,
) -> Result<(), GatewayError> {
    let mut seen: Vec<String> = Vec::new();
    for d in list {
        let d = &d.value;
        if d.key.value.is_empty() {
            return Err(err_at(file, d.key.referenced, "descriptor has empty key"));
        }
        let value = d.value.as_ref().filter(|v| !v.value.is_empty());
        let composite = match value {
            Some(v) => format!("{}_{}", d.key.value, v.value),
            None => d.key.value.clone(),
        };
        if seen.contains(&composite) {
            return Err(err_at(
                file,
                d.key.referenced,
                format!("duplicate descriptor composite key '{composite}'"),
            ));
        }
        seen.push(composite);
        path.push((&d.key, value));
        if let Some(rl) = &d.rate_limit {
            check(file, rl, d, allow_shadow)?;
            rules.push(Rule {
                path: path.clone(),
                limit: rl,
                shadow_mode: d.shadow_mode,
            });
        }
        collect(file, &d.descriptors, path, rules, allow_shadow)?;
        path.pop();
    }
    Ok(())
}

/// ratelimit's own checks on a `rate_limit`, and the lab's refusals of what it cannot model.
fn check(
    file: &str,
    rl: &Sp<RateLimit>,
    d: &Descriptor,
    allow_shadow: bool,
) -> Result<(), GatewayError> {
    let v = &rl.value;
    let at = |msg: String| err_at(file, rl.referenced, msg);
    let valid_unit = v
        .unit
        .as_ref()
        .is_some_and(|u| spec::divider(&u.value).is_some());
    if v.unlimited && valid_unit {
        return Err(at(
            "should not specify rate limit unit when unlimited".into()
        ));
    }
    if !v.unlimited && !valid_unit {
        let (loc, u) = match &v.unit {
            Some(u) => (u.referenced, u.value.as_str()),
            None => (rl.referenced, ""),
        };
        return Err(err_at(
            file,
            loc,
            format!(
                "invalid rate limit unit '{u}' (expected second, minute, hour, day, week, month \
                 or year)"
            ),
        ));
    }
    for r in &v.replaces {
        if r.value.name.value.is_empty() {
            return Err(err_at(
                file,
                r.referenced,
                "should not have an empty replaces entry",
            ));
        }
        if v.name
            .as_ref()
            .is_some_and(|n| n.value == r.value.name.value)
        {
            return Err(err_at(
                file,
                r.referenced,
                "replaces should not contain name of same descriptor",
            ));
        }
    }
    if d.shadow_mode && !v.unlimited && !allow_shadow {
        return Err(at(
            "shadow_mode: this rule never refuses a request (it only counts), so there is \
             nothing to model; remove it or shadow_mode to import"
                .into(),
        ));
    }
    if d.quota_mode {
        return Err(at(
            "quota_mode changes what an over-limit answer means, and the lab has no model of it"
                .into(),
        ));
    }
    Ok(())
}

fn level(file: &str, r: &Rule<'_>, label: &str) -> Result<ImportedLevel, GatewayError> {
    let mut per_value = Vec::new();
    for (k, v) in &r.path {
        match v {
            Some(v) if v.value.contains('*') => {
                return Err(err_at(
                    file,
                    v.referenced,
                    format!(
                        "wildcard value `{}`: counters per matching value, and lab requests \
                         carry no `{}`",
                        v.value, k.value
                    ),
                ))
            }
            Some(v) if !ROUTE_CONSTANTS.contains(&k.value.as_str()) => {
                return Err(err_at(
                    file,
                    v.referenced,
                    format!(
                        "{}={} limits only requests whose `{}` is `{}`, which the lab cannot \
                         tell apart; remove the value (a counter per value) or use a route \
                         constant such as generic_key",
                        k.value, v.value, k.value, v.value
                    ),
                ))
            }
            Some(_) => {}
            None => per_value.push(*k),
        }
    }
    let scope = match per_value.as_slice() {
        [] => "global",
        [k] => {
            let k = k.value.to_ascii_lowercase();
            if ["tenant", "org", "account"].iter().any(|t| k.contains(t)) {
                "tenant"
            } else {
                "key"
            }
        }
        [_, second, ..] => {
            return Err(err_at(
                file,
                second.referenced,
                "a counter per combination of several descriptor values; the lab keys a level \
                 by one client key",
            ))
        }
    };
    let rl = &r.limit.value;
    let n = rl.requests_per_unit.as_ref();
    let count = n.map_or(0, |n| n.value);
    if count < 1 || count > i64::from(u32::MAX) {
        let loc = n.map_or(r.limit.referenced, |n| n.referenced);
        return Err(err_at(
            file,
            loc,
            format!(
                "requests_per_unit must be from 1 to {} (0 refuses every request, which is not \
                 a rate), got {count}",
                u32::MAX
            ),
        ));
    }
    let unit = rl
        .unit
        .as_ref()
        .map(|u| u.value.to_ascii_lowercase())
        .unwrap_or_default();
    let secs = spec::divider(&unit).unwrap_or(1);
    let mut t = toml::Table::new();
    t.insert("scope".into(), scope.into());
    t.insert("algorithm".into(), "fixed_window".into());
    t.insert("limit".into(), count.into());
    t.insert("period".into(), format!("{secs}s").into());
    t.insert("status".into(), 429.into());
    Ok(ImportedLevel {
        table: t,
        from: tree::pos(file, r.limit.referenced),
        source: format!("{label}: {count} per {unit}"),
    })
}

#[cfg(test)]
mod tests;
