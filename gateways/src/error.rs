//! Errors of reading and writing gateway configurations. A problem in a gateway's file names
//! that file's line and column, so the user fixes their nginx.conf, not a generated scenario.

use std::fmt;

/// A position in a gateway's configuration file: 1-based line and column (in characters).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pos {
    /// The file as the user named it.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub col: usize,
}

impl Pos {
    /// The position of byte `offset` in `text` (clamped to its end).
    ///
    /// ```
    /// let p = gateways::Pos::at("n.conf", "ab\ncd", 4);
    /// assert_eq!((p.line, p.col), (2, 2));
    /// ```
    pub fn at(file: &str, text: &str, offset: usize) -> Pos {
        let offset = offset.min(text.len());
        let before = &text[..floor_char(text, offset)];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let col = before[line_start..].chars().count() + 1;
        Pos {
            file: file.to_string(),
            line,
            col,
        }
    }
}

fn floor_char(text: &str, mut i: usize) -> usize {
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

impl fmt::Display for Pos {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.col)
    }
}

/// What can go wrong importing or exporting a gateway configuration.
#[derive(Debug, thiserror::Error)]
pub enum GatewayError {
    /// A problem at a place in the gateway's file.
    #[error("{pos}: {msg}")]
    At {
        /// Where.
        pos: Pos,
        /// What was expected, in words.
        msg: String,
    },
    /// The file's dialect could not be told from its name or content.
    #[error("{file}: cannot tell which gateway this configuration is for; pass --format (one of: {known})")]
    UnknownFormat {
        /// The file.
        file: String,
        /// The dialects' names.
        known: String,
    },
    /// The configuration has no rate limit in it.
    #[error("{file}: no rate limit found ({what})")]
    Empty {
        /// The file.
        file: String,
        /// What was looked for.
        what: String,
    },
    /// A lab level cannot be said in the dialect (export), or the dialect cannot be read yet.
    #[error("{dialect}: {reason}")]
    Unsupported {
        /// The dialect's name.
        dialect: &'static str,
        /// Why, in a sentence.
        reason: String,
    },
    /// The file could not be read.
    #[error("{file}: {source}")]
    Io {
        /// The file.
        file: String,
        /// The cause.
        source: std::io::Error,
    },
}

impl GatewayError {
    /// An error at byte `offset` of `text`.
    pub fn at(file: &str, text: &str, offset: usize, msg: impl Into<String>) -> GatewayError {
        GatewayError::At {
            pos: Pos::at(file, text, offset),
            msg: msg.into(),
        }
    }
}
