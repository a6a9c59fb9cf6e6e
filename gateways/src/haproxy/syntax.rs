//! HAProxy's configuration grammar, as much as the rate-limit rules need: one statement per
//! line, words split on blanks, `"..."` and `'...'` quoting with backslash escapes in double
//! quotes, `#` comments outside quotes (src/cfgparse.c, `parse_line`), and sections opened by
//! a keyword at the start of a statement (`global`, `defaults`, `frontend`, `backend`,
//! `listen`, ...). Every word keeps its byte offset for line:column errors.

use crate::GatewayError;

/// A word with its byte offset.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Word {
    /// The word, unquoted.
    pub text: String,
    /// Byte offset of its first character.
    pub at: usize,
}

/// A section and its statements.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Section {
    /// The keyword and its arguments (`frontend`, `web`).
    pub head: Vec<Word>,
    /// Each statement's words.
    pub lines: Vec<Vec<Word>>,
}

impl Section {
    /// `frontend`, `backend`, ...
    pub fn kind(&self) -> &str {
        &self.head[0].text
    }
    /// The section's name (`""` for `global` / `defaults` without one).
    pub fn name(&self) -> &str {
        self.head.get(1).map_or("", |w| w.text.as_str())
    }
}

const SECTIONS: &[&str] = &[
    "global",
    "defaults",
    "frontend",
    "backend",
    "listen",
    "peers",
    "resolvers",
    "userlist",
    "mailers",
    "program",
    "http-errors",
    "ring",
    "cache",
    "crt-store",
    "traces",
];

/// Split `text` into sections.
pub fn parse(file: &str, text: &str) -> Result<Vec<Section>, GatewayError> {
    let mut out: Vec<Section> = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let words = words(file, text, line, offset)?;
        offset += line.len();
        let Some(first) = words.first() else { continue };
        if SECTIONS.contains(&first.text.as_str()) {
            out.push(Section {
                head: words,
                lines: Vec::new(),
            });
        } else if let Some(s) = out.last_mut() {
            s.lines.push(words);
        } else {
            return Err(GatewayError::at(
                file,
                text,
                first.at,
                format!(
                    "`{}` outside any section: expected a section such as `frontend <name>` first",
                    first.text
                ),
            ));
        }
    }
    Ok(out)
}

fn words(file: &str, text: &str, line: &str, base: usize) -> Result<Vec<Word>, GatewayError> {
    let mut out = Vec::new();
    let mut chars = line.char_indices().peekable();
    while let Some(&(i, c)) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        if c == '#' {
            break;
        }
        let mut word = String::new();
        let start = i;
        while let Some(&(j, c)) = chars.peek() {
            if c.is_whitespace() || c == '#' {
                break;
            }
            chars.next();
            if c == '"' || c == '\'' {
                let mut closed = false;
                while let Some((_, q)) = chars.next() {
                    if q == c {
                        closed = true;
                        break;
                    }
                    if q == '\\' && c == '"' {
                        if let Some((_, e)) = chars.next() {
                            word.push(e);
                        }
                        continue;
                    }
                    word.push(q);
                }
                if !closed {
                    return Err(GatewayError::at(
                        file,
                        text,
                        base + j,
                        "unterminated quote: expected a closing quote on the same line",
                    ));
                }
            } else if c == '\\' {
                if let Some((_, e)) = chars.next() {
                    word.push(e);
                }
            } else {
                word.push(c);
            }
        }
        out.push(Word {
            text: word,
            at: base + start,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_words_quotes_comments() {
        let s = parse("h.cfg", "global\n  daemon\nfrontend web # c\n  http-request deny hdr X \"a b\" if { src 1.2.3.4 }\n").unwrap();
        assert_eq!(s.len(), 2);
        assert_eq!((s[1].kind(), s[1].name()), ("frontend", "web"));
        let w: Vec<&str> = s[1].lines[0].iter().map(|w| w.text.as_str()).collect();
        assert_eq!(
            w,
            [
                "http-request",
                "deny",
                "hdr",
                "X",
                "a b",
                "if",
                "{",
                "src",
                "1.2.3.4",
                "}"
            ]
        );
    }

    #[test]
    fn errors_name_line_and_column() {
        let e = parse("h.cfg", "  bind :80\n").unwrap_err().to_string();
        assert!(
            e.starts_with("h.cfg:1:3: `bind` outside any section"),
            "{e}"
        );
        let e = parse("h.cfg", "frontend a\n  x \"open\n")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("h.cfg:2:5: unterminated quote"), "{e}");
    }
}
