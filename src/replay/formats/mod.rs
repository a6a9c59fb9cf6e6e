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
