//! Enough of nginx's configuration grammar to find the rate-limit directives: directives of
//! words ending in `;` or a `{ ... }` block, single- and double-quoted words with backslash
//! escapes, `#` comments to the end of the line (as nginx's `ngx_conf_read_token` in
//! src/core/ngx_conf_file.c). Every word keeps its byte offset so errors name line:column.
//! `include` is refused: the importer reads one file.

use crate::GatewayError;

/// A word of a directive, with where it starts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Word {
    /// The word, quotes removed and escapes applied.
    pub text: String,
    /// Byte offset of its first character in the file.
    pub at: usize,
}

/// One directive: its name and arguments, and the directives of its block if it has one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Directive {
    /// Name then arguments.
    pub words: Vec<Word>,
    /// `Some` for a block directive (`http { ... }`).
    pub block: Option<Vec<Directive>>,
}

impl Directive {
    /// The directive's name.
    pub fn name(&self) -> &str {
        &self.words[0].text
    }
    /// Its arguments.
    pub fn args(&self) -> &[Word] {
        &self.words[1..]
    }
}

#[derive(Debug, PartialEq)]
enum Tok {
    Word(Word),
    Semi(usize),
    Open(usize),
    Close(usize),
}

struct Lexer<'a> {
    file: &'a str,
    text: &'a str,
    pos: usize,
}

impl Lexer<'_> {
    fn err(&self, at: usize, msg: impl Into<String>) -> GatewayError {
        GatewayError::at(self.file, self.text, at, msg)
    }

    fn next(&mut self) -> Result<Option<Tok>, GatewayError> {
        let bytes = self.text.as_bytes();
        loop {
            while self.pos < bytes.len() && bytes[self.pos].is_ascii_whitespace() {
                self.pos += 1;
            }
            if self.pos < bytes.len() && bytes[self.pos] == b'#' {
                while self.pos < bytes.len() && bytes[self.pos] != b'\n' {
                    self.pos += 1;
                }
                continue;
            }
            break;
        }
        let Some(&c) = bytes.get(self.pos) else {
            return Ok(None);
        };
        let at = self.pos;
        match c {
            b';' => {
                self.pos += 1;
                Ok(Some(Tok::Semi(at)))
            }
            b'{' => {
                self.pos += 1;
                Ok(Some(Tok::Open(at)))
            }
            b'}' => {
                self.pos += 1;
                Ok(Some(Tok::Close(at)))
            }
            b'"' | b'\'' => self.quoted(c).map(Some),
            _ => {
                let start = self.pos;
                while self.pos < bytes.len() {
                    let b = bytes[self.pos];
                    if b.is_ascii_whitespace() || matches!(b, b';' | b'{' | b'}') {
                        break;
                    }
                    self.pos += 1;
                }
                Ok(Some(Tok::Word(Word {
                    text: self.text[start..self.pos].to_string(),
                    at,
                })))
            }
        }
    }

    fn quoted(&mut self, quote: u8) -> Result<Tok, GatewayError> {
        let at = self.pos;
        self.pos += 1;
        let mut out = String::new();
        let rest = &self.text[self.pos..];
        let mut chars = rest.char_indices();
        while let Some((i, ch)) = chars.next() {
            if ch == '\\' {
                match chars.next() {
                    Some((_, e @ ('"' | '\'' | '\\'))) => out.push(e),
                    Some((_, 't')) => out.push('\t'),
                    Some((_, 'r')) => out.push('\r'),
                    Some((_, 'n')) => out.push('\n'),
                    Some((_, other)) => {
                        out.push('\\');
                        out.push(other);
                    }
                    None => break,
                }
            } else if ch as u32 == u32::from(quote) {
                self.pos += i + 1;
                return Ok(Tok::Word(Word { text: out, at }));
            } else {
                out.push(ch);
            }
        }
        Err(self.err(at, "unterminated quoted string: expected a closing quote"))
    }
}

/// Parse a whole configuration file into its top-level directives.
pub fn parse(file: &str, text: &str) -> Result<Vec<Directive>, GatewayError> {
    let mut lx = Lexer { file, text, pos: 0 };
    let (list, end) = block(&mut lx, None)?;
    debug_assert!(end.is_none());
    Ok(list)
}

/// Directives up to the `}` closing the block opened at `open` (or the end of the file).
fn block(
    lx: &mut Lexer,
    open: Option<usize>,
) -> Result<(Vec<Directive>, Option<usize>), GatewayError> {
    let mut out = Vec::new();
    let mut words: Vec<Word> = Vec::new();
    loop {
        match lx.next()? {
            None => {
                if let Some(w) = words.first() {
                    return Err(lx.err(
                        w.at,
                        format!("directive `{}` is not terminated by \";\"", w.text),
                    ));
                }
                if let Some(o) = open {
                    return Err(lx.err(
                        o,
                        "unexpected end of file: this \"{\" is never closed by \"}\"",
                    ));
                }
                return Ok((out, None));
            }
            Some(Tok::Word(w)) => words.push(w),
            Some(Tok::Semi(at)) => {
                if words.is_empty() {
                    return Err(lx.err(at, "unexpected \";\": expected a directive name before it"));
                }
                let d = Directive {
                    words: std::mem::take(&mut words),
                    block: None,
                };
                if d.name() == "include" {
                    return Err(lx.err(
                        d.words[0].at,
                        "`include` is not followed: import the included file on its own, or paste its limit_req/limit_conn directives here",
                    ));
                }
                out.push(d);
            }
            Some(Tok::Open(at)) => {
                if words.is_empty() {
                    return Err(lx.err(at, "unexpected \"{\": expected a block name such as `http` or `location /` before it"));
                }
                let (inner, _) = block(lx, Some(at))?;
                out.push(Directive {
                    words: std::mem::take(&mut words),
                    block: Some(inner),
                });
            }
            Some(Tok::Close(at)) => {
                if let Some(w) = words.first() {
                    return Err(lx.err(
                        w.at,
                        format!("directive `{}` is not terminated by \";\"", w.text),
                    ));
                }
                if open.is_none() {
                    return Err(lx.err(at, "unexpected \"}\": no block is open here"));
                }
                return Ok((out, Some(at)));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> String {
        parse("n.conf", text).unwrap_err().to_string()
    }

    #[test]
    fn blocks_quotes_and_comments() {
        let d = parse(
            "n.conf",
            "# top\nhttp {\n  add_header X \"a b;\"; # c\n  server { listen 80; }\n}\n",
        )
        .unwrap();
        assert_eq!(d.len(), 1);
        let http = d[0].block.as_ref().unwrap();
        assert_eq!(http[0].args()[1].text, "a b;");
        assert_eq!(http[1].name(), "server");
        assert_eq!(http[1].block.as_ref().unwrap()[0].args()[0].text, "80");
    }

    #[test]
    fn errors_name_line_and_column() {
        assert_eq!(
            err("http {\n  limit_req zone=one\n}\n"),
            "n.conf:2:3: directive `limit_req` is not terminated by \";\""
        );
        assert_eq!(
            err("http {\n  server {\n"),
            "n.conf:2:10: unexpected end of file: this \"{\" is never closed by \"}\""
        );
        assert_eq!(
            err("}\n"),
            "n.conf:1:1: unexpected \"}\": no block is open here"
        );
        assert!(err("http { include limits/*.conf; }")
            .starts_with("n.conf:1:8: `include` is not followed"));
        assert!(err("a \"b;\n").starts_with("n.conf:1:3: unterminated quoted string"));
    }
}
