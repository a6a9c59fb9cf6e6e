//! `serve --scenario FILE`: the server part of a scenario file (as loaded and validated by
//! `sim::scenario`) mapped onto the live server, so one file describes the same API to the
//! simulator and to `serve`.
//!
//! Mapped: `[[server.limiters]]` (scope, algorithm, parameters, status, a fixed
//! `retry_after`, `charge = "on_completion"`, and `fleets`, resolved to the API keys those
//! fleets' clients use, see [`super::identities`]), `server.dialect`, `server.retry_after`,
//! `[server.backend]` (workers, queue, queue_timeout, service_time), and the `[[faults]]`
//! windows (counted from server start; see `super::faults`). Not mapped, and reported in
//! [`ServerPart::ignored`] so `serve` warns: the network delay (the network is real here), and
//! a level restricted to fleets whose keys are shared with fleets it does not apply to (live,
//! a level is selected by the key, which then cannot tell the fleets apart). Fleets are
//! `load`'s side.

use super::config::{BackendConfig, Level, Scope};
use super::identities::identities;
use limiters::headers::RetryAfterFormat;
use sim::model::{self, Fault, Scenario};
use std::time::Duration;

/// What a scenario sets on the live server.
#[derive(Debug)]
pub struct ServerPart {
    /// Limiter levels.
    pub levels: Vec<Level>,
    /// Header dialect name.
    pub dialect: String,
    /// `Retry-After` form.
    pub retry_after: RetryAfterFormat,
    /// Backend (with the scenario's fault windows and time limits).
    pub backend: BackendConfig,
    /// Parts of the file `serve` does not use, for a warning.
    pub ignored: Vec<String>,
}

/// Map `s`'s server section and fault windows. The backend's `queue_timeout` and `deadline`
/// are the scenario's, as the simulator reads them; `deadline` (a `--deadline` flag) replaces
/// the scenario's deadline when given. `extra_faults` (from `--error-rate`) are added to the
/// scenario's.
pub fn server_part(s: &Scenario, deadline: Option<Duration>, extra_faults: &[Fault]) -> ServerPart {
    let ids = identities(s);
    let mut ignored = Vec::new();
    let levels = s
        .server
        .levels
        .iter()
        .enumerate()
        .map(|(i, l)| {
            if l.keys.is_some() {
                ignored.push(format!(
                    "level {i} ({}): `max_keys` (live keeps one state per configured key; \
                     `--open-registration --max-keys` bounds the keys nobody configured)",
                    l.algorithm
                ));
            }
            let only = (!l.fleets.is_empty()).then(|| {
                let keys: std::collections::HashSet<String> = ids
                    .fleets
                    .iter()
                    .filter(|(_, users)| users.iter().any(|u| l.fleets.contains(u)))
                    .map(|(k, _)| k.clone())
                    .collect();
                let mixed = ids.fleets.iter().any(|(_, users)| {
                    users.iter().any(|u| l.fleets.contains(u))
                        && users.iter().any(|u| !l.fleets.contains(u))
                });
                if mixed {
                    ignored.push(format!(
                        "level {i} ({}): `fleets = {:?}` exactly (its fleets share keys with \
                         other fleets; live the level applies to every client of those keys)",
                        l.algorithm, l.fleets
                    ));
                }
                keys
            });
            Level {
                scope: match l.scope {
                    model::Scope::Global => Scope::Global,
                    model::Scope::Key => Scope::Key,
                    model::Scope::Tenant => Scope::Tenant,
                },
                algorithm: l.algorithm.clone(),
                params: l.params.clone(),
                status: l.status,
                retry_after: l.retry_after.map(Duration::from),
                charge: l.charge,
                only,
                dialect: l.dialect,
                policy: l.policy.clone(),
            }
        })
        .collect();
    let b = &s.server.backend;
    let backend = BackendConfig {
        workers: b
            .workers
            .map_or(tokio::sync::Semaphore::MAX_PERMITS, |w| w as usize),
        queue: b.queue as usize,
        queue_timeout: b.queue_timeout.map(Duration::from),
        deadline: deadline.or(b.deadline.map(Duration::from)),
        service_time: b.service_time.clone(),
        faults: s.faults.iter().chain(extra_faults).cloned().collect(),
        upstreams: s.server.upstreams.clone(),
        seed: s.seed,
    };
    if !s.network.delay.is_zero() {
        ignored.push("the network delay (the network is real here)".to_string());
    }
    ServerPart {
        levels,
        dialect: s.server.dialect.clone(),
        retry_after: match s.server.retry_after {
            model::RetryAfterFormat::Seconds => RetryAfterFormat::Seconds,
            model::RetryAfterFormat::HttpDate => RetryAfterFormat::HttpDate,
        },
        backend,
        ignored,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scenario_server_section_maps_onto_the_live_server() {
        let text = r#"
name = "t"
duration = "10s"
[server]
dialect = "x-ratelimit-epoch"
retry_after = "http-date"
[[server.limiters]]
scope = "key"
algorithm = "sliding_log"
limit = 60
window = "60s"
[[server.limiters]]
scope = "org"
algorithm = "gcra"
rate = "600/min"
status = 429
[server.backend]
workers = 5
queue = 7
queue_timeout = "2s"
deadline = "30s"
service_time = { dist = "constant", value = "10ms" }
[fleet.web]
count = 1
arrival = { process = "constant", rate = "1/s" }
"#;
        let s = sim::scenario::load_str("t.toml", text).unwrap();
        let p = server_part(&s, None, &[]);
        assert_eq!(p.levels.len(), 2);
        assert_eq!(p.levels[0].scope, Scope::Key);
        assert_eq!(p.levels[1].scope, Scope::Tenant);
        assert_eq!(p.levels[1].algorithm, "gcra");
        assert_eq!(p.dialect, "x-ratelimit-epoch");
        assert_eq!(p.retry_after, RetryAfterFormat::HttpDate);
        assert_eq!((p.backend.workers, p.backend.queue), (5, 7));
        assert_eq!(p.backend.queue_timeout, Some(Duration::from_secs(2)));
        assert_eq!(p.backend.deadline, Some(Duration::from_secs(30)));
        // a `--deadline` flag replaces the scenario's; without either there is none
        let flag = server_part(&s, Some(Duration::from_secs(5)), &[]);
        assert_eq!(flag.backend.deadline, Some(Duration::from_secs(5)));
        let none = sim::scenario::load_str("t.toml", &text.replace("deadline = \"30s\"\n", ""));
        assert_eq!(
            server_part(&none.unwrap(), None, &[]).backend.deadline,
            None
        );
        assert!(p.ignored.is_empty());
        for l in &p.levels {
            l.validate(&limiters::Registry::builtin()).unwrap();
        }
    }

    /// A level's `dialect` and `policy` are served; its `max_keys` is reported as not honoured.
    #[test]
    fn level_dialect_is_mapped_and_max_keys_reported() {
        let text = r#"
name = "t"
duration = "10s"
[[server.limiters]]
scope = "org"
algorithm = "quota"
limit = 10
period = "month"
dialect = "x-quota-monthly"
policy = "month"
max_keys = 100
[fleet.web]
count = 1
arrival = { process = "constant", rate = "1/s" }
"#;
        let s = sim::scenario::load_str("t.toml", text).unwrap();
        let p = server_part(&s, None, &[]);
        let l = &p.levels[0];
        assert_eq!(l.dialect, Some(limiters::headers::Dialect::XQuotaMonthly));
        assert_eq!(l.policy.as_deref(), Some("month"));
        assert!(p.ignored[0].contains("max_keys"), "{:?}", p.ignored);
    }

    #[test]
    fn level_retry_after_charge_and_fleets_are_mapped() {
        let text = r#"
name = "t"
duration = "10s"
[[server.limiters]]
scope = "key"
algorithm = "fixed_window"
limit = 1
period = "60s"
retry_after = "7s"
charge = "on_completion"
fleets = ["b"]
[fleet.a]
count = 2
arrival = { process = "constant", rate = "1/s" }
[fleet.b]
count = 2
arrival = { process = "constant", rate = "1/s" }
"#;
        let s = sim::scenario::load_str("t.toml", text).unwrap();
        let p = server_part(&s, None, &[]);
        let l = &p.levels[0];
        assert_eq!(l.retry_after, Some(Duration::from_secs(7)));
        assert_eq!(l.charge, model::Charge::OnCompletion);
        let only = l.only.as_ref().expect("restricted");
        assert!(only.contains("b-0") && only.contains("b-1") && !only.contains("a-0"));
        assert!(p.ignored.is_empty(), "{:?}", p.ignored);
        // fleets sharing keys with a fleet outside the filter cannot be told apart: a warning
        let shared = text.replace("[fleet.b]\n", "[fleet.b]\nkey_prefix = \"a\"\n");
        let s = sim::scenario::load_str("t.toml", &shared).unwrap();
        let p = server_part(&s, None, &[]);
        assert_eq!(p.ignored.len(), 1, "{:?}", p.ignored);
    }
}
