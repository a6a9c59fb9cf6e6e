//! Typed errors of the `limiters` crate. Constructors validate their parameters and return these
//! instead of panicking, so a scenario file with `burst = 0` gets a sentence, not a backtrace.

use thiserror::Error;

/// Why a limiter could not be built, or a unit or header could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum LimiterError {
    /// A parameter has an impossible value (zero rate, burst 0, period 0, overflow-prone value).
    #[error("parameter `{param}`: {reason}")]
    Invalid {
        /// The parameter's name as written in a scenario file.
        param: String,
        /// What is wrong, in words a user understands.
        reason: String,
    },
    /// A required parameter is absent.
    #[error("missing parameter `{param}` ({expected})")]
    Missing {
        /// The parameter's name.
        param: String,
        /// What kind of value it takes, e.g. "a rate such as `500/s`".
        expected: String,
    },
    /// A parameter this algorithm does not know (usually a typo).
    #[error("unknown parameter `{param}` for `{algorithm}` (expected one of: {expected})")]
    UnknownParam {
        /// The parameter's name.
        param: String,
        /// The algorithm it was given to.
        algorithm: String,
        /// Comma-separated list of the names it accepts.
        expected: String,
    },
    /// No algorithm is registered under this name.
    #[error("unknown limiter algorithm `{name}` (known: {known})")]
    UnknownAlgorithm {
        /// The name asked for.
        name: String,
        /// Comma-separated list of the registered names.
        known: String,
    },
    /// A duration or rate string such as `"250ms"` or `"60/min"` could not be parsed.
    #[error("`{text}`: {reason}")]
    BadUnit {
        /// The text as given.
        text: String,
        /// What was expected.
        reason: String,
    },
}

impl LimiterError {
    /// Shorthand for [`LimiterError::Invalid`].
    pub fn invalid(param: &str, reason: impl Into<String>) -> LimiterError {
        LimiterError::Invalid {
            param: param.to_string(),
            reason: reason.into(),
        }
    }
    /// The parameter this error is about, if any (used to point at its line in a scenario file).
    pub fn param(&self) -> Option<&str> {
        match self {
            LimiterError::Invalid { param, .. }
            | LimiterError::Missing { param, .. }
            | LimiterError::UnknownParam { param, .. } => Some(param),
            _ => None,
        }
    }
}
