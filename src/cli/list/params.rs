//! A parameter's type and default for `list --json`, read from the two places that define
//! them, so nothing here is a third list to keep in step:
//!
//! - the type of a scenario key (a retry policy's `base`, a gate's `capacity`, a process's
//!   `rate`) is the loader's own, from the JSON Schema derived from the spec types
//!   ([`sim::scenario::schema`]): `integer`, `number`, `boolean`, `string`, `duration`,
//!   `rate`, `distribution`, `list of integers`, `table`;
//! - a limiter parameter is untyped in the spec (the registry's factory reads it), so its type
//!   comes from its help text, which states its default and its form (`(default 5s)`,
//!   `such as "10/s"`, `(required)`): the same words `list` prints.
//!
//! The default is the help text's `default X` (`None` when the help names none); `required`
//! is its word `required`. `tests/cli/cli_list.rs` holds every built-in parameter to a type other
//! than `value` (the word for "could not tell"), so a new parameter must say what it takes.

use serde_json::Value;

/// What `list --json` says of one parameter.
#[derive(Debug, Clone, PartialEq)]
pub struct Meta {
    /// `integer`, `number`, `boolean`, `string`, `duration`, `rate`, `distribution`, ...
    pub ty: String,
    /// The default as the help text writes it (`20`, `"0s"`, `[429]`), if it names one.
    pub default: Option<String>,
    /// The help text says the parameter is required.
    pub required: bool,
}

/// The type of `key` in schema definition `def` (`RetrySpec`, `GateTable`, ...), if the
/// schema has that key.
pub fn schema_type(schema: &Value, def: &str, key: &str) -> Option<String> {
    let p = schema["definitions"][def]["properties"].get(key)?;
    Some(type_of(p))
}

fn type_of(p: &Value) -> String {
    // draft-07 wraps a `$ref` that has a description in a one-item `allOf`
    if let Some([only]) = p["allOf"].as_array().map(Vec::as_slice) {
        return type_of(only);
    }
    if let Some(r) = p["$ref"].as_str() {
        return match r.rsplit('/').next().unwrap_or("") {
            "Duration" => "duration".into(),
            "Rate" => "rate".into(),
            "Distribution" => "distribution".into(),
            "Keys" => "\"per-client\" or integer".into(),
            "Jitter" => "string".into(),
            _ => "table".into(),
        };
    }
    if p.get("enum").is_some() {
        return "string".into();
    }
    match p["type"].as_str() {
        Some("array") => {
            let item = type_of(&p["items"]);
            let plural = match item.as_str() {
                "table" => "tables".to_string(),
                other => format!("{other}s"),
            };
            format!("list of {plural}")
        }
        Some("object") => "table".into(),
        Some(t) => t.into(),
        None => "value".into(),
    }
}

/// Type (when the schema gave none), default and `required` from a help text.
pub fn from_help(help: &str, schema_ty: Option<String>) -> Meta {
    let default = default_in(help);
    let ty = schema_ty.unwrap_or_else(|| type_from_help(help, default.as_deref()));
    Meta {
        ty,
        default,
        required: help.contains("required"),
    }
}

/// A help text that is only a value (`"500"`, `"10s"`) is that default.
fn bare_value(help: &str) -> Option<String> {
    let h = help.trim();
    let is_value = h.parse::<f64>().is_ok()
        || h == "true"
        || h == "false"
        || limiters::parse_duration(h).is_ok();
    is_value.then(|| h.to_owned())
}

/// The text after `default` up to a `)`, `,` or `;` outside brackets and quotes.
fn default_in(help: &str) -> Option<String> {
    let Some(at) = help.find("default") else {
        return bare_value(help);
    };
    let rest = help[at + "default".len()..].trim_start_matches([':', ' ', '=']);
    let (mut depth, mut quoted, mut end) = (0i32, false, rest.len());
    for (i, c) in rest.char_indices() {
        match c {
            '"' => quoted = !quoted,
            '[' | '(' | '{' if !quoted => depth += 1,
            ']' | '}' if !quoted => depth -= 1,
            ')' if !quoted && depth == 0 => {
                end = i;
                break;
            }
            ')' if !quoted => depth -= 1,
            ',' | ';' if !quoted && depth == 0 => {
                end = i;
                break;
            }
            _ => {}
        }
    }
    let d = rest[..end].trim();
    // "(default 0 (1970-01-01 ...))": the value, not its gloss
    let d = match d.split_once(" (") {
        Some((v, _)) if !v.is_empty() => v.trim(),
        _ => d,
    };
    (!d.is_empty()).then(|| d.to_owned())
}

fn type_from_help(help: &str, default: Option<&str>) -> String {
    let is_duration = |s: &str| limiters::parse_duration(s.trim_matches('"')).is_ok();
    if help.contains("list of integers") {
        return "list of integers".into();
    }
    if let Some(d) = default {
        let bare = d.trim_matches('"');
        if d == "true" || d == "false" {
            return "boolean".into();
        }
        if bare.parse::<i64>().is_ok() && !d.starts_with('"') {
            return if help.contains("seconds") && !help.contains("Unix") {
                "duration".into()
            } else {
                "integer".into()
            };
        }
        if bare.parse::<f64>().is_ok() && !d.starts_with('"') {
            return "number".into();
        }
        if is_duration(d) {
            return "duration".into();
        }
        if bare.parse::<limiters::Rate>().is_ok() {
            return "rate".into();
        }
        if d.starts_with('[') {
            return "list of integers".into();
        }
    }
    let example = help
        .split("such as \"")
        .nth(1)
        .and_then(|s| s.split('"').next());
    if let Some(e) = example {
        // nginx writes its rates `10r/s`, `30r/m`
        if e.parse::<limiters::Rate>().is_ok() || e.ends_with("r/s") || e.ends_with("r/m") {
            return "rate".into();
        }
        if is_duration(e) {
            return "duration".into();
        }
    }
    if help.contains("\" |") || help.contains("| \"") {
        return "string".into();
    }
    if ["whole number", ">= 1", "at least 1", "1..="]
        .iter()
        .any(|w| help.contains(w))
    {
        return "integer".into();
    }
    if help.contains("a number") || help.contains("probability") {
        return "number".into();
    }
    if help.contains("a duration") {
        return "duration".into();
    }
    "value".into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(help: &str) -> (String, Option<String>, bool) {
        let x = from_help(help, None);
        (x.ty, x.default, x.required)
    }

    #[test]
    fn defaults_and_types_read_from_help_texts() {
        assert_eq!(
            m("lowest the limit falls to (default 20, >= 1)"),
            ("integer".into(), Some("20".into()), false)
        );
        assert_eq!(
            m("multiplier on a drop, in [0.5, 1.0) (default 0.9)"),
            ("number".into(), Some("0.9".into()), false)
        );
        assert_eq!(
            m("offset of window starts from time 0, such as \"15s\" (default \"0s\")"),
            ("duration".into(), Some("\"0s\"".into()), false)
        );
        assert_eq!(
            m("sustained rate such as \"10/s\" (required)"),
            ("rate".into(), None, true)
        );
        assert_eq!(
            m("statuses retried (default [408, 425, 429, 500..599]; never other 4xx)").1,
            Some("[408, 425, 429, 500..599]".into())
        );
        assert_eq!(
            m("Unix seconds at scenario start, to place boundaries; default 0 (1970-01-01, a month start)"),
            ("integer".into(), Some("0".into()), false)
        );
        assert_eq!(
            m("true: serve every admitted request at once (default false)").0,
            "boolean"
        );
    }
}
