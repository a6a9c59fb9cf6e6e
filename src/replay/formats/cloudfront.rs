//! Amazon CloudFront standard (legacy) access logs: tab-separated, one `#Version:` and one
//! `#Fields:` directive at the top of each file naming the columns, dates and times in UTC,
//! values URL-encoded (<https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/standard-logs-reference.html>).
//! The columns are taken from the `#Fields:` line when there is one, else the documented
//! default order below.

use crate::replay::record::{header_norm, strip_port, Field, Record};
use crate::replay::time::parse_iso8601;
use std::borrow::Cow;

/// The documented column order (33 fields).
pub const DEFAULT_FIELDS: &str = "date time x-edge-location sc-bytes c-ip cs-method cs(Host) \
    cs-uri-stem sc-status cs(Referer) cs(User-Agent) cs-uri-query cs(Cookie) x-edge-result-type \
    x-edge-request-id x-host-header cs-protocol cs-bytes time-taken x-forwarded-for \
    ssl-protocol ssl-cipher x-edge-response-result-type cs-protocol-version fle-status \
    fle-encrypted-fields c-port time-to-first-byte x-edge-detailed-result-type sc-content-type \
    sc-content-len sc-range-start sc-range-end";

/// The column layout of the file being read.
#[derive(Debug, Clone)]
pub struct Columns {
    names: Vec<String>,
    headers: Vec<Option<String>>,
    date: usize,
    time: usize,
    ip: Option<usize>,
    method: Option<usize>,
    path: Option<usize>,
    status: usize,
}

impl Columns {
    /// Columns from a `#Fields:` list (space-separated names).
    pub fn new(list: &str) -> Result<Columns, String> {
        let names: Vec<String> = list.split_whitespace().map(str::to_string).collect();
        let at = |n: &str| names.iter().position(|x| x == n);
        let need = |n: &str| at(n).ok_or_else(|| format!("the #Fields: line has no `{n}`"));
        let headers = names
            .iter()
            .map(|n| {
                n.strip_prefix("cs(")
                    .and_then(|h| h.strip_suffix(')'))
                    .map(header_norm)
            })
            .collect();
        Ok(Columns {
            date: need("date")?,
            time: need("time")?,
            status: need("sc-status")?,
            ip: at("c-ip"),
            method: at("cs-method"),
            path: at("cs-uri-stem"),
            headers,
            names,
        })
    }

    /// A directive line (`#...`): a `#Fields:` line replaces the columns. True if `line` was
    /// one (it is not a request).
    pub fn directive(&mut self, line: &str) -> Result<bool, String> {
        if let Some(list) = line.strip_prefix("#Fields:") {
            *self = Columns::new(list)?;
        }
        Ok(line.starts_with('#'))
    }

    /// Parse one request line.
    pub fn parse<'a>(&'a self, line: &'a str) -> Result<Record<'a>, String> {
        let cols: Vec<&str> = line.split('\t').collect();
        if cols.len() != self.names.len() {
            return Err(format!(
                "expected {} tab-separated fields (as the #Fields: line names), found {}",
                self.names.len(),
                cols.len()
            ));
        }
        let (date, time) = (cols[self.date], cols[self.time]);
        let mut rec = Record::new();
        rec.time = (date.len() == 10 && time.len() == 8)
            .then(|| parse_iso8601(&format!("{date}T{time}Z")))
            .flatten()
            .ok_or_else(|| format!("not a UTC date and time: `{date}` `{time}`"))?;
        rec.status = cols[self.status]
            .parse()
            .ok()
            .filter(|s| *s <= 999) // 000: the viewer closed the connection first
            .ok_or_else(|| format!("not an HTTP status: `{}`", cols[self.status]))?;
        if let Some(i) = self.ip {
            rec.ip = Cow::Borrowed(strip_port(cols[i]));
        }
        if let Some(i) = self.method {
            rec.method = Cow::Borrowed(cols[i]);
        }
        if let Some(i) = self.path {
            rec.path = Cow::Borrowed(cols[i]);
        }
        for (i, v) in cols.into_iter().enumerate() {
            rec.fields.push(Field {
                name: Cow::Borrowed(self.names[i].as_str()),
                header: self.headers[i].as_deref().map(Cow::Borrowed),
                value: Cow::Borrowed(v),
            });
        }
        Ok(rec)
    }
}

impl Default for Columns {
    fn default() -> Self {
        match Columns::new(DEFAULT_FIELDS) {
            Ok(c) => c,
            Err(e) => {
                unreachable!("the default CloudFront columns name date, time and sc-status: {e}")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directive_then_line() {
        let mut c = Columns::default();
        assert!(c.directive("#Version: 1.0").unwrap());
        assert!(c
            .directive("#Fields: date time c-ip cs-method cs-uri-stem sc-status cs(X-Api-Key)")
            .unwrap());
        assert!(!c.directive("2019-12-04\t21:02:31").unwrap());
        let r = c
            .parse("2019-12-04\t21:02:31\t192.0.2.100\tGET\t/index.html\t429\tk-7")
            .unwrap();
        assert_eq!(r.time, 1_575_493_351_000_000_000);
        assert_eq!(r.ip, "192.0.2.100");
        assert_eq!(r.status, 429);
        assert_eq!(r.path, "/index.html");
        assert_eq!(r.header("X-Api-Key"), Some("k-7"));
    }

    #[test]
    fn bad_lines_and_directives() {
        let mut c = Columns::default();
        assert!(c
            .parse("2019-12-04\t21:02:31")
            .unwrap_err()
            .contains("expected 33"));
        assert!(c
            .directive("#Fields: time c-ip")
            .unwrap_err()
            .contains("`date`"));
        let mut c = Columns::new("date time sc-status").unwrap();
        assert!(c
            .parse("2019-12-04\t21:02\t200")
            .unwrap_err()
            .contains("UTC"));
        assert!(c.directive("#Fields: date time sc-status").unwrap());
    }
}
