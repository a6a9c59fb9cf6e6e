//! A distribution of durations as a scenario file writes it: a duration string (a constant)
//! or a table naming the distribution. Used by the backend's service time, the network, the
//! store round trip of a deployment's shared levels.

use super::units::{Dur, Opt};
use serde::Deserialize;
use toml::Spanned;

/// A distribution of durations: either a duration string (a constant, `"5ms"`) or a table
/// such as `{ dist = "lognormal", mean = "50ms", p99 = "400ms" }`.
#[derive(Debug)]
pub enum DistSpec {
    /// A bare duration: always this value.
    Fixed(Dur),
    /// A table naming the distribution.
    Table(Box<DistTable>),
}

impl<'de> Deserialize<'de> for DistSpec {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<DistSpec, D::Error> {
        d.deserialize_any(DistVisitor)
    }
}

struct DistVisitor;

impl<'de> serde::de::Visitor<'de> for DistVisitor {
    type Value = DistSpec;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a duration such as \"5ms\" or a table such as { dist = \"exponential\", mean = \"5ms\" }")
    }
    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<DistSpec, E> {
        Dur::deserialize(serde::de::value::StrDeserializer::<E>::new(v)).map(DistSpec::Fixed)
    }
    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<DistSpec, E> {
        Dur::deserialize(serde::de::value::I64Deserializer::<E>::new(v)).map(DistSpec::Fixed)
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<DistSpec, A::Error> {
        DistTable::deserialize(serde::de::value::MapAccessDeserializer::new(map))
            .map(|t| DistSpec::Table(Box::new(t)))
    }
}

/// The table form of a distribution.
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct DistTable {
    /// `constant`, `exponential`, `lognormal`, `bimodal`, `normal_abs`, `uniform`.
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub dist: Spanned<String>,
    /// `constant`: the value.
    #[cfg_attr(feature = "schema", schemars(with = "Option<Dur>"))]
    pub value: Opt<Dur>,
    /// `exponential`, `lognormal`, `normal_abs`: the mean.
    #[cfg_attr(feature = "schema", schemars(with = "Option<Dur>"))]
    pub mean: Opt<Dur>,
    /// `lognormal`: the 99th percentile.
    #[cfg_attr(feature = "schema", schemars(with = "Option<Dur>"))]
    pub p99: Opt<Dur>,
    /// `normal_abs`: the standard deviation.
    #[cfg_attr(feature = "schema", schemars(with = "Option<Dur>"))]
    pub sd: Opt<Dur>,
    /// `bimodal`: the common, fast value; `uniform`: the lower bound.
    #[cfg_attr(feature = "schema", schemars(with = "Option<Dur>"))]
    pub low: Opt<Dur>,
    /// `bimodal`: the rare, slow value; `uniform`: the upper bound (exclusive).
    #[cfg_attr(feature = "schema", schemars(with = "Option<Dur>"))]
    pub high: Opt<Dur>,
    /// `bimodal`: probability of `high`.
    #[cfg_attr(feature = "schema", schemars(with = "Option<f64>"))]
    pub p_high: Opt<f64>,
}
