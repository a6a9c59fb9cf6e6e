//! The part of RFC 9651 (Structured Field Values for HTTP) that the rate-limit fields use:
//! Lists and Dictionaries of Items with Parameters; Integers, Decimals, Strings, Tokens, Byte
//! Sequences and Booleans. Inner Lists are rejected (no rate-limit field uses them).
//!
//! Written here instead of depending on the `sfv` crate: that crate brings `rust_decimal` and
//! `indexmap` into a crate meant to compile in seconds, for ~150 lines of strict parsing. The
//! parser follows RFC 9651 §4.2 step by step, on bytes, and fails (never panics) on anything
//! else, including non-ASCII input.

/// A bare item value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Bare {
    /// An Integer (at most 15 digits, RFC 9651 §3.3.1).
    Int(i64),
    /// A Decimal, kept as written (no float in this crate's logic).
    Dec(String),
    /// A String, unescaped.
    Str(String),
    /// A Token.
    Token(String),
    /// A Byte Sequence, base64 text as written (not decoded: nobody here needs the bytes).
    Bytes(String),
    /// A Boolean.
    Bool(bool),
}

/// An Item: a bare value with parameters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Item {
    pub bare: Bare,
    pub params: Vec<(String, Bare)>,
}

impl Item {
    /// The value of parameter `key`, if present.
    pub fn param(&self, key: &str) -> Option<&Bare> {
        self.params.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }
}

/// Why a field did not parse.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum SfError {
    /// Syntax error, with what was expected.
    Syntax(&'static str),
    /// An Integer with more than 15 digits.
    IntegerTooLong,
}

struct Cursor<'a> {
    b: &'a [u8],
    i: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }
    fn eat(&mut self, c: u8) -> bool {
        if self.peek() == Some(c) {
            self.i += 1;
            true
        } else {
            false
        }
    }
    fn skip_sp(&mut self) {
        while self.peek() == Some(b' ') {
            self.i += 1;
        }
    }
    fn skip_ows(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.i += 1;
        }
    }
    fn done(&self) -> bool {
        self.i >= self.b.len()
    }
}

fn start(s: &str) -> Result<Cursor<'_>, SfError> {
    if !s.is_ascii() {
        return Err(SfError::Syntax("structured fields are ASCII"));
    }
    let mut c = Cursor {
        b: s.as_bytes(),
        i: 0,
    };
    c.skip_sp();
    // Trailing spaces are removed too (RFC 9651 §4.2 step 2).
    while c.b.last() == Some(&b' ') {
        c.b = &c.b[..c.b.len() - 1];
    }
    Ok(c)
}

/// Parse a List of Items (RFC 9651 §4.2.1). An empty field is an empty list.
pub(crate) fn parse_list(s: &str) -> Result<Vec<Item>, SfError> {
    let mut c = start(s)?;
    let mut out = Vec::new();
    while !c.done() {
        if c.peek() == Some(b'(') {
            return Err(SfError::Syntax("inner lists are not supported"));
        }
        out.push(item(&mut c)?);
        if !member_separator(&mut c)? {
            break;
        }
    }
    Ok(out)
}

/// Parse a Dictionary (RFC 9651 §4.2.2): `key[=item]` members; a bare key is `true`.
pub(crate) fn parse_dict(s: &str) -> Result<Vec<(String, Item)>, SfError> {
    let mut c = start(s)?;
    let mut out: Vec<(String, Item)> = Vec::new();
    while !c.done() {
        let k = key(&mut c)?;
        let it = if c.eat(b'=') {
            if c.peek() == Some(b'(') {
                return Err(SfError::Syntax("inner lists are not supported"));
            }
            item(&mut c)?
        } else {
            Item {
                bare: Bare::Bool(true),
                params: params(&mut c)?,
            }
        };
        // Later duplicates overwrite earlier ones (RFC 9651 §4.2.2).
        out.retain(|(ok, _)| *ok != k);
        out.push((k, it));
        if !member_separator(&mut c)? {
            break;
        }
    }
    Ok(out)
}

/// After a member: end of input (false), or `OWS "," OWS` followed by another member (true).
fn member_separator(c: &mut Cursor<'_>) -> Result<bool, SfError> {
    c.skip_ows();
    if c.done() {
        return Ok(false);
    }
    if !c.eat(b',') {
        return Err(SfError::Syntax("expected `,` between members"));
    }
    c.skip_ows();
    if c.done() {
        return Err(SfError::Syntax("trailing `,`"));
    }
    Ok(true)
}

fn item(c: &mut Cursor<'_>) -> Result<Item, SfError> {
    let bare = bare_item(c)?;
    let params = params(c)?;
    Ok(Item { bare, params })
}

fn params(c: &mut Cursor<'_>) -> Result<Vec<(String, Bare)>, SfError> {
    let mut out: Vec<(String, Bare)> = Vec::new();
    while c.eat(b';') {
        c.skip_sp();
        let k = key(c)?;
        let v = if c.eat(b'=') {
            bare_item(c)?
        } else {
            Bare::Bool(true)
        };
        out.retain(|(ok, _)| *ok != k);
        out.push((k, v));
    }
    Ok(out)
}

fn key(c: &mut Cursor<'_>) -> Result<String, SfError> {
    match c.peek() {
        Some(b'a'..=b'z' | b'*') => {}
        _ => return Err(SfError::Syntax("expected a key (lower-case letter or `*`)")),
    }
    let from = c.i;
    while matches!(
        c.peek(),
        Some(b'a'..=b'z' | b'0'..=b'9' | b'_' | b'-' | b'.' | b'*')
    ) {
        c.i += 1;
    }
    Ok(String::from_utf8_lossy(&c.b[from..c.i]).into_owned())
}

fn bare_item(c: &mut Cursor<'_>) -> Result<Bare, SfError> {
    match c.peek() {
        Some(b'-' | b'0'..=b'9') => number(c),
        Some(b'"') => string(c),
        Some(b'A'..=b'Z' | b'a'..=b'z' | b'*') => {
            let from = c.i;
            while matches!(c.peek(), Some(b) if is_tchar(b) || b == b':' || b == b'/') {
                c.i += 1;
            }
            Ok(Bare::Token(
                String::from_utf8_lossy(&c.b[from..c.i]).into_owned(),
            ))
        }
        Some(b':') => {
            c.i += 1;
            let from = c.i;
            while matches!(c.peek(), Some(b) if b.is_ascii_alphanumeric() || b"+/=".contains(&b)) {
                c.i += 1;
            }
            let text = String::from_utf8_lossy(&c.b[from..c.i]).into_owned();
            if !c.eat(b':') {
                return Err(SfError::Syntax("unterminated byte sequence"));
            }
            Ok(Bare::Bytes(text))
        }
        Some(b'?') => {
            c.i += 1;
            let v = match c.peek() {
                Some(b'0') => false,
                Some(b'1') => true,
                _ => return Err(SfError::Syntax("a boolean is ?0 or ?1")),
            };
            c.i += 1;
            Ok(Bare::Bool(v))
        }
        _ => Err(SfError::Syntax("expected an item")),
    }
}

fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

fn number(c: &mut Cursor<'_>) -> Result<Bare, SfError> {
    let neg = c.eat(b'-');
    let from = c.i;
    let mut dot: Option<usize> = None;
    while let Some(b) = c.peek() {
        if b.is_ascii_digit() {
            c.i += 1;
        } else if b == b'.' && dot.is_none() {
            dot = Some(c.i);
            c.i += 1;
        } else {
            break;
        }
    }
    let text = &c.b[from..c.i];
    if text.is_empty() || !text[0].is_ascii_digit() {
        return Err(SfError::Syntax("expected a digit"));
    }
    let text = String::from_utf8_lossy(text).into_owned();
    match dot {
        None => {
            if text.len() > 15 {
                return Err(SfError::IntegerTooLong);
            }
            let v: i64 = text.parse().map_err(|_| SfError::IntegerTooLong)?;
            Ok(Bare::Int(if neg { -v } else { v }))
        }
        Some(d) => {
            let int_len = d - from;
            let frac_len = c.i - d - 1;
            if int_len > 12 || frac_len == 0 || frac_len > 3 {
                return Err(SfError::Syntax(
                    "a decimal has 1-12 integer and 1-3 fraction digits",
                ));
            }
            Ok(Bare::Dec(if neg { format!("-{text}") } else { text }))
        }
    }
}

fn string(c: &mut Cursor<'_>) -> Result<Bare, SfError> {
    c.i += 1; // opening quote
    let mut out = String::new();
    loop {
        match c.peek() {
            None => return Err(SfError::Syntax("unterminated string")),
            Some(b'"') => {
                c.i += 1;
                return Ok(Bare::Str(out));
            }
            Some(b'\\') => {
                c.i += 1;
                match c.peek() {
                    Some(b @ (b'"' | b'\\')) => out.push(char::from(b)),
                    _ => return Err(SfError::Syntax("bad escape in string")),
                }
                c.i += 1;
            }
            Some(b @ 0x20..=0x7e) => {
                out.push(char::from(b));
                c.i += 1;
            }
            Some(_) => return Err(SfError::Syntax("control character in string")),
        }
    }
}

/// Serialize a String (RFC 9651 §4.1.6): quotes and backslashes escaped. Non-printable or
/// non-ASCII characters are replaced by `_` (they cannot be represented).
pub(crate) fn string_literal(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for ch in s.chars() {
        match ch {
            '"' | '\\' => {
                out.push('\\');
                out.push(ch);
            }
            ' '..='~' => out.push(ch),
            _ => out.push('_'),
        }
    }
    out.push('"');
    out
}

/// The largest Integer a structured field can carry (15 digits).
pub(crate) const MAX_INT: u64 = 999_999_999_999_999;

#[cfg(test)]
mod tests;
