//! nginx.
//!
//! Not read yet: [`import`] says so, [`export`] refuses. (Filled in by the dialect's own work.)

use crate::{Dialect, GatewayError, Imported};
use sim::model::Level;

/// Whether `text` looks like this dialect.
pub(crate) fn sniff(text: &str) -> bool {
    text.contains("limit_req")
}

/// Read `text` (the file `file`).
pub fn import(file: &str, text: &str) -> Result<Imported, GatewayError> {
    let _ = (file, text);
    Err(GatewayError::Unsupported {
        dialect: Dialect::Nginx.name(),
        reason: "importing this dialect is not implemented yet".to_string(),
    })
}

/// Write `levels` in this dialect.
pub fn export(levels: &[Level]) -> Result<String, GatewayError> {
    let _ = levels;
    Err(GatewayError::Unsupported {
        dialect: Dialect::Nginx.name(),
        reason: "exporting to this dialect is not implemented yet".to_string(),
    })
}
