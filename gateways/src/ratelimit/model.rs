//! The lab's model of an envoyproxy/ratelimit file, for `throttlelab conform`: the levels
//! [`super::import`] makes of it (a `fixed_window` of `requests_per_unit` per unit, windows at
//! Unix multiples of the unit; per client key or global), fed the reference service's Unix
//! clock in milliseconds, a request charged to every level only when all of them admit it
//! (the lab's hierarchy).
//!
//! `shadow_mode` rules, which the importer refuses because they never refuse, are left out:
//! the model of a rule that only counts is no level at all.

use super::rules::Rules;
use crate::conform::{Model, Verdict};
use limiters::{FixedWindow, Limiter, Nanos};
use std::collections::HashMap;

/// One level: its fresh window and whether it is kept per client key.
#[derive(Clone, Debug)]
struct Level {
    fresh: FixedWindow,
    per_key: bool,
}

/// The lab's levels of a ratelimit file, with their per-key and global windows.
///
/// ```
/// use gateways::conform::{Model, Verdict};
/// let yaml = "domain: api\ndescriptors:\n  - key: user\n    rate_limit: {unit: second, requests_per_unit: 2}\n";
/// let rules = gateways::ratelimit::rules("r.yaml", yaml).unwrap();
/// let mut m = gateways::ratelimit::ConformModel::new(&rules).unwrap();
/// let t = 1_700_000_000_000; // Unix ms, a whole second
/// assert_eq!(m.decide("a", t + 998), Verdict::Pass);
/// assert_eq!(m.decide("a", t + 999), Verdict::Pass);
/// assert_eq!(m.decide("a", t + 999), Verdict::Reject);
/// assert_eq!(m.decide("a", t + 1000), Verdict::Pass); // the next second's window
/// assert_eq!(m.decide("b", t + 999), Verdict::Pass);
/// ```
#[derive(Clone, Debug)]
pub struct ConformModel {
    levels: Vec<Level>,
    global: Vec<Option<FixedWindow>>,
    keys: HashMap<String, Vec<Option<FixedWindow>>>,
}

impl ConformModel {
    /// The levels of `rules` as the importer makes them.
    pub fn new(rules: &Rules) -> Result<ConformModel, limiters::LimiterError> {
        let replaced: Vec<&str> = rules
            .rules
            .iter()
            .flat_map(|r| r.replaces.iter().map(String::as_str))
            .collect();
        let mut levels = Vec::new();
        for r in &rules.rules {
            let is_replaced = r.name.as_deref().is_some_and(|n| replaced.contains(&n));
            if r.unlimited || is_replaced || r.shadow_mode {
                continue;
            }
            levels.push(Level {
                fresh: FixedWindow::new(
                    r.requests_per_unit,
                    Nanos::from_secs(r.divider),
                    Nanos::ZERO,
                )?,
                per_key: r.per_key,
            });
        }
        let global = levels
            .iter()
            .map(|l| (!l.per_key).then(|| l.fresh.clone()))
            .collect();
        Ok(ConformModel {
            levels,
            global,
            keys: HashMap::new(),
        })
    }

    /// Whether any level is one counter for everybody (then streams are not independent).
    pub fn has_global(&self) -> bool {
        self.levels.iter().any(|l| !l.per_key)
    }

    /// Levels modelled.
    pub fn levels(&self) -> usize {
        self.levels.len()
    }
}

impl Model for ConformModel {
    fn peek(&self, key: &str, ms: u64) -> Verdict {
        self.clone().decide(key, ms)
    }
    fn decide(&mut self, key: &str, ms: u64) -> Verdict {
        let levels = &self.levels;
        let mine = self.keys.entry(key.to_string()).or_insert_with(|| {
            levels
                .iter()
                .map(|l| l.per_key.then(|| l.fresh.clone()))
                .collect()
        });
        let now = Nanos::from_millis(ms);
        let windows = || {
            mine.iter()
                .zip(&self.global)
                .map(|(k, g)| k.as_ref().or(g.as_ref()))
        };
        if windows().flatten().any(|w| !w.peek(now, 1).allowed) {
            return Verdict::Reject;
        }
        for (k, g) in mine.iter_mut().zip(self.global.iter_mut()) {
            if let Some(w) = k.as_mut().or(g.as_mut()) {
                w.check(now, 1);
            }
        }
        Verdict::Pass
    }
}
