//! envoyproxy/ratelimit's configuration file, as its loader reads it.
//!
//! The fields and their checks follow `src/config/config_impl.go`
//! (<https://github.com/envoyproxy/ratelimit>): `YamlRoot { domain, descriptors }`,
//! `YamlDescriptor { key, value, rate_limit, descriptors, shadow_mode, quota_mode,
//! detailed_metric, value_to_metric, share_threshold, metadata }`, `YamlRateLimit
//! { requests_per_unit, unit, unlimited, name, replaces }`. Like ratelimit's `validKeys`
//! check, an unknown key is an error.

use crate::tree::{Node, Sp};
use serde::Deserialize;

/// The file: one domain.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Root {
    /// The domain Envoy's `ratelimit` filter names.
    pub domain: Sp<String>,
    /// Top-level descriptors.
    #[serde(default)]
    pub descriptors: Vec<Sp<Descriptor>>,
}

/// One descriptor level. The metrics-only fields are read (so the file's own keys are
/// accepted) and change no decision.
#[allow(dead_code)]
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Descriptor {
    /// The entry key (required, not empty).
    pub key: Sp<String>,
    /// The entry value; absent or empty: any value, one counter per value.
    pub value: Option<Sp<String>>,
    /// The limit at this level, if any.
    pub rate_limit: Option<Sp<RateLimit>>,
    /// Nested descriptors (the next entry of the request's descriptor).
    #[serde(default)]
    pub descriptors: Vec<Sp<Descriptor>>,
    /// Never answer OVER_LIMIT (count and report only).
    #[serde(default)]
    pub shadow_mode: bool,
    /// ratelimit's quota mode.
    #[serde(default)]
    pub quota_mode: bool,
    /// Metrics only.
    #[serde(default)]
    pub detailed_metric: bool,
    /// Metrics only.
    #[serde(default)]
    pub value_to_metric: bool,
    /// One counter for every value a wildcard matches.
    #[serde(default)]
    pub share_threshold: bool,
    /// Returned to Envoy; no effect on decisions.
    pub metadata: Option<Node>,
}

/// `rate_limit`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateLimit {
    /// Requests per unit (Go's zero value when absent).
    pub requests_per_unit: Option<Sp<i64>>,
    /// `second` .. `year`, any case.
    pub unit: Option<Sp<String>>,
    /// No limit at all.
    #[serde(default)]
    pub unlimited: bool,
    /// A name other limits' `replaces` may refer to.
    pub name: Option<Sp<String>>,
    /// Limits this one replaces when both apply to a request.
    #[serde(default)]
    pub replaces: Vec<Sp<Replaces>>,
}

/// One `replaces` entry.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Replaces {
    /// The replaced limit's `name`.
    pub name: Sp<String>,
}

/// The unit's window in seconds (`src/utils/utilities.go`, `UnitToDivider`): fixed lengths,
/// a month being 30 days and a year 365.
pub fn divider(unit: &str) -> Option<u64> {
    Some(match unit.to_ascii_uppercase().as_str() {
        "SECOND" => 1,
        "MINUTE" => 60,
        "HOUR" => 3_600,
        "DAY" => 86_400,
        "WEEK" => 604_800,
        "MONTH" => 2_592_000,
        "YEAR" => 31_536_000,
        _ => return None,
    })
}

/// The unit name of a window of `secs` seconds, if ratelimit has one.
pub fn unit_of(secs: u64) -> Option<&'static str> {
    ["second", "minute", "hour", "day", "week", "month", "year"]
        .into_iter()
        .find(|u| divider(u) == Some(secs))
}
