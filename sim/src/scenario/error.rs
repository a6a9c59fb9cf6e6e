//! [`ScenarioError`]: what is wrong with a scenario file, and where.
//!
//! Every error that comes from the file's text carries the file name, the 1-based line and
//! column, the offending line and a caret under the offending value, so the message reads like
//! a compiler's:
//!
//! ```text
//! scenarios/bad/zero-rate.toml:14:8: rate: a rate must allow at least one request per period
//!    |
//! 14 | rate = "0/s"
//!    |        ^^^^^
//! ```

use std::fmt;
use std::ops::Range;
use thiserror::Error;

/// Why a scenario could not be loaded.
#[derive(Debug, Error)]
pub enum ScenarioError {
    /// The file could not be read.
    #[error("{file}: cannot read the file: {source}")]
    Io {
        /// The path as given.
        file: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The file is larger than a scenario may be (or endless, like `/dev/zero`).
    #[error("{file}: the scenario file is larger than {limit} bytes (the most a scenario file may have)")]
    TooLarge {
        /// The path as given.
        file: String,
        /// [`crate::scenario::MAX_FILE_BYTES`].
        limit: u64,
    },
    /// The file is not UTF-8 text.
    #[error("{file}: the scenario file is not UTF-8 text")]
    NotText {
        /// The path as given.
        file: String,
    },
    /// The text is not a valid scenario: a syntax error, a wrong type, an unknown or missing
    /// field, or a value that is impossible (zero rate, fault outside the run, ...).
    #[error("{0}")]
    At(Box<Located>),
    /// Several values are impossible: every problem validation found in one pass (at least
    /// two, in file order), so a user fixes them all at once rather than one per run.
    #[error("{}", several(.0))]
    Several(Vec<Located>),
}

/// `FILE: N problems` and each problem with its line, as the compiler lists its errors.
fn several(all: &[Located]) -> String {
    let file = all.first().map_or("", |l| l.file.as_str());
    let mut out = format!("{file}: {} problems", all.len());
    for l in all {
        out.push_str("\n\n");
        out.push_str(&l.to_string());
    }
    out
}

impl ScenarioError {
    /// Every located problem (one for [`ScenarioError::At`], all of them for
    /// [`ScenarioError::Several`], none for a file that could not be read).
    pub fn problems(&self) -> &[Located] {
        match self {
            ScenarioError::At(l) => std::slice::from_ref(l),
            ScenarioError::Several(all) => all,
            _ => &[],
        }
    }

    /// Where the (first) problem is, for errors that come from the file's text.
    pub fn location(&self) -> Option<&Located> {
        match self {
            ScenarioError::At(l) => Some(l),
            ScenarioError::Several(all) => all.first(),
            _ => None,
        }
    }
}

/// An error message pinned to a place in a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    /// The file name as given (or `<string>` for text loaded from memory).
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub col: usize,
    /// What was expected, in words.
    pub message: String,
    /// The text of the offending line (without its newline).
    pub source_line: String,
    /// How many characters the caret underlines (at least 1).
    pub width: usize,
}

impl Located {
    /// Locate `span` (byte offsets into `text`) and attach `message`.
    ///
    /// ```
    /// use sim::scenario::Located;
    /// let text = "a = 1\nrate = \"0/s\"\n";
    /// let at = Located::new("x.toml", text, Some(13..18), "bad rate");
    /// assert_eq!((at.line, at.col, at.width), (2, 8, 5));
    /// assert!(at.to_string().starts_with("x.toml:2:8: bad rate"));
    /// ```
    pub fn new(file: &str, text: &str, span: Option<Range<usize>>, message: &str) -> Located {
        let span = span.unwrap_or(0..0);
        let start = clamp_to_char_boundary(text, span.start);
        let end = clamp_to_char_boundary(text, span.end.max(start));
        let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
        let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
        let line = text[..start].matches('\n').count() + 1;
        let col = text[line_start..start].chars().count() + 1;
        let source_line = text[line_start..line_end]
            .trim_end_matches('\r')
            .to_string();
        let width = text[start..end.min(line_end)].chars().count().max(1);
        Located {
            file: file.to_string(),
            line,
            col,
            message: message.trim().to_string(),
            source_line,
            width,
        }
    }
}

fn clamp_to_char_boundary(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

impl fmt::Display for Located {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.file, self.line, self.col, self.message
        )?;
        if self.source_line.trim().is_empty() {
            return Ok(());
        }
        let num = self.line.to_string();
        let pad = " ".repeat(num.len());
        // Tabs would shift the caret: show the line with tabs as single spaces.
        let shown = self.source_line.replace('\t', " ");
        write!(
            f,
            "\n{pad} |\n{num} | {shown}\n{pad} | {}{}",
            " ".repeat(self.col - 1),
            "^".repeat(self.width)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_line_and_missing_span_point_at_the_start() {
        let at = Located::new("f", "name = 1\n", None, "oops");
        assert_eq!((at.line, at.col), (1, 1));
        assert_eq!(at.source_line, "name = 1");
    }

    #[test]
    fn columns_count_characters_not_bytes() {
        let text = "d = \"é\" # x\nk = 5";
        let k = text.find('k').unwrap();
        let at = Located::new("f", text, Some(k..k + 1), "m");
        assert_eq!((at.line, at.col), (2, 1));
        let hash = text.find('#').unwrap();
        let at = Located::new("f", text, Some(hash..hash + 1), "m");
        assert_eq!(at.col, 9);
    }

    #[test]
    fn out_of_range_spans_do_not_panic() {
        let at = Located::new("f", "ab", Some(10..20), "m");
        assert_eq!(at.line, 1);
        let at = Located::new("f", "é", Some(1..1), "m");
        assert_eq!(at.col, 1);
    }

    #[test]
    fn rendering_has_caret_under_the_value() {
        let text = "x = 1\nrate = \"0/s\"\n";
        let s = text.find('"').unwrap();
        let at = Located::new("a.toml", text, Some(s..s + 5), "bad");
        let shown = at.to_string();
        assert!(shown.contains("2 | rate = \"0/s\""), "{shown}");
        assert!(shown.ends_with("  |        ^^^^^"), "{shown:?}");
    }
}
