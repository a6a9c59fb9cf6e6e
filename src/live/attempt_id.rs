//! `X-Request-Identity: <fleet>.<client>.<request>.<attempt>`: the lab's own load client names
//! each attempt as the simulator does (fleet name, client index in the fleet, the client's
//! request number, the request's attempt number), and `serve` draws that attempt's service
//! time, fault coin and spike latency from the simulator's per-identity streams
//! (`sim::engine::Crn`), so sim and live give one attempt the same draws whatever order real
//! time serves requests in. Without the header (any other client) or with one that does not
//! parse, the server draws from its own per-server sequence: the header only chooses random
//! numbers, it never changes what is allowed.

use axum::http::HeaderMap;
use sim::engine::AttemptId;

/// The header's name.
pub const HEADER: &str = "x-request-identity";
/// [`HEADER`] as a header name (looked up on every request without parsing it).
const NAME: axum::http::HeaderName = axum::http::HeaderName::from_static(HEADER);

/// The header value for an attempt (fleet names may contain dots: the last three fields are
/// the numbers).
pub fn value(fleet: &str, client: u32, request: u32, attempt: u32) -> String {
    format!("{fleet}.{client}.{request}.{attempt}")
}

/// The attempt named by `headers`, if the header is there and well formed.
pub fn parse(headers: &HeaderMap) -> Option<AttemptId> {
    let text = headers.get(&NAME)?.to_str().ok()?;
    let mut parts = text.rsplitn(4, '.');
    let attempt = parts.next()?.parse().ok()?;
    let request = parts.next()?.parse().ok()?;
    let client = parts.next()?.parse().ok()?;
    let fleet = parts.next().filter(|f| !f.is_empty())?;
    Some(AttemptId::named(fleet, client, request, attempt))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(v: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(HEADER, v.parse().unwrap());
        h
    }

    #[test]
    fn round_trips_the_simulators_identity() {
        let v = value("web.eu", 3, 17, 2);
        assert_eq!(
            parse(&headers(&v)),
            Some(AttemptId::named("web.eu", 3, 17, 2))
        );
    }

    #[test]
    fn malformed_values_are_ignored() {
        for v in [
            "",
            "web",
            "web.1.2",
            ".1.2.3",
            "web.x.2.3",
            "web.1.2.-3",
            "web.1.2.99999999999",
        ] {
            assert_eq!(parse(&headers(v)), None, "{v}");
        }
        assert_eq!(parse(&HeaderMap::new()), None);
    }
}
