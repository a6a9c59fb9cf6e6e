//! Envoy's `envoy.filters.http.local_ratelimit` HTTP filter: its token bucket (`max_tokens`,
//! `tokens_per_fill`, `fill_interval`), descriptors, `filter_enabled`/`filter_enforced` and
//! status, as lab levels; and a scenario's levels back as that filter.
//!
//! Which bucket: up to Envoy 1.30 the bucket was refilled by a timer, `tokens_per_fill` at a
//! time every `fill_interval` (`TimerTokenBucket` in
//! `source/extensions/filters/common/local_ratelimit/local_ratelimit_impl.cc`): the lab's
//! `stepped_bucket`. From 1.31 the default is `AtomicTokenBucket`
//! (`source/common/common/token_bucket_impl.cc`), refilled continuously at
//! `tokens_per_fill / fill_interval` up to `max_tokens`: the lab's `token_bucket`, exactly.
//! The runtime guard `envoy.reloadable_features.no_timer_based_rate_limit_token_bucket: false`
//! (1.31 to 1.35) brought the timer back; a file that sets it (in a `layered_runtime` static
//! layer) is imported with the timer bucket, any other with the continuous one. Both refuse a
//! `fill_interval` under 50 ms, as Envoy does.
//!
//! Scope: the default bucket is shared by every request through the filter ("per Envoy
//! process"): `scope = "global"`. A descriptor whose one entry has an empty value (Envoy
//! 1.34+'s wildcard: a bucket per distinct value, `dynamic_descriptor.cc`) becomes a per-key
//! level (`tenant` when its key names a tenant or an organisation). A descriptor with a fixed
//! value limits only requests carrying that value, which the lab's requests never do: refused.

mod export;
mod proto;
mod read;

use crate::tree::{self, At, Node};
use crate::{Dialect, GatewayError, Imported, ImportedLevel};
use limiters::{Nanos, Params, Registry};
use read::{Bucket, Config};

pub use export::export_levels as export;

/// Whether `text` looks like this dialect.
pub(crate) fn sniff(text: &str) -> bool {
    text.contains("envoy.filters.http.local_ratelimit") || text.contains(read::HTTP_TYPE)
}

/// Read `text` (the file `file`).
pub fn import(file: &str, text: &str) -> Result<Imported, GatewayError> {
    let root: Node = tree::yaml(file, text)?;
    let root = At::new(file, &root);
    let (http, network) = read::find(root);
    let mut out = Imported::new(Dialect::Envoy);
    if let Some(n) = network.first() {
        if http.is_empty() {
            return Err(n.err(
                "this is the network filter (envoy.filters.network.local_ratelimit): it limits \
                 new connections, and the lab models requests; only the HTTP filter is imported",
            ));
        }
        out.notes
            .push("the network local_ratelimit filter (connections) is not imported".to_string());
    }
    let mut configs = Vec::new();
    for (at, per_route) in http {
        configs.push(read::config(at, per_route)?);
    }
    // a route's own configuration replaces the filter's for that route; the lab has one route
    let any_route = configs.iter().any(|c| c.per_route && limits(c));
    configs.retain(|c| c.per_route == any_route && limits(c));
    if let [first, second, ..] = configs.as_slice() {
        return Err(second.at.err(format!(
            "a second local_ratelimit configuration (the first is at line {}): the lab models \
             one route, so import one configuration at a time",
            first.at.node.referenced.line()
        )));
    }
    let Some(config) = configs.first() else {
        return Ok(out);
    };
    let timer = match read::timer_guard(root) {
        Some((false, _)) => true,
        Some((true, _)) | None => false,
    };
    out.notes.push(if timer {
        format!(
            "{} is false in this file: the timer bucket (Envoy <= 1.30, or 1.31-1.35 with the \
             guard), refilled in whole steps: `stepped_bucket`",
            read::TIMER_GUARD
        )
    } else {
        "Envoy 1.31+'s AtomicTokenBucket, refilled continuously: `token_bucket` (a file \
         setting envoy.reloadable_features.no_timer_based_rate_limit_token_bucket: false gets \
         the timer bucket)"
            .to_string()
    });
    levels(config, timer, &mut out)?;
    Ok(out)
}

/// Whether a configuration limits anything (a filter-level one may only switch the filter on).
fn limits(c: &Config<'_>) -> bool {
    c.bucket.is_some() || !c.descriptors.is_empty()
}

fn levels(c: &Config<'_>, timer: bool, out: &mut Imported) -> Result<(), GatewayError> {
    let whole = |(n, d): (u64, u64)| n == d;
    if c.enabled.0 == 0 || c.enforced.0 == 0 {
        let which = if c.enabled.0 == 0 {
            "filter_enabled"
        } else {
            "filter_enforced"
        };
        return Err(c.at.err(format!(
            "{which} is 0% (Envoy's default when unset, \"for safety\"): this filter never \
             refuses a request, so there is nothing to model; set filter_enabled and \
             filter_enforced to 100% to import it"
        )));
    }
    if !whole(c.enabled) || !whole(c.enforced) {
        return Err(c.at.err(format!(
            "filter_enabled {}/{} and filter_enforced {}/{}: the filter limits a random share \
             of requests, which a lab level cannot say; import it at 100%",
            c.enabled.0, c.enabled.1, c.enforced.0, c.enforced.1
        )));
    }
    if let Some(pc) = c.per_connection {
        return Err(pc.err(
            "local_rate_limit_per_downstream_connection: a bucket per client connection, and \
             the lab does not model connections",
        ));
    }
    if c.cluster_share {
        out.notes.push(
            "local_cluster_rate_limit: the bucket's refill is shared among the local cluster's \
             Envoys; imported for one Envoy (share 1)"
                .to_string(),
        );
    }
    let wildcard: Vec<_> = c.descriptors.iter().map(per_value_scope).collect();
    if let Some((bucket, at)) = &c.bucket {
        if c.descriptors.is_empty() || c.always_consume_default {
            let what = if c.per_route {
                "route typed_per_filter_config token_bucket"
            } else {
                "http filter token_bucket"
            };
            out.levels
                .push(level(*at, bucket, timer, "global", c.status, what)?);
        } else {
            out.notes.push(
                "always_consume_default_token_bucket: false and every lab request matches a \
                 descriptor: the default bucket is never consumed, so it is not imported"
                    .to_string(),
            );
        }
    }
    for (d, scope) in c.descriptors.iter().zip(wildcard) {
        let scope = scope?;
        let what = format!("descriptor {}=* (a bucket per value)", d.entries[0].0);
        // dynamic descriptors always get an AtomicTokenBucket (dynamic_descriptor.cc)
        out.levels
            .push(level(d.at, &d.bucket, false, scope, c.status, &what)?);
    }
    Ok(())
}

/// The scope of a descriptor the lab can model: one wildcard entry.
fn per_value_scope(d: &read::Descriptor<'_>) -> Result<&'static str, GatewayError> {
    match d.entries.as_slice() {
        [(key, value)] if value.is_empty() => {
            let k = key.to_ascii_lowercase();
            Ok(
                if ["tenant", "org", "account"].iter().any(|t| k.contains(t)) {
                    "tenant"
                } else {
                    "key"
                },
            )
        }
        [(key, value)] => Err(d.at.err(format!(
            "descriptor {key}={value} limits only requests whose `{key}` is `{value}`, and lab \
             requests carry no descriptors; give it an empty value (a bucket per distinct \
             value, Envoy 1.34+) to import it as a per-key level"
        ))),
        _ => Err(d.at.err(
            "a descriptor of several entries limits only requests carrying all of them, which \
             lab requests never do; the lab imports one-entry wildcard descriptors",
        )),
    }
}

/// One lab level from a bucket, checked by the lab's own limiter factory.
fn level(
    at: At<'_>,
    b: &Bucket,
    timer: bool,
    scope: &str,
    status: u16,
    what: &str,
) -> Result<ImportedLevel, GatewayError> {
    if b.fill_interval < limiters::MIN_FILL_INTERVAL {
        return Err(at.err(format!(
            "fill_interval {} is under 50ms: Envoy refuses it (\"local rate limit token bucket \
             fill timer must be >= 50ms\")",
            b.fill_interval
        )));
    }
    let mut t = toml::Table::new();
    t.insert("scope".into(), scope.into());
    let mut p = Params::new();
    if timer {
        t.insert("algorithm".into(), "stepped_bucket".into());
        t.insert("max_tokens".into(), (b.max_tokens as i64).into());
        t.insert("tokens_per_fill".into(), (b.tokens_per_fill as i64).into());
        t.insert("fill_interval".into(), dur(b.fill_interval).into());
        p = p
            .with("max_tokens", b.max_tokens as i64)
            .with("tokens_per_fill", b.tokens_per_fill as i64)
            .with("fill_interval", dur(b.fill_interval));
    } else {
        let rate = format!("{}/{}", b.tokens_per_fill, dur(b.fill_interval));
        t.insert("algorithm".into(), "token_bucket".into());
        t.insert("rate".into(), rate.clone().into());
        t.insert("burst".into(), (b.max_tokens as i64).into());
        p = p.with("rate", rate).with("burst", b.max_tokens as i64);
    }
    t.insert("status".into(), i64::from(status).into());
    let algorithm = t["algorithm"].as_str().unwrap_or_default().to_string();
    Registry::builtin()
        .build(&algorithm, &p)
        .map_err(|e| at.err(format!("the lab cannot model this bucket: {e}")))?;
    Ok(ImportedLevel {
        table: t,
        from: tree::pos(at.file, at.node.referenced),
        source: format!(
            "{what}: max_tokens {}, tokens_per_fill {}, fill_interval {}",
            b.max_tokens, b.tokens_per_fill, b.fill_interval
        ),
    })
}

/// A duration as the lab's parameters write it, exactly.
pub(crate) fn dur(n: Nanos) -> String {
    let v = n.as_nanos();
    match v {
        _ if v.is_multiple_of(1_000_000_000) => format!("{}s", v / 1_000_000_000),
        _ if v.is_multiple_of(1_000_000) => format!("{}ms", v / 1_000_000),
        _ if v.is_multiple_of(1_000) => format!("{}us", v / 1_000),
        _ => format!("{v}ns"),
    }
}

/// The levels a scenario file would hold, for the round-trip tests.
#[cfg(test)]
pub(crate) fn as_levels(imported: &Imported) -> Vec<sim::model::Level> {
    crate::test_support::levels(imported)
}

#[cfg(test)]
mod tests;
