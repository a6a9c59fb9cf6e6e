//! Untyped limiter parameters as they come from a scenario file, with typed accessors that
//! produce [`LimiterError`]s naming the parameter.
//!
//! The `limiters` crate does not depend on serde or toml: the simulator converts a TOML table
//! into [`Params`], and maps a [`LimiterError::param`] back to the line where it was written.

use crate::{parse_duration, LimiterError, Nanos, Rate};
use std::collections::BTreeMap;

/// One parameter value.
#[derive(Clone, Debug, PartialEq)]
pub enum ParamValue {
    /// An integer (TOML integer).
    Int(i64),
    /// A float (TOML float).
    Float(f64),
    /// A string (rates, durations, names).
    Str(String),
    /// A boolean.
    Bool(bool),
}

/// Named parameters for a limiter factory.
///
/// ```
/// use limiters::{Params, Nanos};
/// let p = Params::new().with("rate", "10/s").with("burst", 20i64).with("period", "1m");
/// assert_eq!(p.rate("rate").unwrap().count, 10);
/// assert_eq!(p.positive_u64("burst").unwrap(), 20);
/// assert_eq!(p.duration("period").unwrap(), Nanos::from_secs(60));
/// assert!(p.positive_u64("missing").is_err());
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Params {
    values: BTreeMap<String, ParamValue>,
}

impl From<&str> for ParamValue {
    fn from(s: &str) -> Self {
        ParamValue::Str(s.to_string())
    }
}
impl From<String> for ParamValue {
    fn from(s: String) -> Self {
        ParamValue::Str(s)
    }
}
impl From<i64> for ParamValue {
    fn from(v: i64) -> Self {
        ParamValue::Int(v)
    }
}
impl From<f64> for ParamValue {
    fn from(v: f64) -> Self {
        ParamValue::Float(v)
    }
}
impl From<bool> for ParamValue {
    fn from(v: bool) -> Self {
        ParamValue::Bool(v)
    }
}

impl Params {
    /// No parameters.
    pub fn new() -> Params {
        Params::default()
    }
    /// Builder-style insert.
    pub fn with(mut self, name: &str, value: impl Into<ParamValue>) -> Params {
        self.values.insert(name.to_string(), value.into());
        self
    }
    /// Insert or replace.
    pub fn insert(&mut self, name: &str, value: impl Into<ParamValue>) {
        self.values.insert(name.to_string(), value.into());
    }
    /// The raw value, if present.
    pub fn get(&self, name: &str) -> Option<&ParamValue> {
        self.values.get(name)
    }
    /// Parameter names present.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.values.keys().map(String::as_str)
    }
    /// Error on any parameter not in `known` (catches typos such as `brust`).
    pub fn reject_unknown(&self, algorithm: &str, known: &[&str]) -> Result<(), LimiterError> {
        match self.values.keys().find(|k| !known.contains(&k.as_str())) {
            Some(k) => Err(LimiterError::UnknownParam {
                param: k.clone(),
                algorithm: algorithm.to_string(),
                expected: known.join(", "),
            }),
            None => Ok(()),
        }
    }

    fn missing(name: &str, expected: &str) -> LimiterError {
        LimiterError::Missing {
            param: name.to_string(),
            expected: expected.to_string(),
        }
    }

    /// A rate such as `"500/s"`.
    pub fn rate(&self, name: &str) -> Result<Rate, LimiterError> {
        match self.get(name) {
            Some(ParamValue::Str(s)) => s
                .parse::<Rate>()
                .map_err(|e| LimiterError::invalid(name, e.to_string())),
            Some(_) => Err(LimiterError::invalid(
                name,
                "expected a rate string such as \"500/s\" or \"60/min\"",
            )),
            None => Err(Self::missing(name, "a rate such as \"500/s\"")),
        }
    }
    /// A duration such as `"250ms"`.
    pub fn duration(&self, name: &str) -> Result<Nanos, LimiterError> {
        match self.get(name) {
            Some(ParamValue::Str(s)) => {
                parse_duration(s).map_err(|e| LimiterError::invalid(name, e.to_string()))
            }
            Some(_) => Err(LimiterError::invalid(
                name,
                "expected a duration string such as \"250ms\" or \"1m\"",
            )),
            None => Err(Self::missing(name, "a duration such as \"1m\"")),
        }
    }
    /// A duration, or `default` when absent.
    pub fn duration_or(&self, name: &str, default: Nanos) -> Result<Nanos, LimiterError> {
        if self.get(name).is_none() {
            return Ok(default);
        }
        self.duration(name)
    }
    /// A duration that must be longer than zero.
    pub fn positive_duration(&self, name: &str) -> Result<Nanos, LimiterError> {
        let d = self.duration(name)?;
        if d.is_zero() {
            return Err(LimiterError::invalid(name, "must be longer than zero"));
        }
        Ok(d)
    }
    /// A non-negative integer.
    pub fn u64(&self, name: &str) -> Result<u64, LimiterError> {
        match self.get(name) {
            Some(ParamValue::Int(v)) if *v >= 0 => Ok(*v as u64),
            Some(ParamValue::Int(v)) => Err(LimiterError::invalid(
                name,
                format!("must not be negative, got {v}"),
            )),
            Some(_) => Err(LimiterError::invalid(name, "expected a whole number")),
            None => Err(Self::missing(name, "a whole number")),
        }
    }
    /// A non-negative integer, or `default` when absent.
    pub fn u64_or(&self, name: &str, default: u64) -> Result<u64, LimiterError> {
        if self.get(name).is_none() {
            return Ok(default);
        }
        self.u64(name)
    }
    /// An integer of at least 1.
    pub fn positive_u64(&self, name: &str) -> Result<u64, LimiterError> {
        let v = self.u64(name)?;
        if v == 0 {
            return Err(LimiterError::invalid(name, "must be at least 1, got 0"));
        }
        Ok(v)
    }
    /// A finite float (integers are accepted too).
    pub fn f64(&self, name: &str) -> Result<f64, LimiterError> {
        match self.get(name) {
            Some(ParamValue::Float(v)) if v.is_finite() => Ok(*v),
            Some(ParamValue::Int(v)) => Ok(*v as f64),
            Some(_) => Err(LimiterError::invalid(name, "expected a finite number")),
            None => Err(Self::missing(name, "a number")),
        }
    }
    /// A float, or `default` when absent.
    pub fn f64_or(&self, name: &str, default: f64) -> Result<f64, LimiterError> {
        if self.get(name).is_none() {
            return Ok(default);
        }
        self.f64(name)
    }
    /// A string.
    pub fn str(&self, name: &str) -> Result<&str, LimiterError> {
        match self.get(name) {
            Some(ParamValue::Str(s)) => Ok(s),
            Some(_) => Err(LimiterError::invalid(name, "expected a string")),
            None => Err(Self::missing(name, "a string")),
        }
    }
    /// A string, or `default` when absent.
    pub fn str_or<'a>(&'a self, name: &str, default: &'a str) -> Result<&'a str, LimiterError> {
        if self.get(name).is_none() {
            return Ok(default);
        }
        self.str(name)
    }
    /// A boolean, or `default` when absent.
    pub fn bool_or(&self, name: &str, default: bool) -> Result<bool, LimiterError> {
        match self.get(name) {
            Some(ParamValue::Bool(b)) => Ok(*b),
            Some(_) => Err(LimiterError::invalid(name, "expected true or false")),
            None => Ok(default),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_accessors_name_the_parameter_in_errors() {
        let p = Params::new()
            .with("burst", 0i64)
            .with("rate", 5i64)
            .with("neg", -3i64);
        assert_eq!(p.positive_u64("burst").unwrap_err().param(), Some("burst"));
        assert_eq!(p.rate("rate").unwrap_err().param(), Some("rate"));
        assert!(p.u64("neg").unwrap_err().to_string().contains("negative"));
    }

    #[test]
    fn unknown_parameters_are_reported() {
        let p = Params::new().with("brust", 5i64);
        let e = p
            .reject_unknown("token_bucket", &["rate", "burst"])
            .unwrap_err();
        assert!(e.to_string().contains("brust"));
    }
}
