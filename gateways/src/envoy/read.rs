//! Finding and reading `LocalRateLimit` messages in an Envoy YAML file.
//!
//! The file may be a whole bootstrap, a listener, a route configuration or the filter alone:
//! every mapping whose `@type` is the HTTP filter's
//! `type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit` (in
//! `http_filters[].typed_config` or a route's `typed_per_filter_config`), or a top-level
//! mapping with a `token_bucket` and a `stat_prefix`, is one configuration. Field names and
//! defaults follow `api/envoy/extensions/filters/http/local_ratelimit/v3/local_rate_limit.proto`
//! and `api/envoy/type/v3/token_bucket.proto` (<https://github.com/envoyproxy/envoy>).

use super::proto::{duration, fraction, wrapped_bool, wrapped_int};
use crate::tree::At;
use crate::GatewayError;
use limiters::Nanos;

/// The HTTP filter's message type.
pub const HTTP_TYPE: &str = "envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit";
/// The network (connection) filter's message type: limits connections, not requests.
pub const NETWORK_TYPE: &str = "envoy.extensions.filters.network.local_ratelimit.v3.LocalRateLimit";
/// The runtime guard that chose between the timer bucket and the atomic one (1.31 to 1.35).
pub const TIMER_GUARD: &str = "envoy.reloadable_features.no_timer_based_rate_limit_token_bucket";

/// `type.v3.TokenBucket`.
#[derive(Clone, Debug, PartialEq)]
pub struct Bucket {
    /// `max_tokens` (> 0): the size, and the content at start.
    pub max_tokens: u64,
    /// `tokens_per_fill` (default 1).
    pub tokens_per_fill: u64,
    /// `fill_interval` (required, > 0).
    pub fill_interval: Nanos,
}

/// One `LocalRateLimitDescriptor`.
#[derive(Clone, Debug)]
pub struct Descriptor<'a> {
    /// `entries`: key, value (`""`: Envoy 1.34+'s wildcard, a bucket per distinct value).
    pub entries: Vec<(String, String)>,
    /// Its bucket.
    pub bucket: Bucket,
    /// Where it is.
    pub at: At<'a>,
}

/// One `LocalRateLimit` message, as far as decisions go.
#[derive(Clone, Debug)]
pub struct Config<'a> {
    /// Where it is.
    pub at: At<'a>,
    /// Whether it is a route's (or virtual host's) `typed_per_filter_config`.
    pub per_route: bool,
    /// `token_bucket`, with where it is.
    pub bucket: Option<(Bucket, At<'a>)>,
    /// `status.code`, 429 by default and for anything under 400 (as the proto says).
    pub status: u16,
    /// `filter_enabled` and `filter_enforced` default values, as fractions (num, denom);
    /// unset is 0% ("for safety").
    pub enabled: (u64, u64),
    /// See `enabled`.
    pub enforced: (u64, u64),
    /// `descriptors`.
    pub descriptors: Vec<Descriptor<'a>>,
    /// `always_consume_default_token_bucket` (default true).
    pub always_consume_default: bool,
    /// `local_rate_limit_per_downstream_connection`, with where it is when true.
    pub per_connection: Option<At<'a>>,
    /// `local_cluster_rate_limit` is set.
    pub cluster_share: bool,
}

const FIELDS: &[&str] = &[
    "@type",
    "stat_prefix",
    "status",
    "token_bucket",
    "filter_enabled",
    "filter_enforced",
    "request_headers_to_add_when_not_enforced",
    "response_headers_to_add",
    "descriptors",
    "stage",
    "local_rate_limit_per_downstream_connection",
    "local_cluster_rate_limit",
    "enable_x_ratelimit_headers",
    "vh_rate_limits",
    "always_consume_default_token_bucket",
    "rate_limited_as_resource_exhausted",
    "rate_limits",
    "max_dynamic_descriptors",
];

/// Every `LocalRateLimit` under `root`; the network filter's are returned apart (refused).
pub fn find<'a>(root: At<'a>) -> (Vec<(At<'a>, bool)>, Vec<At<'a>>) {
    let mut http = Vec::new();
    let mut network = Vec::new();
    let is_top_level_message =
        root.get("token_bucket").is_some() && root.get("stat_prefix").is_some();
    if is_top_level_message && root.get("@type").is_none() {
        http.push((root, false));
        return (http, network);
    }
    // a mapping node's children: which key holds it tells per-route configurations apart
    for node in root.walk() {
        let Some(per_filter) = node.get("typed_per_filter_config") else {
            if let Some(t) = type_of(node) {
                if t.ends_with(NETWORK_TYPE) {
                    network.push(node);
                } else if t.ends_with(HTTP_TYPE) && !is_per_route_child(root, node) {
                    http.push((node, false));
                }
            }
            continue;
        };
        if let Ok(entries) = per_filter.map("typed_per_filter_config") {
            for (_, v) in entries {
                let v = At::new(node.file, v);
                if type_of(v).is_some_and(|t| t.ends_with(HTTP_TYPE)) {
                    http.push((v, true));
                }
            }
        }
    }
    (http, network)
}

fn type_of(node: At<'_>) -> Option<&str> {
    node.get("@type").and_then(|t| t.str("@type").ok())
}

/// Whether `node` is a value of some `typed_per_filter_config` (found there instead).
fn is_per_route_child(root: At<'_>, node: At<'_>) -> bool {
    root.walk().iter().any(|n| {
        n.get("typed_per_filter_config")
            .and_then(|p| p.map("").ok())
            .is_some_and(|m| m.iter().any(|(_, v)| std::ptr::eq(v, node.node)))
    })
}

/// Read one `LocalRateLimit` message.
pub fn config(at: At<'_>, per_route: bool) -> Result<Config<'_>, GatewayError> {
    at.only("LocalRateLimit", FIELDS)?;
    let bucket = match at.get("token_bucket") {
        Some(b) => Some((bucket(b)?, b)),
        None => None,
    };
    let status = match at.get("status") {
        None => 429,
        Some(s) => {
            s.only("status", &["code"])?;
            let code = s
                .get("code")
                .ok_or_else(|| s.err("`status` needs a `code`"))?;
            let c = code.int("status.code", 0, 999)?;
            if c < 400 {
                429
            } else {
                c as u16
            }
        }
    };
    let mut descriptors = Vec::new();
    if let Some(list) = at.get("descriptors") {
        let crate::tree::Kind::Seq(items) = &list.node.value else {
            return Err(list.err("`descriptors` must be a list"));
        };
        for d in items {
            descriptors.push(descriptor(At::new(at.file, d))?);
        }
    }
    let per_connection = match at.get("local_rate_limit_per_downstream_connection") {
        Some(v) if v.bool("local_rate_limit_per_downstream_connection")? => Some(v),
        _ => None,
    };
    Ok(Config {
        at,
        per_route,
        bucket,
        status,
        enabled: fraction(at.get("filter_enabled"), "filter_enabled")?,
        enforced: fraction(at.get("filter_enforced"), "filter_enforced")?,
        descriptors,
        always_consume_default: match at.get("always_consume_default_token_bucket") {
            Some(v) => wrapped_bool(v, "always_consume_default_token_bucket")?,
            None => true,
        },
        per_connection,
        cluster_share: at.get("local_cluster_rate_limit").is_some(),
    })
}

fn descriptor(at: At<'_>) -> Result<Descriptor<'_>, GatewayError> {
    at.only("descriptor", &["entries", "token_bucket"])?;
    let list = at
        .get("entries")
        .ok_or_else(|| at.err("a descriptor needs `entries` (at least one key/value)"))?;
    let crate::tree::Kind::Seq(items) = &list.node.value else {
        return Err(list.err("`entries` must be a list of {key, value}"));
    };
    if items.is_empty() {
        return Err(list.err("`entries` needs at least one {key, value}"));
    }
    let mut entries = Vec::new();
    for e in items {
        let e = At::new(at.file, e);
        e.only("descriptor entry", &["key", "value"])?;
        let key = e
            .get("key")
            .ok_or_else(|| e.err("an entry needs a `key`"))?;
        let key = key.str("key")?.to_string();
        let value = match e.get("value") {
            Some(v) => v.str("value")?.to_string(),
            None => String::new(),
        };
        entries.push((key, value));
    }
    let b = at
        .get("token_bucket")
        .ok_or_else(|| at.err("a descriptor needs a `token_bucket`"))?;
    Ok(Descriptor {
        entries,
        bucket: bucket(b)?,
        at,
    })
}

/// `type.v3.TokenBucket`.
pub fn bucket(at: At<'_>) -> Result<Bucket, GatewayError> {
    at.only(
        "token_bucket",
        &["max_tokens", "tokens_per_fill", "fill_interval", "name"],
    )?;
    let max = at
        .get("max_tokens")
        .ok_or_else(|| at.err("`token_bucket` needs `max_tokens` (greater than 0)"))?;
    let max_tokens = max.int("max_tokens", 1, u32::MAX.into())? as u64;
    let tokens_per_fill = match at.get("tokens_per_fill") {
        None => 1,
        Some(t) => wrapped_int(t, "tokens_per_fill", 1, u32::MAX.into())? as u64,
    };
    let fi = at
        .get("fill_interval")
        .ok_or_else(|| at.err("`token_bucket` needs `fill_interval` (such as 1s)"))?;
    let fill_interval = duration(fi, "fill_interval")?;
    if fill_interval.is_zero() {
        return Err(fi.err("`fill_interval` must be greater than 0"));
    }
    Ok(Bucket {
        max_tokens,
        tokens_per_fill,
        fill_interval,
    })
}

/// The timer guard's value in a `layered_runtime` static layer of the file, if set.
pub fn timer_guard(root: At<'_>) -> Option<(bool, At<'_>)> {
    root.walk()
        .into_iter()
        .find_map(|n| n.get(TIMER_GUARD).map(|v| (v.bool(TIMER_GUARD).ok(), v)))
        .and_then(|(b, v)| b.map(|b| (b, v)))
}
