//! Short names for swept values that are whole tables, so a chart axis, a headline and a
//! points table can name a point in a few words.
//!
//! A sweep over `server.limiters` has values such as
//! `[{ algorithm = "token_bucket", burst = 70, rate = "70/s", scope = "tenant" }, { ... }]`.
//! Printed whole, such a value pushes a table's figures off the page and cannot be an axis
//! label; replaced by `#1`, `#2` it makes the reader decode a key. A level is named by its
//! scope and its rate (`tenant 70/s + global 100/s`), any other table by its values in key
//! order. The exact value stays in `points.csv`, `sweep.json` and the report's parameter key.

/// Longest short label a report shows; a longer one falls back to the point's number.
pub const MAX_LABEL: usize = 32;

/// The short name of a swept value shown as `text` (a bare string, or a TOML literal).
///
/// ```
/// use report::value_label::short_value;
/// let v = r#"[{ algorithm = "token_bucket", burst = 70, rate = "70/s", scope = "tenant" }, { algorithm = "token_bucket", burst = 100, rate = "100/s", scope = "global" }]"#;
/// assert_eq!(short_value(v), "tenant 70/s + global 100/s");
/// assert_eq!(short_value("full"), "full");
/// assert_eq!(short_value("0.5"), "0.5");
/// assert_eq!(short_value(r#"{ policy = "exponential", base = "100ms" }"#), "100ms exponential");
/// ```
pub fn short_value(text: &str) -> String {
    let Ok(mut doc) = format!("v = {text}").parse::<toml::Table>() else {
        return text.to_owned();
    };
    match doc.remove("v") {
        Some(toml::Value::Table(t)) => table_label(&t),
        Some(toml::Value::Array(items))
            if !items.is_empty() && items.iter().all(toml::Value::is_table) =>
        {
            items
                .iter()
                .filter_map(toml::Value::as_table)
                .map(table_label)
                .collect::<Vec<_>>()
                .join(" + ")
        }
        _ => text.to_owned(),
    }
}

/// The short names of several values, if each fits [`MAX_LABEL`] and no two are the same;
/// else `None` (the caller numbers them).
///
/// ```
/// use report::value_label::short_values;
/// let a = r#"{ scope = "global", rate = "100/s" }"#;
/// let b = r#"{ scope = "tenant", rate = "25/s" }"#;
/// assert_eq!(short_values(&[a, b]), Some(vec!["global 100/s".to_owned(), "tenant 25/s".to_owned()]));
/// // Two values that differ only in what the short name leaves out cannot be told apart.
/// let c = r#"{ scope = "global", rate = "100/s", burst = 5 }"#;
/// assert_eq!(short_values(&[a, c]), None);
/// ```
pub fn short_values<S: AsRef<str>>(values: &[S]) -> Option<Vec<String>> {
    let labels: Vec<String> = values.iter().map(|v| short_value(v.as_ref())).collect();
    let fits = labels.iter().all(|l| l.chars().count() <= MAX_LABEL);
    let mut sorted: Vec<&String> = labels.iter().collect();
    sorted.sort();
    sorted.dedup();
    (fits && sorted.len() == labels.len()).then_some(labels)
}

/// A limiter level by scope and rate (or limit); another table by its scalar values.
fn table_label(t: &toml::Table) -> String {
    let scalar = |v: &toml::Value| match v {
        toml::Value::String(s) => Some(s.clone()),
        toml::Value::Integer(_) | toml::Value::Float(_) | toml::Value::Boolean(_) => {
            Some(v.to_string())
        }
        _ => None,
    };
    if let Some(scope) = t.get("scope").and_then(scalar) {
        let amount = ["rate", "limit", "max_concurrent", "quota"]
            .iter()
            .find_map(|k| t.get(*k).and_then(scalar));
        return match amount {
            Some(a) => format!("{scope} {a}"),
            None => scope,
        };
    }
    let mut keys: Vec<&String> = t.keys().collect();
    keys.sort();
    keys.iter()
        .filter_map(|k| t.get(*k).and_then(scalar))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fairness_sweeps_layouts_get_names_a_reader_can_compare() {
        let values = [
            r#"[{ algorithm = "token_bucket", burst = 100, rate = "100/s", scope = "global" }]"#,
            r#"[{ algorithm = "token_bucket", burst = 25, rate = "25/s", scope = "tenant" }]"#,
            r#"[{ algorithm = "token_bucket", burst = 70, rate = "70/s", scope = "tenant" }, { algorithm = "token_bucket", burst = 100, rate = "100/s", scope = "global" }]"#,
        ];
        assert_eq!(
            short_values(&values).unwrap(),
            ["global 100/s", "tenant 25/s", "tenant 70/s + global 100/s"]
        );
    }

    #[test]
    fn text_that_is_not_toml_is_kept() {
        assert_eq!(short_value("decorrelated"), "decorrelated");
        assert_eq!(short_value("[1, 2"), "[1, 2");
    }
}
