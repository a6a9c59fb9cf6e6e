//! The pieces of the scenario schema that serde cannot derive: the units ([`Dur`],
//! [`RateValue`]) as the patterns the `limiters` parsers accept, a distribution's two spellings
//! ([`DistSpec`]), and schema-only stand-ins for tables the loader keeps as maps (a limiter
//! level, a fleet's keys, a retry policy's jitter). The spec types name these in their
//! `schemars(with = ...)` attributes; [`super::schema`] assembles the whole schema.

use super::dist_spec::{DistSpec, DistTable};
use super::kinds;
use super::units::{Dur, RateValue};
use schemars::{json_schema, JsonSchema, Schema, SchemaGenerator};
use std::borrow::Cow;

/// The units `limiters::parse_duration` takes.
const UNITS: &str = "(ns|us|µs|ms|s|sec|m|min|h|d|day)";

impl JsonSchema for Dur {
    fn schema_name() -> Cow<'static, str> {
        "Duration".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "description": "a duration with a unit: ns, us, ms, s, m (or min), h, d",
            "pattern": format!(r"^\s*([0-9]+\.?[0-9]*|\.[0-9]+)\s*{UNITS}\s*$"),
            "examples": ["250ms", "30s", "1.5s", "5m"]
        })
    }
}

impl JsonSchema for RateValue {
    fn schema_name() -> Cow<'static, str> {
        "Rate".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "description": "a rate: a whole count per period, such as \"500/s\", \"60/min\" or \"5/250ms\"",
            "pattern": format!(r"^\s*[0-9_]+\s*/\s*([0-9]+\.?[0-9]*)?\s*{UNITS}\s*$"),
            "examples": ["10/s", "60/min", "100000/day"]
        })
    }
}

impl JsonSchema for DistSpec {
    fn schema_name() -> Cow<'static, str> {
        "Distribution".into()
    }
    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let fixed = generator.subschema_for::<Dur>();
        let table = generator.subschema_for::<DistTable>();
        json_schema!({
            "description": "a constant duration (\"5ms\") or a table such as { dist = \"exponential\", mean = \"5ms\" }",
            "anyOf": [fixed, table]
        })
    }
}

/// Schema only: one `[[server.limiters]]` table (the loader keeps it as a map; its keys
/// besides the level's own are the algorithm's parameters).
#[derive(Debug)]
pub struct LimiterLevel;

impl JsonSchema for LimiterLevel {
    fn schema_name() -> Cow<'static, str> {
        "LimiterLevel".into()
    }
    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let mut duration = |what: &str| {
            let mut d = generator.subschema_for::<Dur>();
            d.insert("description".into(), what.into());
            d
        };
        let retry_after = duration("a fixed Retry-After on this level's denials");
        let idle_after =
            duration("with max_keys: a key idle this long at full capacity is dropped");
        let store_timeout =
            duration("how long a replica waits for the store before on_store_error");
        let lease_period = duration(
            "leases: how long a replica's share of a global limit lasts before it is renewed and rebalanced by demand",
        );
        let mut store_rtt = generator.subschema_for::<DistSpec>();
        store_rtt.insert(
            "description".into(),
            "central, over_limit_cache, synced: the store's round trip (a duration or a distribution)"
                .into(),
        );
        json_schema!({
            "description": "a limiter level: `scope`, `algorithm`, and the algorithm's parameters (`throttlelab list`)",
            "type": "object",
            "anyOf": [{ "required": ["scope", "algorithm"] }, { "required": ["from"] }],
            "properties": {
                "scope": { "description": "one state for all (global), per API key, or per tenant (org)", "enum": kinds::SCOPES },
                "algorithm": { "description": "the limiter algorithm", "type": "string" },
                "status": { "description": "status of a denial (default 429; 402 for a credit level)", "type": "integer" },
                "retry_after": retry_after,
                "charge": { "description": "when the level is charged (default on_admission)", "enum": kinds::CHARGES },
                "fleets": { "description": "the fleets this level counts (default: all)", "type": "array", "items": { "type": "string" } },
                "dialect": { "description": "this level's header dialect (default: the server's)", "enum": kinds::DIALECTS },
                "policy": { "description": "the IETF RateLimit policy name of this level", "type": "string" },
                "max_keys": { "description": "bound the per-key states (evicting store)", "type": "integer" },
                "idle_after": idle_after,
                "from": { "description": "a gateway configuration (nginx, HAProxy, Envoy, envoyproxy/ratelimit, Kong, AWS usage plan) whose limits become levels here; the level's other keys apply to each (`throttlelab import`)", "type": "string" },
                "state": { "description": "with [deployment]: where this level's state lives", "enum": ["local", "split", "central", "over_limit_cache", "synced", "leases"] },
                "lease_period": lease_period,
                "sync_interval": { "description": "synced: how often local counters are flushed to the store (a duration, \"0s\" every request, or \"never\")", "type": "string" },
                "store_rtt": store_rtt,
                "store_timeout": store_timeout,
                "on_store_error": { "description": "what a replica does when the store fails or times out", "enum": ["open", "closed", "local"] },
                "status_on_error": { "description": "with on_store_error = \"closed\": the refusal's status (Envoy's status_on_error; default 500)", "type": "integer", "minimum": 400, "maximum": 599 }
            }
        })
    }
}

/// Schema only: a fleet's `keys`: `"per-client"` or a number of shared keys.
#[derive(Debug)]
pub struct Keys;

impl JsonSchema for Keys {
    fn schema_name() -> Cow<'static, str> {
        "Keys".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "\"per-client\" (each client its own key) or a number of API keys the clients share",
            "anyOf": [{ "const": "per-client" }, { "type": "integer" }]
        })
    }
}

/// Schema only: a retry policy's `jitter`: a name, `"+P%"`, or (for `retry_after`) a duration.
#[derive(Debug)]
pub struct Jitter;

impl JsonSchema for Jitter {
    fn schema_name() -> Cow<'static, str> {
        "Jitter".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "exponential: none, full, equal, decorrelated or \"+P%\"; retry_after: a duration or \"+P%\"",
            "type": "string"
        })
    }
}
