//! Template formats: a line shape written as literals and variables, parsed back by walking
//! the literals. This is how nginx writes its access log (`log_format`, each `$variable` an op
//! in `ngx_http_log_compile_format`, src/http/modules/ngx_http_log_module.c, whose predefined
//! `combined` format is `$remote_addr - $remote_user [$time_local] "$request" $status
//! $body_bytes_sent "$http_referer" "$http_user_agent"`), and how Envoy writes its default
//! access log (`%COMMAND%` operators; the default format string in envoyproxy/envoy
//! docs/root/configuration/observability/access_log/usage.rst, "Default Format String").
//!
//! A variable's value runs up to the next literal (nginx escapes `"` inside values as `\x22`,
//! so a quoted value cannot contain its closing quote); the last literal is matched at the end
//! of the line. Two variables with nothing between them cannot be split and are refused when
//! the format is read.

use super::record::{header_norm, split_request, strip_port, Field, Record};
use super::time::{parse_clf, parse_epoch_secs, parse_iso8601};
use std::borrow::Cow;

/// What a variable means to the replay.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    TimeClf,
    TimeIso,
    TimeEpoch,
    /// The client address (a port, if any, is cut).
    Ip,
    /// `X-Forwarded-For`: its first address is the client if nothing better names it.
    Xff,
    /// The request line: method, target, protocol.
    Request,
    Method,
    Path,
    Status,
    Other,
}

#[derive(Debug, Clone)]
struct Var {
    name: String,
    role: Role,
    header: Option<String>,
}

#[derive(Debug, Clone)]
enum Tok {
    Lit(String),
    Var(Var),
}

/// Which variable syntax a template uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Syntax {
    /// nginx `log_format`: `$name` or `${name}`.
    Nginx,
    /// Envoy format strings: `%NAME%`, `%REQ(HEADER)%`.
    Envoy,
}

/// A compiled template.
#[derive(Debug, Clone)]
pub struct Template {
    toks: Vec<Tok>,
}

/// nginx's predefined `combined` format (also Apache's `combined` LogFormat line shape).
pub const NGINX_COMBINED: &str = "$remote_addr - $remote_user [$time_local] \"$request\" \
     $status $body_bytes_sent \"$http_referer\" \"$http_user_agent\"";

/// Envoy's default access log format (without its trailing newline).
pub const ENVOY_DEFAULT: &str = "[%START_TIME%] \"%REQ(:METHOD)% \
     %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% %PROTOCOL%\" %RESPONSE_CODE% %RESPONSE_FLAGS% \
     %BYTES_RECEIVED% %BYTES_SENT% %DURATION% %RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)% \
     \"%REQ(X-FORWARDED-FOR)%\" \"%REQ(USER-AGENT)%\" \"%REQ(X-REQUEST-ID)%\" \
     \"%REQ(:AUTHORITY)%\" \"%UPSTREAM_HOST%\"";

fn nginx_var(name: &str) -> Var {
    let (role, header) = match name {
        "time_local" => (Role::TimeClf, None),
        "time_iso8601" => (Role::TimeIso, None),
        "msec" => (Role::TimeEpoch, None),
        "remote_addr" | "binary_remote_addr" | "realip_remote_addr" => (Role::Ip, None),
        "request" => (Role::Request, None),
        "request_method" => (Role::Method, None),
        "request_uri" | "uri" | "document_uri" => (Role::Path, None),
        "status" => (Role::Status, None),
        "http_x_forwarded_for" => (Role::Xff, Some("x_forwarded_for".to_string())),
        n => (Role::Other, n.strip_prefix("http_").map(header_norm)),
    };
    Var {
        name: name.to_string(),
        role,
        header,
    }
}

fn envoy_var(name: &str) -> Var {
    let req = name.strip_prefix("REQ(").and_then(|r| r.strip_suffix(')'));
    let (role, header) = match (name, req) {
        ("START_TIME", _) => (Role::TimeIso, None),
        ("RESPONSE_CODE", _) => (Role::Status, None),
        ("DOWNSTREAM_REMOTE_ADDRESS" | "DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT", _) => {
            (Role::Ip, None)
        }
        (_, Some(":METHOD")) => (Role::Method, None),
        (_, Some(":PATH" | "X-ENVOY-ORIGINAL-PATH?:PATH")) => (Role::Path, None),
        (_, Some(h)) if h.eq_ignore_ascii_case("X-FORWARDED-FOR") => {
            (Role::Xff, Some("x_forwarded_for".to_string()))
        }
        (_, Some(h)) => (Role::Other, Some(header_norm(h.trim_start_matches(':')))),
        _ => (Role::Other, None),
    };
    Var {
        name: name.to_string(),
        role,
        header,
    }
}

impl Template {
    /// Compile `format` in `syntax`. Errors say where the format cannot be parsed back.
    pub fn new(format: &str, syntax: Syntax) -> Result<Template, String> {
        let mut toks: Vec<Tok> = Vec::new();
        let mut lit = String::new();
        let mut rest = format;
        while let Some(c) = rest.chars().next() {
            let var = match (syntax, c) {
                (Syntax::Nginx, '$') => {
                    let body = &rest[1..];
                    let (name, used) = if let Some(b) = body.strip_prefix('{') {
                        let end = b.find('}').ok_or("`${` without its closing `}`")?;
                        (&b[..end], end + 2)
                    } else {
                        let end = body
                            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                            .unwrap_or(body.len());
                        (&body[..end], end)
                    };
                    if name.is_empty() {
                        return Err("`$` without a variable name".into());
                    }
                    rest = &body[used..];
                    Some(nginx_var(name))
                }
                (Syntax::Envoy, '%') => {
                    let body = &rest[1..];
                    let end = body.find('%').ok_or("`%` without its closing `%`")?;
                    rest = &body[end + 1..];
                    if end == 0 {
                        lit.push('%'); // `%%` is a literal percent sign
                        None
                    } else {
                        Some(envoy_var(&body[..end]))
                    }
                }
                _ => {
                    lit.push(c);
                    rest = &rest[c.len_utf8()..];
                    None
                }
            };
            if let Some(v) = var {
                if !lit.is_empty() {
                    toks.push(Tok::Lit(std::mem::take(&mut lit)));
                }
                if let Some(Tok::Var(prev)) = toks.last() {
                    return Err(format!(
                        "variables `{}` and `{}` follow each other with nothing between: \
                         their values cannot be told apart",
                        prev.name, v.name
                    ));
                }
                toks.push(Tok::Var(v));
            }
        }
        if !lit.is_empty() {
            toks.push(Tok::Lit(lit));
        }
        let has = |r: Role| toks.iter().any(|t| matches!(t, Tok::Var(v) if v.role == r));
        if !(has(Role::TimeClf) || has(Role::TimeIso) || has(Role::TimeEpoch)) {
            return Err(
                "the format has no time variable ($time_local, $time_iso8601, $msec, \
                        %START_TIME%): a replay needs each request's time"
                    .into(),
            );
        }
        Ok(Template { toks })
    }

    /// Parse one line. Errors name the column (1-based, in bytes) and what was expected.
    pub fn parse<'a>(&'a self, line: &'a str) -> Result<Record<'a>, String> {
        let mut rec = Record::new();
        rec.fields.reserve(self.toks.len());
        let mut p = 0usize;
        let mut have_time = false;
        let mut have_ip = false;
        let n = self.toks.len();
        for (i, t) in self.toks.iter().enumerate() {
            match t {
                Tok::Lit(l) => {
                    if !line[p..].starts_with(l.as_str()) {
                        return Err(format!("column {}: expected `{l}`", p + 1));
                    }
                    p += l.len();
                }
                Tok::Var(v) => {
                    let end = match self.toks.get(i + 1) {
                        None => line.len(),
                        Some(Tok::Lit(l)) if i + 2 == n => {
                            if !line.ends_with(l.as_str()) || line.len() < p + l.len() {
                                return Err(format!(
                                    "column {}: expected the line to end with `{l}`",
                                    line.len() + 1
                                ));
                            }
                            line.len() - l.len()
                        }
                        Some(Tok::Lit(l)) => match line[p..].find(l.as_str()) {
                            Some(k) => p + k,
                            None => {
                                return Err(format!(
                                    "column {}: expected `{l}` after ${}",
                                    p + 1,
                                    v.name
                                ))
                            }
                        },
                        Some(Tok::Var(_)) => line.len(), // refused in `new`
                    };
                    let value = &line[p..end];
                    let at = p + 1;
                    p = end;
                    let bad = |what: &str| format!("column {at}: {what} `{value}` in ${}", v.name);
                    match v.role {
                        Role::TimeClf | Role::TimeIso | Role::TimeEpoch => {
                            let t = match v.role {
                                Role::TimeClf => parse_clf(value),
                                Role::TimeIso => parse_iso8601(value),
                                _ => parse_epoch_secs(value),
                            };
                            rec.time = t.ok_or_else(|| bad("not a time:"))?;
                            have_time = true;
                        }
                        Role::Ip => {
                            rec.ip = Cow::Borrowed(strip_port(value));
                            have_ip = true;
                        }
                        Role::Xff if !have_ip => {
                            let first = value.split(',').next().unwrap_or(value).trim();
                            rec.ip = Cow::Borrowed(strip_port(first));
                        }
                        Role::Request => {
                            if let Some((m, path)) = split_request(value) {
                                rec.method = Cow::Borrowed(m);
                                rec.path = Cow::Borrowed(path);
                            }
                        }
                        Role::Method => rec.method = Cow::Borrowed(value),
                        Role::Path => rec.path = Cow::Borrowed(super::record::path_of(value)),
                        Role::Status => {
                            rec.status = value
                                .parse()
                                .ok()
                                .filter(|s| (100..=999).contains(s))
                                .ok_or_else(|| bad("not an HTTP status:"))?;
                        }
                        Role::Xff | Role::Other => {}
                    }
                    rec.fields.push(Field {
                        name: Cow::Borrowed(v.name.as_str()),
                        header: v.header.as_deref().map(Cow::Borrowed),
                        value: Cow::Borrowed(value),
                    });
                }
            }
        }
        if p != line.len() {
            return Err(format!(
                "column {}: unexpected text after the format",
                p + 1
            ));
        }
        if !have_time {
            return Err("no time".into());
        }
        Ok(rec)
    }
}

#[cfg(test)]
mod tests;
