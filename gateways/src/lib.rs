//! Real API gateways' rate-limit configurations as throttlelab limiter levels, and back.
//!
//! API designers write their limits in their gateway's language (an nginx `limit_req`, an
//! HAProxy stick table, an Envoy filter, ...), not in the lab's TOML. This crate reads those
//! files into the scenario's own `[[server.limiters]]` tables ([`Imported`]), so an imported
//! configuration runs like any other level, and writes a scenario's levels back where a
//! dialect can say them ([`export`]), refusing with a reason where it cannot.
//!
//! Each dialect lives in a folder of its own (`src/<dialect>/`): a parser that keeps byte
//! offsets (every error names the gateway file's line and column, see [`GatewayError`]), the
//! mapping to levels, and the export. Where a gateway's arithmetic changes decisions (nginx's
//! millisecond excess, HAProxy's frequency counters) the algorithm is modelled in `limiters`
//! with its source cited, and the imported level names that algorithm.
//!
//! ```
//! use gateways::{import_detect, Dialect};
//! let conf = "http { limit_req_zone $binary_remote_addr zone=one:10m rate=10r/s;\n\
//!             server { location / { limit_req zone=one burst=5 nodelay; } } }";
//! let imported = import_detect("edge/nginx.conf", conf, None).unwrap();
//! assert_eq!(imported.dialect, Dialect::Nginx);
//! assert_eq!(imported.levels[0].table["algorithm"].as_str(), Some("nginx_limit_req"));
//! assert!(imported.to_toml().contains("[[server.limiters]]\nscope = \"key\"\n"));
//! ```

pub mod aws;
pub mod conform;
pub mod conform_conn;
pub mod conform_delay;
mod dialect;
pub mod envoy;
mod error;
pub mod haproxy;
mod imported;
pub mod kong;
pub mod nginx;
pub mod ratelimit;
#[cfg(test)]
mod test_support;
mod tree;

pub use dialect::Dialect;
pub use error::{GatewayError, Pos};
pub use imported::{Imported, ImportedLevel};

/// Read `text` (the file `path`, named in errors) as a configuration of `dialect`.
pub fn import(path: &str, text: &str, dialect: Dialect) -> Result<Imported, GatewayError> {
    let imported = match dialect {
        Dialect::Nginx => nginx::import(path, text)?,
        Dialect::Haproxy => haproxy::import(path, text)?,
        Dialect::Envoy => envoy::import(path, text)?,
        Dialect::Ratelimit => ratelimit::import(path, text)?,
        Dialect::Kong => kong::import(path, text)?,
        Dialect::Aws => aws::import(path, text)?,
    };
    if imported.levels.is_empty() {
        return Err(GatewayError::Empty {
            file: path.to_string(),
            what: dialect.what_is_read().to_string(),
        });
    }
    Ok(imported)
}

/// Read `text` as a configuration of `dialect`, or of the dialect [`Dialect::detect`] finds.
pub fn import_detect(
    path: &str,
    text: &str,
    dialect: Option<Dialect>,
) -> Result<Imported, GatewayError> {
    let dialect = match dialect {
        Some(d) => d,
        None => Dialect::detect(path, text).ok_or_else(|| GatewayError::UnknownFormat {
            file: path.to_string(),
            known: Dialect::names().join(", "),
        })?,
    };
    import(path, text, dialect)
}

/// Write the limiter levels of `scenario` in `dialect`, or say why they cannot be said in it.
pub fn export(scenario: &sim::model::Scenario, dialect: Dialect) -> Result<String, GatewayError> {
    let levels = &scenario.server.levels;
    if levels.is_empty() {
        return Err(GatewayError::Unsupported {
            dialect: dialect.name(),
            reason: format!(
                "scenario `{}` has no limiter levels to export",
                scenario.name
            ),
        });
    }
    match dialect {
        Dialect::Nginx => nginx::export(levels),
        Dialect::Haproxy => haproxy::export(levels),
        Dialect::Envoy => envoy::export(levels),
        Dialect::Ratelimit => ratelimit::export(levels),
        Dialect::Kong => kong::export(levels),
        Dialect::Aws => aws::export(levels),
    }
}
