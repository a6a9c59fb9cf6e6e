//! JSON lines: one object per line, as structured loggers write them (nginx
//! `log_format escape=json`, Envoy `json_format`, application loggers). Field names differ
//! from one logger to the next, so the fields the replay needs are configurable:
//! `time=ts,ip=client,method=verb,path=uri,status=code`; the defaults are nginx's variable
//! names (`time`, `remote_addr`, `request_method`, `request_uri`, `status`), with `request` (a
//! whole request line) used when there is no method or path field.
//!
//! The time may be a string (ISO 8601, common log format, or decimal seconds) or a number of
//! Unix seconds, read from its decimal text (never through `f64`).

use crate::replay::record::{header_norm, path_of, split_request, Field, Record};
use crate::replay::time::parse_any;
use serde_json::Value;
use std::borrow::Cow;

/// The names of the fields the replay reads.
#[derive(Debug, Clone, PartialEq)]
pub struct JsonFields {
    /// The request's time.
    pub time: String,
    /// The client address.
    pub ip: String,
    /// The method.
    pub method: String,
    /// The path (a query is cut; a whole URL gives its path).
    pub path: String,
    /// A whole request line (`GET /x HTTP/1.1`), when method and path are not logged apart.
    pub request: String,
    /// The response status.
    pub status: String,
}

impl Default for JsonFields {
    fn default() -> Self {
        JsonFields {
            time: "time".into(),
            ip: "remote_addr".into(),
            method: "request_method".into(),
            path: "request_uri".into(),
            request: "request".into(),
            status: "status".into(),
        }
    }
}

impl JsonFields {
    /// Parse `role=name,...` over the defaults (`time`, `ip`, `method`, `path`, `request`,
    /// `status`).
    pub fn parse(spec: &str) -> Result<JsonFields, String> {
        let mut f = JsonFields::default();
        for part in spec.split(',').filter(|p| !p.trim().is_empty()) {
            let (role, name) = part
                .split_once('=')
                .ok_or_else(|| format!("`{part}`: expected ROLE=FIELD, e.g. time=ts"))?;
            let slot = match role.trim() {
                "time" => &mut f.time,
                "ip" => &mut f.ip,
                "method" => &mut f.method,
                "path" => &mut f.path,
                "request" => &mut f.request,
                "status" => &mut f.status,
                r => {
                    return Err(format!(
                        "`{r}`: not a JSON field role (time, ip, method, path, request, status)"
                    ))
                }
            };
            *slot = name.trim().to_string();
        }
        Ok(f)
    }

    /// Parse one line.
    pub fn parse_line<'a>(&self, line: &'a str) -> Result<Record<'a>, String> {
        let obj: serde_json::Map<String, Value> =
            serde_json::from_str(line).map_err(|e| format!("column {}: {e}", e.column()))?;
        let text = |v: &Value| match v {
            Value::String(s) => s.clone(),
            Value::Null => "-".to_string(),
            other => other.to_string(),
        };
        let get = |name: &str| obj.get(name).map(text);
        let mut rec = Record::new();
        let t = get(&self.time).ok_or_else(|| format!("no `{}` field (the time)", self.time))?;
        rec.time = parse_any(&t).ok_or_else(|| format!("`{}`: not a time: `{t}`", self.time))?;
        let status =
            get(&self.status).ok_or_else(|| format!("no `{}` field (the status)", self.status))?;
        rec.status = status
            .parse()
            .ok()
            .filter(|s| (100..=999).contains(s))
            .ok_or_else(|| format!("`{}`: not an HTTP status: `{status}`", self.status))?;
        if let Some(ip) = get(&self.ip) {
            rec.ip = Cow::Owned(crate::replay::record::strip_port(&ip).to_string());
        }
        if let Some(req) = get(&self.request) {
            if let Some((m, p)) = split_request(&req) {
                rec.method = Cow::Owned(m.to_string());
                rec.path = Cow::Owned(p.to_string());
            }
        }
        if let Some(m) = get(&self.method) {
            rec.method = Cow::Owned(m);
        }
        if let Some(p) = get(&self.path) {
            rec.path = Cow::Owned(path_of(&p).to_string());
        }
        for (name, v) in &obj {
            let h = name
                .strip_prefix("http_")
                .or_else(|| name.strip_prefix("header_"))
                .unwrap_or(name);
            rec.fields.push(Field {
                header: Some(Cow::Owned(header_norm(h))),
                name: Cow::Owned(name.clone()),
                value: Cow::Owned(text(v)),
            });
        }
        Ok(rec)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_names_nginx_escape_json() {
        let f = JsonFields::default();
        let r = f
            .parse_line(r#"{"time":"2023-11-14T22:13:20+00:00","remote_addr":"10.0.0.5","request":"GET /v1/a?q=1 HTTP/1.1","status":"429","http_x_api_key":"k\"1"}"#)
            .unwrap();
        assert_eq!(r.time, 1_700_000_000_000_000_000);
        assert_eq!(r.ip, "10.0.0.5");
        assert_eq!(r.method, "GET");
        assert_eq!(r.path, "/v1/a");
        assert_eq!(r.status, 429);
        assert_eq!(r.header("X-Api-Key"), Some("k\"1"));
    }

    #[test]
    fn configured_names_and_numeric_time() {
        let f =
            JsonFields::parse("time=ts, ip=client, method=verb, path=uri, status=code").unwrap();
        let r = f
            .parse_line(r#"{"ts":1700000000.5,"client":"[::1]:9","verb":"POST","uri":"/x","code":503,"org":"acme"}"#)
            .unwrap();
        assert_eq!(r.time, 1_700_000_000_500_000_000);
        assert_eq!(r.ip, "::1");
        assert_eq!(
            (r.method.as_ref(), r.path.as_ref(), r.status),
            ("POST", "/x", 503)
        );
        assert_eq!(r.field("org"), Some("acme"));
    }

    #[test]
    fn bad_lines_and_specs() {
        let f = JsonFields::default();
        assert!(f
            .parse_line("{\"time\": ")
            .unwrap_err()
            .starts_with("column"));
        assert!(f
            .parse_line(r#"{"status":200}"#)
            .unwrap_err()
            .contains("no `time`"));
        assert!(f
            .parse_line(r#"{"time":"yesterday","status":200}"#)
            .unwrap_err()
            .contains("not a time"));
        assert!(JsonFields::parse("when=ts")
            .unwrap_err()
            .contains("not a JSON field role"));
        assert!(JsonFields::parse("time")
            .unwrap_err()
            .contains("ROLE=FIELD"));
    }
}
