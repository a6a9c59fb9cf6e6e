//! Why a rate-limit header could not be read. Every malformed value a server (or an attacker)
//! can send maps to one of these; parsing never panics.

use crate::calendar::HttpDateError;
use crate::Nanos;
use thiserror::Error;

/// A header value that could not be understood, or an unknown dialect name.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum HeaderError {
    /// Present but empty (or only whitespace).
    #[error("header `{name}` is empty")]
    Empty {
        /// The header name, lower case.
        name: String,
    },
    /// Not a non-negative whole number.
    #[error("header `{name}`: `{value}` is not a non-negative whole number")]
    NotANumber {
        /// The header name, lower case.
        name: String,
        /// The offending value (clipped to 64 characters).
        value: String,
    },
    /// A negative number where only non-negative ones make sense.
    #[error("header `{name}`: `{value}` is negative")]
    Negative {
        /// The header name, lower case.
        name: String,
        /// The offending value (clipped).
        value: String,
    },
    /// A number too large to represent (or a time too far away to be a wait in `Nanos`).
    #[error("header `{name}`: `{value}` is too large")]
    Overflow {
        /// The header name, lower case.
        name: String,
        /// The offending value (clipped).
        value: String,
    },
    /// Neither delay-seconds nor a valid HTTP-date.
    #[error("header `{name}`: `{value}` is not an HTTP-date: {reason}")]
    BadDate {
        /// The header name, lower case.
        name: String,
        /// The offending value (clipped).
        value: String,
        /// What is wrong with the date.
        reason: HttpDateError,
    },
    /// A structured field (RFC 9651) that does not parse, or lacks a required parameter.
    #[error("header `{name}`: `{value}`: {reason}")]
    BadField {
        /// The header name, lower case.
        name: String,
        /// The offending value (clipped).
        value: String,
        /// What is wrong.
        reason: String,
    },
    /// A single-valued header sent several times with different values.
    #[error("header `{name}` appears more than once with different values")]
    Conflicting {
        /// The header name, lower case.
        name: String,
    },
    /// An unknown dialect (or format) name in a scenario file.
    #[error("unknown {what} `{given}` (expected one of: {expected})")]
    UnknownName {
        /// What kind of name, e.g. "header dialect".
        what: &'static str,
        /// The name given (clipped).
        given: String,
        /// Comma-separated valid names.
        expected: String,
    },
}

/// At most 64 characters of `s` (on a character boundary), for error messages.
pub(crate) fn clip(s: &str) -> String {
    match s.char_indices().nth(64) {
        Some((i, _)) => format!("{}...", &s[..i]),
        None => s.to_string(),
    }
}

/// The value without the optional whitespace (`OWS`, RFC 9110 §5.6.3) around it.
pub(super) fn trim_ows(v: &str) -> &str {
    v.trim_matches([' ', '\t'])
}

/// A number too large for its unit.
pub(super) fn overflow(name: &str, value: &str) -> HeaderError {
    HeaderError::Overflow {
        name: name.into(),
        value: clip(value),
    }
}

/// `n` units of `unit_ns` as a wait, or an overflow error.
pub(super) fn wait(name: &str, value: &str, n: u64, unit_ns: u64) -> Result<Nanos, HeaderError> {
    n.checked_mul(unit_ns)
        .map(Nanos)
        .ok_or_else(|| overflow(name, value))
}
