//! Serde wrappers for the human units of scenario files: durations (`"250ms"`) and rates
//! (`"500/s"`). They delegate to [`limiters::parse_duration`] and [`limiters::Rate`], so the
//! scenario loader accepts exactly the spellings the limiters accept (no second parser).

use limiters::{parse_duration, Nanos, Rate};
use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;
use std::fmt;
use toml::Spanned;

/// A spanned optional value: most fields are optional with a documented default.
pub type Opt<T> = Option<Spanned<T>>;

/// A duration written as a string with a unit: `"250ms"`, `"1.5s"`, `"1m"`, `"2h"`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Dur(pub Nanos);

/// A rate written as `"<count>/<period>"`: `"500/s"`, `"60/min"`, `"5/250ms"`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateValue(pub Rate);

struct DurVisitor;

impl Visitor<'_> for DurVisitor {
    type Value = Dur;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a duration string with a unit, such as \"250ms\", \"30s\" or \"5m\"")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Dur, E> {
        parse_duration(v).map(Dur).map_err(|e| {
            E::custom(format!(
                "expected a duration such as \"250ms\" or \"1m\": {e}"
            ))
        })
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Dur, E> {
        Err(E::custom(format!(
            "expected a duration string with a unit, such as \"{v}s\" or \"{v}ms\" (a bare number is ambiguous)"
        )))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Dur, E> {
        self.visit_i64(v as i64)
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Dur, E> {
        Err(E::custom(format!(
            "expected a duration string with a unit, such as \"{v}s\" (a bare number is ambiguous)"
        )))
    }
}

impl<'de> Deserialize<'de> for Dur {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Dur, D::Error> {
        d.deserialize_any(DurVisitor)
    }
}

struct RateVisitor;

impl Visitor<'_> for RateVisitor {
    type Value = RateValue;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a rate string such as \"500/s\" or \"60/min\"")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<RateValue, E> {
        v.parse::<Rate>().map(RateValue).map_err(|e| {
            E::custom(format!(
                "expected a rate such as \"500/s\" or \"60/min\": {e}"
            ))
        })
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<RateValue, E> {
        Err(E::custom(format!(
            "expected a rate string with a period, such as \"{v}/s\" or \"{v}/min\""
        )))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<RateValue, E> {
        self.visit_i64(v as i64)
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<RateValue, E> {
        Err(E::custom(format!(
            "expected a rate string with a whole count and a period, such as \"5/s\" (not {v})"
        )))
    }
}

impl<'de> Deserialize<'de> for RateValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<RateValue, D::Error> {
        d.deserialize_any(RateVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct T {
        d: Dur,
        r: RateValue,
    }

    #[test]
    fn units_parse_through_limiters() {
        let t: T = toml::from_str("d = \"250ms\"\nr = \"60/min\"").unwrap();
        assert_eq!(t.d.0, Nanos::from_millis(250));
        assert_eq!(t.r.0.interval(), Nanos::from_secs(1));
    }

    #[test]
    fn bare_numbers_and_impossible_values_are_rejected_with_a_hint() {
        let e = toml::from_str::<T>("d = 5\nr = \"1/s\"").err().unwrap();
        assert!(e.message().contains("\"5s\""), "{}", e.message());
        let e = toml::from_str::<T>("d = \"1s\"\nr = \"0/s\"")
            .err()
            .unwrap();
        assert!(e.message().contains("at least one"), "{}", e.message());
        assert!(e.span().is_some());
        let e = toml::from_str::<T>("d = \"-1s\"\nr = \"1/s\"")
            .err()
            .unwrap();
        assert!(e.message().contains("negative"), "{}", e.message());
    }
}
