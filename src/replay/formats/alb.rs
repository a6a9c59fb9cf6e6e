//! AWS Application Load Balancer access logs: space-separated fields, some double-quoted, in
//! the order of AWS's "Access log entries" syntax
//! (<https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-access-logs.html#access-log-entry-syntax>):
//! `type time elb client:port target:port request_processing_time target_processing_time
//! response_processing_time elb_status_code target_status_code received_bytes sent_bytes
//! "request" "user_agent" ssl_cipher ssl_protocol target_group_arn "trace_id" "domain_name"
//! "chosen_cert_arn" matched_rule_priority request_creation_time ...`.
//!
//! `time` is when the balancer sent the response; `request_creation_time` (field 22, logged
//! since 2018) when it received the request, which is the arrival the replay wants: it is used
//! when present. The status is the balancer's own (`elb_status_code`): what the client saw.

use crate::replay::record::{header_norm, split_request, strip_port, Field, Record};
use crate::replay::time::parse_iso8601;
use std::borrow::Cow;

/// Field names in log order (later fields AWS adds are kept by position only).
pub const FIELDS: [&str; 30] = [
    "type",
    "time",
    "elb",
    "client:port",
    "target:port",
    "request_processing_time",
    "target_processing_time",
    "response_processing_time",
    "elb_status_code",
    "target_status_code",
    "received_bytes",
    "sent_bytes",
    "request",
    "user_agent",
    "ssl_cipher",
    "ssl_protocol",
    "target_group_arn",
    "trace_id",
    "domain_name",
    "chosen_cert_arn",
    "matched_rule_priority",
    "request_creation_time",
    "actions_executed",
    "redirect_url",
    "error_reason",
    "target:port_list",
    "target_status_code_list",
    "classification",
    "classification_reason",
    "conn_trace_id",
];

/// Split on spaces, a `"..."` field kept whole (without its quotes). Returns each field with
/// its 1-based start column, or the column of an unterminated quote.
pub fn split_quoted(line: &str) -> Result<Vec<(usize, &str)>, usize> {
    let b = line.as_bytes();
    let mut out = Vec::with_capacity(32);
    let mut i = 0;
    while i < b.len() {
        if b[i] == b' ' {
            i += 1;
            continue;
        }
        if b[i] == b'"' {
            let rest = &line[i + 1..];
            let end = rest.find('"').ok_or(i + 1)?;
            out.push((i + 2, &rest[..end]));
            i += end + 2;
        } else {
            let end = line[i..].find(' ').map_or(b.len(), |k| i + k);
            out.push((i + 1, &line[i..end]));
            i = end;
        }
    }
    Ok(out)
}

/// Parse one ALB line.
pub fn parse(line: &str) -> Result<Record<'_>, String> {
    let f = split_quoted(line).map_err(|c| format!("column {c}: a quote is not closed"))?;
    if f.len() < 13 {
        return Err(format!(
            "expected at least 13 space-separated fields (type time elb client:port ... \"request\"), found {}",
            f.len()
        ));
    }
    let mut rec = Record::new();
    let created = f.get(21).and_then(|(_, v)| parse_iso8601(v));
    rec.time = match created {
        Some(t) => t,
        None => parse_iso8601(f[1].1)
            .ok_or_else(|| format!("column {}: not an ISO 8601 time: `{}`", f[1].0, f[1].1))?,
    };
    rec.ip = Cow::Borrowed(strip_port(f[3].1));
    rec.status = f[8]
        .1
        .parse()
        .ok()
        .filter(|s| (100..=999).contains(s))
        .ok_or_else(|| format!("column {}: not an HTTP status: `{}`", f[8].0, f[8].1))?;
    if let Some((m, p)) = split_request(f[12].1) {
        rec.method = Cow::Borrowed(m);
        rec.path = Cow::Borrowed(p);
    }
    for (i, (_, v)) in f.iter().enumerate() {
        let name = FIELDS.get(i).copied().unwrap_or("-");
        rec.fields.push(Field {
            name: Cow::Borrowed(name),
            header: (name == "user_agent").then(|| Cow::Owned(header_norm("User-Agent"))),
            value: Cow::Borrowed(v),
        });
    }
    Ok(rec)
}

#[cfg(test)]
mod tests {
    use super::*;

    // The HTTP example of AWS's documentation, with request_creation_time.
    const LINE: &str = r#"http 2018-07-02T22:23:00.186641Z app/my-loadbalancer/50dc6c495c0c9188 192.168.131.39:2817 10.0.0.1:80 0.000 0.001 0.000 429 429 34 366 "GET http://www.example.com:80/v1/orgs/42/x?y=1 HTTP/1.1" "curl/7.46.0" - - arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/my-targets/73e2d6bc24d8a067 "Root=1-58337262-36d228ad5d99923122bbe354" "-" "-" 0 2018-07-02T22:22:48.364000Z "forward" "-" "-" "10.0.0.1:80" "200" "-" "-""#;

    #[test]
    fn documented_example() {
        let r = parse(LINE).unwrap();
        assert_eq!(r.ip, "192.168.131.39");
        assert_eq!(r.status, 429);
        assert_eq!(r.method, "GET");
        assert_eq!(r.path, "/v1/orgs/42/x");
        // request_creation_time, not the response time
        assert_eq!(r.time, 1_530_570_168_364_000_000);
        assert_eq!(r.field("elb"), Some("app/my-loadbalancer/50dc6c495c0c9188"));
        assert_eq!(r.header("user-agent"), Some("curl/7.46.0"));
    }

    #[test]
    fn bad_lines() {
        assert!(parse("http 2018").unwrap_err().contains("at least 13"));
        assert!(parse(r#"http x "unclosed"#).unwrap_err().contains("quote"));
        let bad_time = LINE
            .replace("2018-07-02T22:22:48.364000Z", "-")
            .replace("2018-07-02T22:23:00.186641Z", "yesterday");
        assert!(parse(&bad_time).unwrap_err().contains("column 6"));
    }
}
