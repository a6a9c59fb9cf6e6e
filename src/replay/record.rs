//! One parsed log line: the fields every replay needs (time, client address, method, path,
//! status) and the rest by name, so that a key expression (`header:X-Api-Key`, `field:org`)
//! can find what the log recorded, whatever its format called it.

use super::time::UnixNanos;
use std::borrow::Cow;

/// A named field of a line. Values borrow the line where they can (template formats) and own
/// their text where the format escapes it (JSON).
#[derive(Debug, Clone, PartialEq)]
pub struct Field<'a> {
    /// The field's name as the format calls it (`http_x_api_key`, `REQ(X-API-KEY)`, `org`).
    pub name: Cow<'a, str>,
    /// The request header the field records, normalised by [`header_norm`] (`x_api_key`), if
    /// the format says it is one.
    pub header: Option<Cow<'a, str>>,
    /// The value as logged (`-` where the logger had none).
    pub value: Cow<'a, str>,
}

/// A parsed line.
#[derive(Debug, Clone, PartialEq)]
pub struct Record<'a> {
    /// When the request arrived (or, where the log records only that, completed).
    pub time: UnixNanos,
    /// The client's address, without a port.
    pub ip: Cow<'a, str>,
    /// The request method (`GET`), `-` if unknown.
    pub method: Cow<'a, str>,
    /// The request path without the query string.
    pub path: Cow<'a, str>,
    /// The response status.
    pub status: u16,
    /// Every other field the format names.
    pub fields: Vec<Field<'a>>,
}

impl<'a> Record<'a> {
    /// An empty record (time 0, no fields): formats fill it in.
    pub fn new() -> Record<'a> {
        Record {
            time: 0,
            ip: Cow::Borrowed("-"),
            method: Cow::Borrowed("-"),
            path: Cow::Borrowed("/"),
            status: 0,
            fields: Vec::new(),
        }
    }

    /// The value of the field named `name` (exactly as the format names it).
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|f| f.name == name)
            .map(|f| f.value.as_ref())
    }

    /// The logged value of request header `name` (any case, `-` or `_`), if the log recorded
    /// it and it is not empty or `-`.
    #[cfg(test)]
    pub fn header(&self, name: &str) -> Option<&str> {
        self.header_normed(&header_norm(name))
    }

    /// The `Retry-After` the response carried, where the log records it (nginx
    /// `$sent_http_retry_after`, Envoy `%RESP(RETRY-AFTER)%`, a JSON `retry_after` field), in
    /// whole seconds as sent (an HTTP-date is not read).
    pub fn retry_after(&self) -> Option<limiters::Nanos> {
        ["sent_http_retry_after", "RESP(RETRY-AFTER)", "retry_after"]
            .iter()
            .find_map(|n| self.field(n))
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(limiters::Nanos::from_secs)
    }

    /// [`Record::header`] of a name already through [`header_norm`].
    pub fn header_normed(&self, want: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|f| f.header.as_deref() == Some(want))
            .map(|f| f.value.as_ref())
            .filter(|v| !v.is_empty() && *v != "-")
    }
}

impl Default for Record<'_> {
    fn default() -> Self {
        Record::new()
    }
}

/// A header name as nginx names its variable (`X-Api-Key` -> `x_api_key`): lower case, `-` as
/// `_` (nginx `$http_<name>`, ngx_http_variables.c `ngx_http_variable_unknown_header`).
pub fn header_norm(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c == '-' {
                '_'
            } else {
                c.to_ascii_lowercase()
            }
        })
        .collect()
}

/// Split a request line `GET /v1/x?a=1 HTTP/1.1` into method and path (query cut). A URL with
/// a scheme and host (AWS ALB logs `GET https://host:443/v1/x HTTP/1.1`) gives its path.
pub fn split_request(req: &str) -> Option<(&str, &str)> {
    let mut parts = req.splitn(3, ' ');
    let method = parts.next().filter(|m| !m.is_empty())?;
    let target = parts.next()?;
    Some((method, path_of(target)))
}

/// The path of a request target: the query cut, a scheme and host dropped.
pub fn path_of(target: &str) -> &str {
    let target = match target.find("://") {
        Some(i) => {
            let rest = &target[i + 3..];
            rest.find('/').map_or("/", |j| &rest[j..])
        }
        None => target,
    };
    target.split(['?', '#']).next().unwrap_or(target)
}

/// An address without its port: `10.0.0.1:4321` -> `10.0.0.1`, `[::1]:80` -> `::1`; a bare
/// IPv6 address is kept whole.
pub fn strip_port(addr: &str) -> &str {
    if let Some(rest) = addr.strip_prefix('[') {
        return rest.split(']').next().unwrap_or(rest);
    }
    match addr.rsplit_once(':') {
        Some((host, port)) if !host.contains(':') && port.bytes().all(|b| b.is_ascii_digit()) => {
            host
        }
        _ => addr,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_lines_and_paths() {
        assert_eq!(
            split_request("GET /v1/x?a=1 HTTP/1.1"),
            Some(("GET", "/v1/x"))
        );
        assert_eq!(
            split_request("POST https://api.example.com:443/v1/orgs/7 HTTP/2.0"),
            Some(("POST", "/v1/orgs/7"))
        );
        assert_eq!(split_request("-"), None);
        assert_eq!(path_of("http://host"), "/");
    }

    #[test]
    fn ports_stripped() {
        assert_eq!(strip_port("10.0.0.1:4321"), "10.0.0.1");
        assert_eq!(strip_port("[::1]:80"), "::1");
        assert_eq!(strip_port("2001:db8::1"), "2001:db8::1");
        assert_eq!(strip_port("10.0.0.1"), "10.0.0.1");
    }

    #[test]
    fn header_lookup_ignores_case_and_dashes() {
        let mut r = Record::new();
        r.fields.push(Field {
            name: "http_x_api_key".into(),
            header: Some("x_api_key".into()),
            value: "k1".into(),
        });
        assert_eq!(r.header("X-Api-Key"), Some("k1"));
        assert_eq!(r.header("x_api_key"), Some("k1"));
        assert_eq!(r.header("X-Other"), None);
        assert_eq!(r.field("http_x_api_key"), Some("k1"));
        assert_eq!(r.retry_after(), None);
        r.fields.push(Field {
            name: "sent_http_retry_after".into(),
            header: None,
            value: "7".into(),
        });
        assert_eq!(r.retry_after(), Some(limiters::Nanos::from_secs(7)));
    }
}
