//! The log formats, behind one parser: the user names the format (`--format`), the parser
//! turns each line into a [`Record`] or says why it cannot.

pub mod alb;
pub mod cloudfront;
pub mod json;

use super::record::Record;
use super::template::{Syntax, Template, ENVOY_DEFAULT, NGINX_COMBINED};

/// The format names `--format` takes.
pub const NAMES: &str = "combined, nginx (with --log-format), envoy, json, alb, cloudfront";

/// A parser for one format (CloudFront's keeps the columns of its file's `#Fields:` line).
#[derive(Debug, Clone)]
pub enum Parser {
    /// nginx/Apache combined, a user `log_format`, Envoy's default format.
    Template(Template),
    /// JSON lines.
    Json(json::JsonFields),
    /// AWS ALB.
    Alb,
    /// CloudFront standard logs.
    CloudFront(cloudfront::Columns),
}

impl Parser {
    /// The parser for format `name`; `log_format` is the nginx `log_format` string (format
    /// `nginx`), `json_fields` the JSON field names (format `json`).
    pub fn new(
        name: &str,
        log_format: Option<&str>,
        json_fields: Option<&str>,
    ) -> Result<Parser, String> {
        if log_format.is_some() && name != "nginx" {
            return Err(format!("--log-format is for --format nginx, not `{name}`"));
        }
        if json_fields.is_some() && name != "json" {
            return Err(format!("--json-fields is for --format json, not `{name}`"));
        }
        Ok(match name {
            "combined" => Parser::Template(Template::new(NGINX_COMBINED, Syntax::Nginx)?),
            "nginx" => {
                let f = log_format.ok_or(
                    "--format nginx needs --log-format 'STRING' (the log_format of nginx.conf)",
                )?;
                Parser::Template(
                    Template::new(f, Syntax::Nginx).map_err(|e| format!("--log-format: {e}"))?,
                )
            }
            "envoy" => Parser::Template(Template::new(ENVOY_DEFAULT, Syntax::Envoy)?),
            "json" => Parser::Json(
                json::JsonFields::parse(json_fields.unwrap_or(""))
                    .map_err(|e| format!("--json-fields: {e}"))?,
            ),
            "alb" => Parser::Alb,
            "cloudfront" => Parser::CloudFront(cloudfront::Columns::default()),
            other => return Err(format!("`{other}`: not a log format ({NAMES})")),
        })
    }

    /// True for a line that is not a request: empty, or a format directive (CloudFront's
    /// `#Version:`/`#Fields:`, which also sets the columns).
    pub fn skip(&mut self, line: &str) -> Result<bool, String> {
        if line.is_empty() {
            return Ok(true);
        }
        match self {
            Parser::CloudFront(c) => c.directive(line),
            _ => Ok(false),
        }
    }

    /// Parse one line.
    pub fn parse<'a>(&'a self, line: &'a str) -> Result<Record<'a>, String> {
        match self {
            Parser::Template(t) => t.parse(line),
            Parser::Json(j) => j.parse_line(line),
            Parser::Alb => alb::parse(line),
            Parser::CloudFront(c) => c.parse(line),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// One valid line of each format, to mutate.
    const SAMPLES: [(&str, &str); 5] = [
        ("combined", r#"203.0.113.9 - - [10/Oct/2000:13:55:36 -0700] "GET /v1/orgs/7/x?p=2 HTTP/1.1" 429 12 "-" "curl/8""#),
        ("envoy", r#"[2016-04-15T20:17:00.310Z] "POST /api/v1/locations HTTP/2" 204 - 154 0 226 100 "10.0.35.28" "nsq2http" "cc21d9b0" "locations" "tcp://10.0.2.1:80""#),
        ("json", r#"{"time":"2023-11-14T22:13:20Z","remote_addr":"10.0.0.5","request":"GET /v1/a HTTP/1.1","status":429}"#),
        ("alb", r#"http 2018-07-02T22:23:00.186641Z app/lb/50dc 192.168.131.39:2817 10.0.0.1:80 0.000 0.001 0.000 429 429 34 366 "GET http://example.com:80/v1/x HTTP/1.1" "curl/7.46.0" - - arn "Root=1" "-" "-" 0 2018-07-02T22:22:48.364000Z "forward" "-" "-""#),
        ("cloudfront", "2019-12-04\t21:02:31\tLAX1\t392\t192.0.2.100\tGET\td111.cloudfront.net\t/index.html\t200\t-\tcurl\t-\t-\tHit\tid\thost\thttps\t23\t0.001\t-\tTLSv1.2\tCIPHER\tHit\tHTTP/2.0\t-\t-\t11040\t0.001\tHit\ttext/html\t78\t-\t-"),
    ];

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// Whatever the line, every parser answers a record or an error; none panics.
        #[test]
        fn no_line_panics_a_parser(
            which in 0..SAMPLES.len(),
            cut in any::<prop::sample::Index>(),
            insert in "\\PC{0,4}",
            junk in "\\PC{0,80}",
        ) {
            let (format, line) = SAMPLES[which];
            let mut p = Parser::new(format, None, None).unwrap();
            prop_assert!(p.parse(line).is_ok(), "{format}: the sample line parses");
            // the sample cut at a char boundary with text inserted there
            let at = (0..=line.len()).filter(|&i| line.is_char_boundary(i)).nth(cut.index(line.chars().count() + 1)).unwrap_or(0);
            let mangled = format!("{}{insert}{}", &line[..at], &line[at..]);
            for l in [mangled.as_str(), junk.as_str(), &line[..at]] {
                let _ = p.skip(l);
                let _ = p.parse(l);
            }
        }
    }

    #[test]
    fn format_names_and_flag_combinations() {
        assert!(Parser::new("combined", None, None).is_ok());
        assert!(Parser::new("nginx", None, None)
            .unwrap_err()
            .contains("--log-format"));
        assert!(Parser::new("combined", Some("$msec"), None).is_err());
        assert!(Parser::new("json", None, Some("time=t")).is_ok());
        assert!(Parser::new("apache2", None, None)
            .unwrap_err()
            .contains("not a log format"));
    }
}
