//! Replay real traffic (issue #17): read access logs and ask what a candidate limit would have
//! done to them.
//!
//! The binary's edge, as the design puts it: formats ([`formats`], [`template`]), key
//! expressions ([`key`]), streaming ([`input`]: compressed or not, one line at a time), and
//! the static answer ([`static_pass`]), which checks each logged request with `sim`'s limiter
//! hierarchy. Nothing here reads a clock: all time is the log's.
//!
//! A line that cannot be parsed is counted with its file and line number (the first few are
//! kept to show) and skipped; `--strict` makes the first one fatal.

pub mod closed;
pub mod formats;
pub mod input;
pub mod key;
pub mod record;
pub mod static_pass;
pub mod template;
pub mod time;

use formats::Parser;
use key::KeyExpr;
use record::Record;
use std::fmt;
use std::path::Path;

/// How many bad lines are kept to show.
pub const SHOWN_BAD_LINES: usize = 5;

/// A failure of the replay's reading.
#[derive(Debug)]
pub enum ReplayError {
    /// A log could not be opened or read (exit 2: the input is bad).
    Io {
        /// The file.
        path: String,
        /// What went wrong.
        source: std::io::Error,
    },
    /// `--strict` and a line that does not parse: `file:line:column: message`.
    Strict(String),
}

impl fmt::Display for ReplayError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReplayError::Io { path, source } if cut_short(source) => write!(
                f,
                "{path}: the compressed stream ends early ({source}): a file cut short \
                 (copied while it was written?); nothing is reported for a partial log"
            ),
            ReplayError::Io { path, source } => write!(f, "{path}: {source}"),
            ReplayError::Strict(m) => write!(f, "{m} (--strict stops at the first bad line)"),
        }
    }
}

impl std::error::Error for ReplayError {}

/// A gzip or zstd stream that stops before its end (flate2 says "incomplete deflate stream"
/// or "unexpected end of file", zstd "incomplete frame").
fn cut_short(e: &std::io::Error) -> bool {
    let m = e.to_string();
    e.kind() == std::io::ErrorKind::UnexpectedEof
        || m.contains("incomplete")
        || m.contains("unexpected end")
}

/// `file:line:column: message` of a bad line (`column N: ` at the start of `msg` becomes the
/// column).
pub fn locate(file: &str, line: u64, msg: &str) -> String {
    if let Some(rest) = msg.strip_prefix("column ") {
        if let Some((col, m)) = rest.split_once(": ") {
            if col.bytes().all(|b| b.is_ascii_digit()) {
                return format!("{file}:{line}:{col}: {m}");
            }
        }
    }
    format!("{file}:{line}: {msg}")
}

/// Counts of what the reading saw.
#[derive(Debug, Default, Clone)]
pub struct Tally {
    /// Lines read (all files).
    pub lines: u64,
    /// Lines that are requests and parsed.
    pub records: u64,
    /// Lines that did not parse.
    pub bad: u64,
    /// The first [`SHOWN_BAD_LINES`] of them, located.
    pub shown: Vec<String>,
    /// Parsed lines whose client or tenant key was not found.
    pub unkeyed: u64,
}

/// Reads logs line by line and hands each keyed record on.
#[derive(Debug)]
pub struct Reader {
    /// The format's parser.
    pub parser: Parser,
    /// What names the client.
    pub client: KeyExpr,
    /// What names the tenant (`None`: the client is its own tenant).
    pub tenant: Option<KeyExpr>,
    /// Stop at the first bad line.
    pub strict: bool,
    /// What was seen.
    pub tally: Tally,
}

impl Reader {
    /// Read `path` (`-` for standard input), calling `f(record, client, tenant)` for every
    /// keyed request, in log order.
    pub fn read<F>(&mut self, path: &Path, f: F) -> Result<(), ReplayError>
    where
        F: FnMut(&Record<'_>, &str, &str),
    {
        let name = path.display().to_string();
        let file = input::open(path).map_err(|source| ReplayError::Io {
            path: name.clone(),
            source,
        })?;
        self.read_lines(&mut input::Lines::new(file), &name, f)
    }

    /// [`Reader::read`] of lines already open; `name` names them in messages.
    pub fn read_lines<R, F>(
        &mut self,
        lines: &mut input::Lines<R>,
        name: &str,
        mut f: F,
    ) -> Result<(), ReplayError>
    where
        R: std::io::BufRead,
        F: FnMut(&Record<'_>, &str, &str),
    {
        let io = |source| ReplayError::Io {
            path: name.to_string(),
            source,
        };
        while let Some((n, line)) = lines.next_line().map_err(io)? {
            self.tally.lines += 1;
            let parsed = line.and_then(|l| match self.parser.skip(l) {
                Ok(true) => Ok(None),
                Ok(false) => self.parser.parse(l).map(Some),
                Err(e) => Err(e),
            });
            let rec = match parsed {
                Ok(Some(r)) => r,
                Ok(None) => continue,
                Err(msg) => {
                    let at = locate(name, n, &msg);
                    if self.strict {
                        return Err(ReplayError::Strict(at));
                    }
                    self.tally.bad += 1;
                    if self.tally.shown.len() < SHOWN_BAD_LINES {
                        self.tally.shown.push(at);
                    }
                    continue;
                }
            };
            self.tally.records += 1;
            let Some(client) = self.client.eval(&rec) else {
                self.tally.unkeyed += 1;
                continue;
            };
            let tenant = match &self.tenant {
                None => client,
                Some(t) => match t.eval(&rec) {
                    Some(t) => t,
                    None => {
                        self.tally.unkeyed += 1;
                        continue;
                    }
                },
            };
            f(&rec, client, tenant);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn bad_lines_counted_located_and_fatal_only_when_strict() {
        let dir = std::env::temp_dir().join(format!("replay-mod-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("a.log");
        let good = r#"10.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET /v1/orgs/a/x HTTP/1.1" 200 1 "-" "-""#;
        let other =
            r#"10.0.0.2 - - [10/Oct/2000:13:55:37 -0700] "GET /health HTTP/1.1" 200 1 "-" "-""#;
        let mut f = std::fs::File::create(&path).unwrap();
        writeln!(f, "{good}\nnot a log line\n{other}\n{good}").unwrap();
        drop(f);
        let mk = |strict| Reader {
            parser: Parser::new("combined", None, None).unwrap(),
            client: KeyExpr::parse("ip").unwrap(),
            tenant: Some(KeyExpr::parse("path:/v1/orgs/{org}/...").unwrap()),
            strict,
            tally: Tally::default(),
        };
        let mut r = mk(false);
        let mut seen = Vec::new();
        r.read(&path, |rec, c, t| {
            seen.push((rec.status, c.to_string(), t.to_string()))
        })
        .unwrap();
        assert_eq!(seen.len(), 2);
        assert_eq!(seen[0], (200, "10.0.0.1".into(), "a".into()));
        assert_eq!(
            (r.tally.lines, r.tally.records, r.tally.bad, r.tally.unkeyed),
            (4, 3, 1, 1)
        );
        let shown = &r.tally.shown[0];
        assert!(
            shown.ends_with("a.log:2:1: expected ` - ` after $remote_addr"),
            "{shown}"
        );

        let e = mk(true).read(&path, |_, _, _| {}).unwrap_err().to_string();
        assert!(e.contains("a.log:2:") && e.contains("--strict"), "{e}");
        let e = mk(false)
            .read(&dir.join("missing.log"), |_, _, _| {})
            .unwrap_err();
        assert!(matches!(e, ReplayError::Io { .. }));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn locate_moves_the_column() {
        assert_eq!(
            locate("f", 3, "column 7: expected `x`"),
            "f:3:7: expected `x`"
        );
        assert_eq!(locate("f", 3, "no time"), "f:3: no time");
    }
}
