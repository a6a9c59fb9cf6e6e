//! The scenario format as a JSON Schema (draft-07), for editors: Taplo and the Even Better
//! TOML extension complete keys, show each field's doc comment and flag unknown keys and
//! wrong types while a scenario file is typed (`throttlelab schema`; `docs/scenarios.md`
//! says how to wire it).
//!
//! The schema is derived from the [`super::spec`] types themselves (schemars derives, behind
//! the `schema` feature, so `sim` stays light without it): a field added to the format is in
//! the schema with its doc comment as description, and a table that denies unknown fields
//! says `additionalProperties: false`. What serde cannot see is added here: the units
//! ([`Dur`], [`RateValue`] as patterns the `limiters` parsers accept), a distribution's two
//! spellings ([`DistSpec`]), a limiter level whose keys depend on its algorithm (from the
//! [`Registry`], so a registered algorithm is in the schema too), the names each kind accepts
//! ([`super::kinds`]) and the `[sweep]` table that `run` ignores.
//!
//! The schema is looser than the loader (ranges such as `count >= 1`, cross-field rules and
//! per-variant keys are checked at load, with `file:line:col`), never stricter: every file the
//! loader accepts is valid against it (`tests/scenario_schema.rs`).
//!
//! ```
//! let schema = sim::scenario::schema::json_schema(&limiters::Registry::builtin());
//! let algorithms = &schema["definitions"]["LimiterLevel"]["properties"]["algorithm"]["enum"];
//! assert!(algorithms.as_array().unwrap().iter().any(|a| a == "token_bucket"));
//! assert_eq!(schema["additionalProperties"], false);
//! ```

use super::kinds;
use super::spec::{DistSpec, DistTable, ScenarioSpec};
use super::units::{Dur, RateValue};
use limiters::Registry;
use schemars::generate::SchemaSettings;
use schemars::{json_schema, JsonSchema, Schema, SchemaGenerator};
use serde_json::{json, Map, Value};
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
                "on_store_error": { "description": "what a replica does when the store fails or times out", "enum": ["open", "closed", "local"] }
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

/// The scenario format's JSON Schema, with the algorithms of `registry`.
pub fn json_schema(registry: &Registry) -> Value {
    let root = SchemaSettings::draft07()
        .into_generator()
        .into_root_schema_for::<ScenarioSpec>();
    let mut v = root.to_value();
    drop_null(&mut v);
    v["title"] = json!("throttlelab scenario");
    v["description"] = json!(
        "A throttlelab scenario file: limiter levels, backend, network, faults and client fleets \
         (scenarios/README.md documents every field)."
    );
    v["properties"]["sweep"] = json!({
        "description": "parameters a sweep varies (`run` and `validate` ignore it)",
        "type": "object",
        "additionalProperties": false,
        "properties": {
            "seeds": { "description": "runs per point", "type": "integer", "minimum": 1 },
            "params": { "description": "dotted path = a list of values or \"FROM..TO:STEP\"", "type": "object" }
        }
    });
    let defs = &mut v["definitions"];
    names(defs, "ArrivalSpec", "process", kinds::PROCESSES);
    names(defs, "DistTable", "dist", kinds::DISTRIBUTIONS);
    names(defs, "FaultSpec", "kind", kinds::FAULTS);
    names(defs, "RetrySpec", "policy", kinds::POLICIES);
    names(defs, "GateTable", "kind", kinds::GATES);
    names(defs, "ServerSpec", "dialect", kinds::DIALECTS);
    levels(&mut defs["LimiterLevel"], registry);
    v
}

/// TOML has no null: an optional field is one that may be left out, never `null`, so the
/// `null` that schemars adds for `Option` goes.
fn drop_null(v: &mut Value) {
    match v {
        Value::Object(o) => {
            if let Some(Value::Array(types)) = o.get_mut("type") {
                types.retain(|t| t != "null");
                if types.len() == 1 {
                    let only = types[0].clone();
                    o.insert("type".into(), only);
                }
            }
            for key in ["anyOf", "oneOf"] {
                if let Some(Value::Array(alts)) = o.get_mut(key) {
                    alts.retain(|a| a != &json!({ "type": "null" }));
                    if alts.len() == 1 {
                        let only = alts.remove(0);
                        o.remove(key);
                        if let Value::Object(inner) = only {
                            for (k, x) in inner {
                                o.entry(k).or_insert(x);
                            }
                        }
                    }
                }
            }
            o.values_mut().for_each(drop_null);
        }
        Value::Array(a) => a.iter_mut().for_each(drop_null),
        _ => {}
    }
}

/// Restrict `definitions[def].properties[field]` to `allowed`.
fn names(defs: &mut Value, def: &str, field: &str, allowed: &[&str]) {
    let p = &mut defs[def]["properties"][field];
    if let Some(o) = p.as_object_mut() {
        o.remove("type");
        o.insert("enum".into(), json!(allowed));
    }
}

/// Per algorithm: its parameters (with their help text) and no other key.
fn levels(level: &mut Value, registry: &Registry) {
    let names: Vec<&str> = registry.names().collect();
    level["properties"]["algorithm"]["enum"] = json!(names);
    let own: Map<String, Value> = level["properties"].as_object().cloned().unwrap_or_default();
    let mut cases = Vec::new();
    for e in registry.entries() {
        let mut props = own.clone();
        for p in e.params {
            props.insert(p.name.into(), json!({ "description": p.help }));
        }
        cases.push(json!({
            "if": { "properties": { "algorithm": { "const": e.name } }, "required": ["algorithm"] },
            "then": { "description": e.summary, "properties": props, "additionalProperties": false }
        }));
    }
    level["allOf"] = Value::Array(cases);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_that_denies_unknown_fields_says_so() {
        let s = json_schema(&Registry::builtin());
        for def in [
            "FleetSpec",
            "RetrySpec",
            "GateTable",
            "BackendSpec",
            "ArrivalSpec",
        ] {
            assert_eq!(
                s["definitions"][def]["additionalProperties"], false,
                "{def}"
            );
        }
        assert_eq!(
            s["definitions"]["FleetSpec"]["properties"]["count"]["type"],
            "integer"
        );
        // an optional field is not required, and is not "null" (TOML has no null)
        let req = s["definitions"]["FleetSpec"]["required"]
            .as_array()
            .unwrap();
        assert!(req.iter().any(|r| r == "count") && !req.iter().any(|r| r == "timeout"));
        assert!(!s.to_string().contains("\"null\""));
    }

    #[test]
    fn each_algorithm_takes_its_own_parameters() {
        let s = json_schema(&Registry::builtin());
        let cases = s["definitions"]["LimiterLevel"]["allOf"]
            .as_array()
            .unwrap();
        let bucket = cases
            .iter()
            .find(|c| c["if"]["properties"]["algorithm"]["const"] == "token_bucket")
            .unwrap();
        let props = bucket["then"]["properties"].as_object().unwrap();
        assert!(props.contains_key("rate") && props.contains_key("burst"));
        assert!(props.contains_key("scope") && !props.contains_key("limit"));
    }
}
