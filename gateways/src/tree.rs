//! YAML and JSON read with every node's line and column, for the dialects written in them
//! (Envoy, envoyproxy/ratelimit, Kong, AWS).
//!
//! Why: a syntax error is the easy half (the parser knows where it stopped); most mistakes in a
//! gateway file are valid YAML with an impossible value (`fill_interval: 10ms`,
//! `unit: minutes`), and those must point at the value too. Typed structs hold
//! [`serde_saphyr::Spanned`] fields; configurations whose shape is open (an Envoy bootstrap, a
//! Kong declarative file) are read as a [`Node`] tree and searched. JSON is read first by
//! `serde_json` (its syntax errors have JSON's words and positions), then as YAML, of which it
//! is a subset, for the spans.

use crate::{GatewayError, Pos};
use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::{Location, Spanned};
use std::fmt;

/// A value with where it was written.
pub type Sp<T> = Spanned<T>;

/// A YAML node of any shape, with its position.
pub type Node = Spanned<Kind>;

/// The shapes a [`Node`] takes.
#[derive(Clone, Debug, PartialEq)]
pub enum Kind {
    /// `~`, `null`, or nothing.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// A whole number.
    Int(i128),
    /// A number with a fraction.
    Float(f64),
    /// A string.
    Str(String),
    /// A list.
    Seq(Vec<Node>),
    /// A mapping, in file order.
    Map(Vec<(Sp<String>, Node)>),
}

impl<'de> Deserialize<'de> for Kind {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Kind, D::Error> {
        d.deserialize_any(KindVisitor)
    }
}

struct KindVisitor;

impl<'de> Visitor<'de> for KindVisitor {
    type Value = Kind;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_unit<E>(self) -> Result<Kind, E> {
        Ok(Kind::Null)
    }
    fn visit_none<E>(self) -> Result<Kind, E> {
        Ok(Kind::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Kind, D::Error> {
        Kind::deserialize(d)
    }
    fn visit_bool<E>(self, v: bool) -> Result<Kind, E> {
        Ok(Kind::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Kind, E> {
        Ok(Kind::Int(v.into()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Kind, E> {
        Ok(Kind::Int(v.into()))
    }
    fn visit_i128<E>(self, v: i128) -> Result<Kind, E> {
        Ok(Kind::Int(v))
    }
    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Kind, E> {
        i128::try_from(v)
            .map(Kind::Int)
            .map_err(|_| E::custom("number too large"))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Kind, E> {
        Ok(Kind::Float(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Kind, E> {
        Ok(Kind::Str(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<Kind, E> {
        Ok(Kind::Str(v))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Kind, A::Error> {
        let mut out = Vec::new();
        while let Some(n) = seq.next_element::<Node>()? {
            out.push(n);
        }
        Ok(Kind::Seq(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Kind, A::Error> {
        let mut out = Vec::new();
        while let Some(k) = map.next_key::<Sp<String>>()? {
            let v = map.next_value::<Node>()?;
            out.push((k, v));
        }
        Ok(Kind::Map(out))
    }
}

/// The position of `loc` in `file`.
pub fn pos(file: &str, loc: Location) -> Pos {
    Pos {
        file: file.to_string(),
        line: loc.line() as usize,
        col: loc.column() as usize,
    }
}

/// An error at `loc` of `file`.
pub fn err_at(file: &str, loc: Location, msg: impl Into<String>) -> GatewayError {
    GatewayError::At {
        pos: pos(file, loc),
        msg: msg.into(),
    }
}

/// Read `text` as YAML into `T`, errors at their line and column.
pub fn yaml<T: for<'de> Deserialize<'de>>(file: &str, text: &str) -> Result<T, GatewayError> {
    serde_saphyr::from_str::<T>(text).map_err(|e| {
        let (line, col) = e
            .location()
            .map_or((1, 1), |l| (l.line() as usize, l.column() as usize));
        GatewayError::At {
            pos: Pos {
                file: file.to_string(),
                line: line.max(1),
                col: col.max(1),
            },
            msg: first_line(&e.to_string()),
        }
    })
}

/// Read `text` as JSON into `T`: JSON's own syntax errors first, then the typed read.
pub fn json<T: for<'de> Deserialize<'de>>(file: &str, text: &str) -> Result<T, GatewayError> {
    if let Err(e) = serde_json::from_str::<serde_json::Value>(text) {
        return Err(GatewayError::At {
            pos: Pos {
                file: file.to_string(),
                line: e.line().max(1),
                col: e.column().max(1),
            },
            msg: format!("not valid JSON: {}", strip_json_pos(&e.to_string())),
        });
    }
    yaml(file, text)
}

/// The message without the parser's own "at line L column C" tail or snippet.
fn first_line(msg: &str) -> String {
    let line = msg.lines().next().unwrap_or(msg).trim();
    let line = line.trim_start_matches("error: ");
    // "line L column C: message": the position is given apart
    match line.strip_prefix("line ").and_then(|r| r.split_once(": ")) {
        Some((pos, rest)) if pos.contains(" column ") => rest.to_string(),
        _ => line.to_string(),
    }
}

fn strip_json_pos(msg: &str) -> String {
    match msg.find(" at line ") {
        Some(i) => msg[..i].to_string(),
        None => msg.to_string(),
    }
}

/// Accessors on a mapping node that name the file position in their errors.
#[derive(Clone, Copy, Debug)]
pub struct At<'a> {
    /// The file, for errors.
    pub file: &'a str,
    /// The node.
    pub node: &'a Node,
}

impl<'a> At<'a> {
    /// `node` of `file`.
    pub fn new(file: &'a str, node: &'a Node) -> At<'a> {
        At { file, node }
    }

    /// An error at this node.
    pub fn err(&self, msg: impl Into<String>) -> GatewayError {
        err_at(self.file, self.node.referenced, msg)
    }

    /// The entries of a mapping, or an error saying a mapping was expected for `what`.
    pub fn map(&self, what: &str) -> Result<&'a [(Sp<String>, Node)], GatewayError> {
        match &self.node.value {
            Kind::Map(m) => Ok(m),
            _ => Err(self.err(format!("`{what}` must be a mapping"))),
        }
    }

    /// The value of `key`, when this node is a mapping that has it.
    pub fn get(&self, key: &str) -> Option<At<'a>> {
        match &self.node.value {
            Kind::Map(m) => m
                .iter()
                .find(|(k, _)| k.value == key)
                .map(|(_, v)| At::new(self.file, v)),
            _ => None,
        }
    }

    /// Error on the first key not in `known` (as Envoy's and Kong's schemas refuse them).
    pub fn only(&self, what: &str, known: &[&str]) -> Result<(), GatewayError> {
        for (k, _) in self.map(what)? {
            if !known.contains(&k.value.as_str()) {
                return Err(err_at(
                    self.file,
                    k.referenced,
                    format!(
                        "unknown field `{}` in {what} (expected one of: {})",
                        k.value,
                        known.join(", ")
                    ),
                ));
            }
        }
        Ok(())
    }

    /// A string.
    pub fn str(&self, what: &str) -> Result<&'a str, GatewayError> {
        match &self.node.value {
            Kind::Str(s) => Ok(s),
            _ => Err(self.err(format!("`{what}` must be a string"))),
        }
    }

    /// A boolean.
    pub fn bool(&self, what: &str) -> Result<bool, GatewayError> {
        match &self.node.value {
            Kind::Bool(b) => Ok(*b),
            _ => Err(self.err(format!("`{what}` must be true or false"))),
        }
    }

    /// A whole number from `min` to `max`.
    pub fn int(&self, what: &str, min: i128, max: i128) -> Result<i128, GatewayError> {
        let v = match &self.node.value {
            Kind::Int(i) => *i,
            // protobuf JSON writes 64-bit integers as strings
            Kind::Str(s) if s.parse::<i128>().is_ok() => s.parse::<i128>().unwrap_or_default(),
            _ => return Err(self.err(format!("`{what}` must be a whole number"))),
        };
        if v < min || v > max {
            return Err(self.err(format!("`{what}` must be from {min} to {max}, got {v}")));
        }
        Ok(v)
    }

    /// A number (whole or not).
    pub fn number(&self, what: &str) -> Result<f64, GatewayError> {
        match &self.node.value {
            Kind::Int(i) => Ok(*i as f64),
            Kind::Float(f) if f.is_finite() => Ok(*f),
            _ => Err(self.err(format!("`{what}` must be a number"))),
        }
    }

    /// Every node of the tree under this one (this one first), depth first.
    pub fn walk(&self) -> Vec<At<'a>> {
        let mut out = vec![*self];
        match &self.node.value {
            Kind::Map(m) => {
                for (_, v) in m {
                    out.extend(At::new(self.file, v).walk());
                }
            }
            Kind::Seq(s) => {
                for v in s {
                    out.extend(At::new(self.file, v).walk());
                }
            }
            _ => {}
        }
        out
    }
}

#[cfg(test)]
mod tests;
