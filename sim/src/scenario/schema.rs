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
//! loader accepts is valid against it (`tests/cli/scenario_schema.rs`).
//!
//! ```
//! let schema = sim::scenario::schema::json_schema(&limiters::Registry::builtin());
//! let algorithms = &schema["definitions"]["LimiterLevel"]["properties"]["algorithm"]["enum"];
//! assert!(algorithms.as_array().unwrap().iter().any(|a| a == "token_bucket"));
//! assert_eq!(schema["additionalProperties"], false);
//! ```

use super::kinds;
pub use super::schema_parts::{Jitter, Keys, LimiterLevel};
use super::spec::ScenarioSpec;
use limiters::Registry;
use schemars::generate::SchemaSettings;
use serde_json::{json, Map, Value};

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
