//! serde's messages in the words of a scenario file. serde names Rust types (`expected struct
//! RetrySpec`, `expected i64`, `invalid type: sequence`); a user wrote TOML, so each becomes
//! what to write instead: `expected a table like { policy = "exponential", base = "100ms" }`,
//! `expected a whole number`, `invalid type: array`. A spec type not in [`EXAMPLES`] still
//! reads `expected a table`, never its Rust name (`tests/error_wording.rs` feeds a wrong type
//! to every table of the format and checks no message names a type).
//!
//! ```
//! let text = "name = \"x\"\nduration = \"1m\"\n[fleet.web]\ncount = 1\n\
//!             arrival = { process = \"poisson\", rate = \"1/s\" }\nretry = 5\n";
//! let e = sim::scenario::load_str("x.toml", text).unwrap_err().to_string();
//! assert!(e.contains("expected a table like { policy = "), "{e}");
//! assert!(!e.contains("struct") && !e.contains("RetrySpec"), "{e}");
//! ```

/// What each spec table looks like, as a one-line TOML example.
pub const EXAMPLES: &[(&str, &str)] = &[
    ("ScenarioSpec", "name = \"...\" and duration = \"...\""),
    (
        "ServerSpec",
        "[server] with `limiters`, `backend`, `dialect`",
    ),
    ("UpstreamSpec", "{ name = \"primary\" }"),
    ("FailoverSpec", "{ on = [502], after = 2 }"),
    (
        "BackendSpec",
        "{ workers = 8, queue = 100, service_time = \"20ms\" }",
    ),
    ("DistTable", "{ dist = \"exponential\", mean = \"5ms\" }"),
    ("NetworkSpec", "{ delay = \"5ms\" }"),
    (
        "FaultSpec",
        "{ kind = \"outage\", start = \"1m\", duration = \"30s\" }",
    ),
    ("IdempotencySpec", "{ changed_body_probability = 0.1 }"),
    (
        "FleetSpec",
        "{ count = 10, arrival = { process = \"poisson\", rate = \"1/s\" } }",
    ),
    ("ArrivalSpec", "{ process = \"poisson\", rate = \"1/s\" }"),
    ("PointSpec", "{ from = \"0s\", rate = \"5/s\" }"),
    (
        "RetrySpec",
        "{ policy = \"exponential\", base = \"100ms\" }",
    ),
    (
        "BackoffSpec",
        "{ base = \"100ms\", cap = \"20s\", jitter = \"full\" }",
    ),
    ("GateTable", "{ kind = \"aws_standard\" }"),
    ("HedgeTable", "{ delay = \"50ms\", max_hedges = 1 }"),
    ("HeadersTable", "{ reset = \"epoch\", source = \"any\" }"),
];

/// `msg` from serde, in the scenario file's words.
pub fn polish(msg: &str) -> String {
    let mut m = msg
        .replace("expected i64", "expected a whole number")
        .replace("expected u64", "expected a whole number")
        .replace("expected u32", "expected a whole number")
        .replace("expected f64", "expected a number")
        .replace("expected a sequence", "expected an array")
        .replace("expected a map", "expected a table")
        .replace("invalid type: sequence", "invalid type: array")
        .replace("invalid type: map", "invalid type: table");
    while let Some(at) = m.find("expected struct ") {
        let rest = &m[at + "expected struct ".len()..];
        let end = rest
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        let name = &rest[..end];
        let words = match EXAMPLES.iter().find(|(n, _)| *n == name) {
            Some((_, ex)) if ex.starts_with('{') => format!("expected a table like {ex}"),
            Some((_, ex)) => format!("expected a table: {ex}"),
            None => "expected a table".to_owned(),
        };
        m = format!("{}{words}{}", &m[..at], &rest[end..]);
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rust_type_names_become_toml_examples() {
        assert_eq!(
            polish("invalid type: integer `5`, expected struct BackoffSpec"),
            "invalid type: integer `5`, expected a table like { base = \"100ms\", cap = \"20s\", jitter = \"full\" }"
        );
        assert_eq!(
            polish("invalid type: sequence, expected struct SomethingNew"),
            "invalid type: array, expected a table"
        );
        assert_eq!(polish("expected i64"), "expected a whole number");
    }
}
