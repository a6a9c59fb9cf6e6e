//! One swept setting: a dotted path into the scenario document and the values it takes, as
//! written after `--param` (`fleet.web.retry.jitter=none,full`, `fleet.web.count=10..190:20`)
//! or under `[sweep.params]` in the scenario file.
//!
//! Values are TOML literals when they parse as one (`10`, `0.5`, `true`, `"x"`, `[429, 503]`,
//! `{ dist = "constant", value = "5ms" }`) and plain strings otherwise, so `none`, `100ms` and
//! `1/s` need no quotes. A list is comma-separated (commas inside quotes, brackets and braces
//! do not split). A range `a..b:step` runs from `a` to `b` inclusive (when `b` is on the
//! grid) in steps of `step`; the step may be left out for whole numbers (step 1). The three
//! bounds may carry the same unit suffix: `100ms..500ms:100ms` gives `"100ms"`, `"200ms"`, ...

use std::fmt;

/// At most this many values in one range: a typo such as `1..1000000` fails fast.
pub const MAX_RANGE: usize = 10_000;

/// A swept setting.
#[derive(Clone, Debug, PartialEq)]
pub struct Param {
    /// Dotted path into the scenario document (`fleet.web.count`, `server.limiters.0.limit`).
    pub path: String,
    /// The values, in order (at least one, no duplicates).
    pub values: Vec<toml::Value>,
}

impl Param {
    /// The values as shown to people: strings without quotes.
    pub fn shown(&self) -> Vec<String> {
        self.values.iter().map(show).collect()
    }
}

impl fmt::Display for Param {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}={}", self.path, self.shown().join(","))
    }
}

/// Check a dotted path's syntax: non-empty segments of letters, digits, `_` and `-`.
pub fn check_path(path: &str) -> Result<(), String> {
    if path.is_empty() {
        return Err("the path is empty; expected a dotted path such as fleet.web.count".into());
    }
    for seg in path.split('.') {
        if seg.is_empty() {
            return Err(format!("`{path}` has an empty segment"));
        }
        if let Some(c) = seg
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || *c == '_' || *c == '-'))
        {
            return Err(format!(
                "`{path}`: `{c}` cannot appear in a path segment (letters, digits, _ and - only)"
            ));
        }
    }
    match path {
        "seed" => Err(
            "the seed is not a parameter: use --seed (first seed) and --seeds (how many)".into(),
        ),
        "name" => Err("the scenario name names the output folder and cannot be swept".into()),
        _ => Ok(()),
    }
}

/// Parse a list of values or a range.
///
/// ```
/// use sim::sweep::parse_values;
/// assert_eq!(parse_values("0..0.3:0.1").unwrap(),
///            vec![0.0.into(), 0.1.into(), 0.2.into(), 0.3.into()]);
/// assert_eq!(parse_values("100ms..300ms:100ms").unwrap(),
///            vec!["100ms".into(), "200ms".into(), "300ms".into()]);
/// assert!(parse_values("5..1").is_err());
/// ```
pub fn parse_values(text: &str) -> Result<Vec<toml::Value>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err("no values given".into());
    }
    let values = match parse_range(text) {
        Some(r) => r?,
        None => split_top_level(text)
            .into_iter()
            .map(|item| {
                let item = item.trim();
                if item.is_empty() {
                    Err(format!("empty value in `{text}`"))
                } else {
                    Ok(literal(item))
                }
            })
            .collect::<Result<Vec<_>, _>>()?,
    };
    for (i, v) in values.iter().enumerate() {
        if values[..i].contains(v) {
            return Err(format!("`{}` is listed twice", show(v)));
        }
    }
    Ok(values)
}

/// A value as shown to people (and in output columns): strings bare, the rest as TOML.
///
/// ```
/// assert_eq!(sim::sweep::show(&"full".into()), "full");
/// assert_eq!(sim::sweep::show(&0.5.into()), "0.5");
/// ```
pub fn show(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A TOML literal if `item` is one, else the string itself.
pub(crate) fn literal(item: &str) -> toml::Value {
    if let Ok(mut t) = format!("v = {item}").parse::<toml::Table>() {
        if t.len() == 1 {
            if let Some(v) = t.remove("v") {
                return v;
            }
        }
    }
    toml::Value::String(item.to_string())
}

/// Split on commas that are not inside quotes, brackets or braces.
fn split_top_level(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut depth, mut quote, mut start) = (0i32, None::<char>, 0);
    for (i, c) in text.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '[' | '{') => depth += 1,
            (None, ']' | '}') => depth -= 1,
            (None, ',') if depth <= 0 => {
                out.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&text[start..]);
    out
}

/// A number with an optional unit suffix: `12`, `-0.5`, `100ms`, `5/s`.
#[derive(Clone, Copy, Debug)]
struct Num<'a> {
    value: f64,
    int: Option<i64>,
    suffix: &'a str,
}

fn split_num(s: &str) -> Option<Num<'_>> {
    let s = s.trim();
    let body = s.strip_prefix('-').unwrap_or(s);
    let digits = body
        .char_indices()
        .find(|(_, c)| !(c.is_ascii_digit() || *c == '.'))
        .map_or(body.len(), |(i, _)| i);
    let (num, suffix) = body.split_at(digits);
    if num.is_empty() || !num.starts_with(|c: char| c.is_ascii_digit()) || num.ends_with('.') {
        return None;
    }
    let sign = if s.starts_with('-') { -1.0 } else { 1.0 };
    let value = num.parse::<f64>().ok()? * sign;
    let int = if num.contains('.') {
        None
    } else {
        num.parse::<i64>()
            .ok()
            .map(|v| if sign < 0.0 { -v } else { v })
    };
    Some(Num { value, int, suffix })
}

/// `None` when `text` is not a range at all; `Some(Err)` when it is a broken one.
fn parse_range(text: &str) -> Option<Result<Vec<toml::Value>, String>> {
    let (a, rest) = text.split_once("..")?;
    let a = split_num(a)?;
    let (b, step) = match rest.split_once(':') {
        Some((b, s)) => (b, Some(s)),
        None => (rest, None),
    };
    Some(range_values(text, a, b, step))
}

fn range_values(
    text: &str,
    a: Num<'_>,
    b: &str,
    step: Option<&str>,
) -> Result<Vec<toml::Value>, String> {
    let usage = || format!("`{text}`: a range is FROM..TO:STEP, such as 10..190:20 or 0..0.5:0.1");
    let b = split_num(b).ok_or_else(usage)?;
    let step = match step {
        Some(s) => split_num(s).ok_or_else(usage)?,
        None if a.int.is_some() && b.int.is_some() => Num {
            value: 1.0,
            int: Some(1),
            suffix: a.suffix,
        },
        None => {
            return Err(format!(
                "`{text}`: a range of fractional numbers needs a step (FROM..TO:STEP)"
            ))
        }
    };
    if a.suffix != b.suffix || !(step.suffix.is_empty() || step.suffix == a.suffix) {
        return Err(format!(
            "`{text}`: the bounds and the step of a range must have the same unit"
        ));
    }
    if step.value <= 0.0 {
        return Err(format!("`{text}`: the step must be positive"));
    }
    if b.value < a.value {
        return Err(format!("`{text}`: the range is empty (TO is below FROM)"));
    }
    let n = ((b.value - a.value) / step.value + 1e-9).floor();
    if !(n.is_finite() && n < MAX_RANGE as f64) {
        return Err(format!("`{text}`: more than {MAX_RANGE} values"));
    }
    let n = n as i64;
    let suffix = a.suffix;
    let out = (0..=n).map(|i| match (a.int, step.int) {
        (Some(a0), Some(s)) => number(Number::Int(a0 + i * s), suffix),
        _ => {
            let v = a.value + i as f64 * step.value;
            number(Number::Float((v * 1e9).round() / 1e9), suffix)
        }
    });
    Ok(out.collect())
}

enum Number {
    Int(i64),
    Float(f64),
}

fn number(n: Number, suffix: &str) -> toml::Value {
    match (n, suffix.is_empty()) {
        (Number::Int(v), true) => toml::Value::Integer(v),
        (Number::Float(v), true) => toml::Value::Float(v),
        (Number::Int(v), false) => toml::Value::String(format!("{v}{suffix}")),
        (Number::Float(v), false) => toml::Value::String(format!("{v}{suffix}")),
    }
}

#[cfg(test)]
mod tests;
