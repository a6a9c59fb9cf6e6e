//! The delay part of a conformance report (`--measure-delays`): `delays.json` and a summary
//! line.

use gateways::conform_delay::DelayComparison;
use serde_json::json;
use std::path::Path;

/// Write `dir/delays.json`: the tolerance, the agreement, every difference's count, and every
/// request outside the tolerance.
pub fn write_delays(dir: &Path, d: &DelayComparison) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let differences: serde_json::Map<String, serde_json::Value> = d
        .differences
        .iter()
        .map(|(k, v)| (k.to_string(), json!(v)))
        .collect();
    let outside: Vec<_> = d
        .outside
        .iter()
        .map(|(o, p)| {
            json!({"stream": o.stream, "request": o.seq, "key": o.key, "gateway_ms": o.gateway_ms,
                   "held_ms": o.gateway_delay_ms, "predicted_ms": p})
        })
        .collect();
    let v = json!({
        "delayed_requests_compared": d.compared,
        "within_tolerance": d.within,
        "tolerance_ms": d.tolerance_ms,
        "agreement": d.agreement(),
        "measured_minus_predicted_ms": differences,
        "outside_tolerance": outside,
    });
    let text = serde_json::to_string_pretty(&v).map_err(|e| e.to_string())?;
    let path = dir.join("delays.json");
    std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))
}

/// One line: how many delays were within the tolerance, and the spread of the differences.
pub fn delay_summary(d: &DelayComparison) -> String {
    let spread: Vec<String> = d
        .differences
        .iter()
        .map(|(k, v)| format!("{k:+} ms: {v}"))
        .collect();
    format!(
        "delays: {} of {} delayed requests held within 0..={} ms of the model's delay ({:.4}%); measured - predicted: {}\n",
        d.within,
        d.compared,
        d.tolerance_ms,
        100.0 * d.agreement(),
        spread.join(", ")
    )
}
