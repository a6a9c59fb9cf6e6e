//! Key expressions: what names a client (and a tenant) in a log line. Limits are per key, per
//! tenant or global (`[[server.limiters]] scope`), and a log names the caller in many ways: the
//! address, a credential header the log records, the organisation in the path
//! (`/v1/orgs/{org}/...`), or a field of a structured log.
//!
//! - `ip`: the client address (port cut; Envoy's first `X-Forwarded-For` address);
//! - `header:NAME`: a request header the log records (nginx `$http_x_api_key`, Envoy
//!   `%REQ(X-API-KEY)%`, CloudFront `cs(X-Api-Key)`, a JSON field `x_api_key` or
//!   `http_x_api_key`), any case;
//! - `path:TEMPLATE`: the path's segments matched against a template; `{name}` captures a
//!   segment, a final `...` matches any rest; the key is the text from the first capture to the
//!   last (`/v1/orgs/{org}/...` on `/v1/orgs/42/items` gives `42`). A template without captures
//!   names a route: the key is the template itself;
//! - `field:NAME`: a field as the format names it;
//! - `all`: one key for every line (a global tenant).
//!
//! A line whose key cannot be found (no header, a path that does not match) is counted as
//! unkeyed and left out, not guessed.

use super::record::{header_norm, Record};

/// A compiled key expression.
#[derive(Debug, Clone, PartialEq)]
pub enum KeyExpr {
    /// The client address.
    Ip,
    /// A logged request header (normalised name).
    Header(String),
    /// A path template.
    Path(PathTemplate),
    /// A named field.
    Field(String),
    /// One key for all.
    All,
}

/// One segment of a path template.
#[derive(Debug, Clone, PartialEq)]
enum Seg {
    Lit(String),
    Capture,
    Rest,
}

/// A path template, `/v1/orgs/{org}/...`.
#[derive(Debug, Clone, PartialEq)]
pub struct PathTemplate {
    text: String,
    segs: Vec<Seg>,
}

impl PathTemplate {
    /// Compile `t` (must start with `/`; `...` only last).
    pub fn new(t: &str) -> Result<PathTemplate, String> {
        let body = t
            .strip_prefix('/')
            .ok_or_else(|| format!("path template `{t}` must start with `/`"))?;
        let parts: Vec<&str> = body.split('/').collect();
        let mut segs = Vec::with_capacity(parts.len());
        for (i, p) in parts.iter().enumerate() {
            segs.push(if *p == "..." {
                if i + 1 != parts.len() {
                    return Err(format!("path template `{t}`: `...` may only end it"));
                }
                Seg::Rest
            } else if p.starts_with('{') && p.ends_with('}') && p.len() > 2 {
                Seg::Capture
            } else if p.contains(['{', '}']) {
                return Err(format!(
                    "path template `{t}`: `{p}`: a capture is a whole segment, `{{name}}`"
                ));
            } else {
                Seg::Lit((*p).to_string())
            });
        }
        Ok(PathTemplate {
            text: t.to_string(),
            segs,
        })
    }

    /// The key of `path`, or `None` if it does not match.
    pub fn matches<'p>(&'p self, path: &'p str) -> Option<&'p str> {
        let body = path.strip_prefix('/')?;
        let mut pos = 1; // byte offset in `path` of the current segment
        let mut rest = Some(body);
        let mut span: Option<(usize, usize)> = None;
        for s in &self.segs {
            if let Seg::Rest = s {
                rest = None;
                break;
            }
            let r = rest?;
            let (seg, next) = match r.find('/') {
                Some(k) => (&r[..k], Some(&r[k + 1..])),
                None => (r, None),
            };
            match s {
                Seg::Lit(l) if l != seg => return None,
                Seg::Capture if seg.is_empty() => return None,
                Seg::Capture => {
                    let end = pos + seg.len();
                    span = Some(span.map_or((pos, end), |(a, _)| (a, end)));
                }
                _ => {}
            }
            pos += seg.len() + 1;
            rest = next;
        }
        if rest.is_some() {
            return None; // more segments than the template, and no `...`
        }
        Some(match span {
            Some((a, b)) => &path[a..b],
            None => &self.text,
        })
    }
}

impl KeyExpr {
    /// Parse `ip`, `header:NAME`, `path:TEMPLATE`, `field:NAME` or `all`.
    pub fn parse(s: &str) -> Result<KeyExpr, String> {
        let s = s.trim();
        if s == "ip" {
            return Ok(KeyExpr::Ip);
        }
        if s == "all" {
            return Ok(KeyExpr::All);
        }
        let nonempty = |v: &str, what: &str| {
            if v.is_empty() {
                Err(format!("`{s}`: {what} needs a name after the colon"))
            } else {
                Ok(v.to_string())
            }
        };
        match s.split_once(':') {
            Some(("header", h)) => Ok(KeyExpr::Header(header_norm(&nonempty(h, "header")?))),
            Some(("field", f)) => Ok(KeyExpr::Field(nonempty(f, "field")?)),
            Some(("path", t)) => Ok(KeyExpr::Path(PathTemplate::new(t)?)),
            _ => Err(format!(
                "`{s}`: not a key expression (ip, header:NAME, path:/TEMPLATE/{{x}}/..., \
                 field:NAME, all)"
            )),
        }
    }

    /// The key of `rec`, if the line has one.
    pub fn eval<'r>(&'r self, rec: &'r Record<'_>) -> Option<&'r str> {
        let v = match self {
            KeyExpr::Ip => Some(rec.ip.as_ref()),
            KeyExpr::Header(h) => rec.header_normed(h),
            KeyExpr::Path(t) => return t.matches(&rec.path),
            KeyExpr::Field(n) => rec.field(n),
            KeyExpr::All => return Some("all"),
        };
        v.filter(|v| !v.is_empty() && *v != "-")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::replay::record::Field;
    use std::borrow::Cow;

    fn rec(path: &'static str) -> Record<'static> {
        let mut r = Record::new();
        r.ip = Cow::Borrowed("10.0.0.1");
        r.path = Cow::Borrowed(path);
        r.fields.push(Field {
            name: "http_x_api_key".into(),
            header: Some("x_api_key".into()),
            value: "key-1".into(),
        });
        r.fields.push(Field {
            name: "org".into(),
            header: None,
            value: "-".into(),
        });
        r
    }

    #[test]
    fn path_templates() {
        let t = PathTemplate::new("/v1/orgs/{org}/...").unwrap();
        assert_eq!(t.matches("/v1/orgs/42/items/9"), Some("42"));
        assert_eq!(t.matches("/v1/orgs/42"), Some("42"));
        assert_eq!(t.matches("/v1/users/42/x"), None);
        assert_eq!(t.matches("/v1/orgs//x"), None);
        let t = PathTemplate::new("/v1/orgs/{org}/projects/{p}").unwrap();
        assert_eq!(t.matches("/v1/orgs/7/projects/3"), Some("7/projects/3"));
        assert_eq!(t.matches("/v1/orgs/7/projects/3/more"), None);
        let t = PathTemplate::new("/v1/search").unwrap();
        assert_eq!(t.matches("/v1/search"), Some("/v1/search"));
        assert!(PathTemplate::new("v1/x").is_err());
        assert!(PathTemplate::new("/.../x").is_err());
        assert!(PathTemplate::new("/a{b}").is_err());
    }

    #[test]
    fn expressions() {
        let r = rec("/v1/orgs/acme/x");
        let eval = |e: &str| KeyExpr::parse(e).unwrap().eval(&r).map(str::to_string);
        assert_eq!(eval("ip").as_deref(), Some("10.0.0.1"));
        assert_eq!(eval("header:X-API-Key").as_deref(), Some("key-1"));
        assert_eq!(eval("path:/v1/orgs/{org}/...").as_deref(), Some("acme"));
        assert_eq!(eval("field:http_x_api_key").as_deref(), Some("key-1"));
        assert_eq!(eval("field:org"), None, "`-` is no key");
        assert_eq!(eval("header:Authorization"), None);
        assert_eq!(eval("all").as_deref(), Some("all"));
        assert!(KeyExpr::parse("cookie:x").is_err());
        assert!(KeyExpr::parse("header:").is_err());
    }
}
