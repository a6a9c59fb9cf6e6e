//! `[fleet.<name>.headers]`: how a fleet's clients read the server's rate-limit headers
//! ([`HeaderClient`]), each key checked with its span.

use super::cx::{Cx, R};
use crate::client::{HeaderClient, HeaderSource};
use crate::scenario::gate_spec::HeadersTable;
use limiters::headers::ResetInterpretation;
use toml::Spanned;

/// Validate a `[fleet.<name>.headers]` table.
pub(crate) fn headers(cx: &Cx, h: &Spanned<HeadersTable>) -> R<HeaderClient> {
    let h = h.get_ref();
    let mut out = HeaderClient::default();
    if let Some(r) = &h.reset {
        out.reset = r.get_ref().parse::<ResetInterpretation>().map_err(|_| {
            cx.unknown(
                r,
                "reset interpretation",
                &["auto", "delta", "epoch", "epoch-ms"],
            )
        })?;
    }
    if let Some(s) = &h.skew {
        let text = s.get_ref().trim();
        let (neg, body) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text.strip_prefix('+').unwrap_or(text)),
        };
        let d = limiters::parse_duration(body).map_err(|e| {
            cx.err(
                s.span(),
                format!("`skew` is a duration such as \"2s\" or \"-500ms\": {e}"),
            )
        })?;
        let ns =
            i64::try_from(d.as_nanos()).map_err(|_| cx.err(s.span(), "`skew` is too large"))?;
        out.skew_ns = if neg { -ns } else { ns };
    }
    if let Some(s) = &h.source {
        out.source = match s.get_ref().as_str() {
            "retry_after" => HeaderSource::RetryAfter,
            "reset" => HeaderSource::Reset,
            "any" => HeaderSource::Any,
            _ => return Err(cx.unknown(s, "header source", &["retry_after", "reset", "any"])),
        };
    }
    Ok(out)
}
