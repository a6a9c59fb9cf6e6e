//! Reading a request: the API key, the `Idempotency-Key`, the body (bounded) and its JSON.
//!
//! Everything here treats input as hostile: no panic, no unbounded allocation; every failure
//! is a [`Problem`] the envelope renders.

use super::ambiguity::{parse_unique, single};
use super::config::Identity;
use super::envelope::Problem;
use super::idempotency::validate_key;
use axum::body::Body;
use axum::http::{HeaderMap, HeaderName};
use http_body_util::{BodyExt, LengthLimitError, Limited};
use hyper::body::Body as _;
use std::collections::HashMap;

/// `X-API-Key` (seed 004), as a constant: looked up without parsing the name per request.
const X_API_KEY: HeaderName = HeaderName::from_static("x-api-key");
/// `Idempotency-Key`.
const IDEMPOTENCY_KEY: HeaderName = HeaderName::from_static("idempotency-key");

/// The largest cost a request may ask for.
pub const MAX_COST: u64 = 1_000_000;

/// The caller, from `Authorization: Bearer <key>` or `X-API-Key: <key>` (seed 004); either
/// header sent twice, or both sent, is ambiguous (400, see [`super::ambiguity`]).
pub fn authenticate<'a>(
    headers: &HeaderMap,
    keys: &'a HashMap<String, Identity>,
) -> Result<&'a Identity, Problem> {
    keys.get(presented_key(headers)?).ok_or(Problem::InvalidKey)
}

/// The API key the request presents (`Authorization: Bearer` or `X-API-Key`, exactly one),
/// borrowed from the header map (the lookup allocates nothing).
pub fn presented_key(headers: &HeaderMap) -> Result<&str, Problem> {
    let bearer = single(headers, &axum::http::header::AUTHORIZATION)?;
    let api_key = single(headers, &X_API_KEY)?;
    if bearer.is_some() && api_key.is_some() {
        return Err(Problem::Ambiguous(
            "both `Authorization` and `X-API-Key` sent: send one credential".into(),
        ));
    }
    // borrowed from the header map: the lookup allocates nothing
    let presented: &str = if let Some(v) = bearer {
        let v = v.to_str().map_err(|_| Problem::InvalidKey)?;
        let (scheme, token) = v.trim().split_once(' ').ok_or(Problem::InvalidKey)?;
        if !scheme.eq_ignore_ascii_case("bearer") {
            return Err(Problem::InvalidKey);
        }
        token.trim()
    } else if let Some(v) = api_key {
        v.to_str().map_err(|_| Problem::InvalidKey)?.trim()
    } else {
        return Err(Problem::MissingKey);
    };
    if presented.is_empty() {
        return Err(Problem::MissingKey);
    }
    Ok(presented)
}

/// The `Idempotency-Key`, if sent (once), validated (8–128 visible ASCII characters).
pub fn idempotency_key(headers: &HeaderMap) -> Result<Option<String>, Problem> {
    match single(headers, &IDEMPOTENCY_KEY)? {
        None => Ok(None),
        Some(v) => {
            let s = v
                .to_str()
                .map_err(|_| Problem::BadIdempotencyKey("must be visible ASCII".into()))?;
            validate_key(s).map_err(Problem::BadIdempotencyKey)?;
            Ok(Some(s.to_string()))
        }
    }
}

/// The body, refused with 413 past `max` bytes (by `Content-Length` before reading, or while
/// reading a chunked body), and with 408 if it does not arrive within `within` (a client that
/// trickles its body must not hold a handler forever). A request without a body (most `GET`s)
/// returns at once, without arming the timer.
pub async fn read_body(
    headers: &HeaderMap,
    body: Body,
    max: usize,
    within: std::time::Duration,
) -> Result<Vec<u8>, Problem> {
    let declared = headers
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > max as u64) {
        return Err(Problem::PayloadTooLarge { max });
    }
    if body.is_end_stream() {
        return Ok(Vec::new());
    }
    let collected = tokio::time::timeout(within, Limited::new(body, max).collect())
        .await
        .map_err(|_| Problem::BodyTimeout)?;
    match collected {
        Ok(collected) => Ok(collected.to_bytes().to_vec()),
        Err(e) if e.downcast_ref::<LengthLimitError>().is_some() => {
            Err(Problem::PayloadTooLarge { max })
        }
        Err(e) => Err(Problem::InvalidJson(format!(
            "could not read the body: {e}"
        ))),
    }
}

/// The request's cost: `{"cost": n}` in a JSON object body (other fields are accepted and
/// ignored; an object naming a key twice is refused as ambiguous), else `?cost=n` in the
/// query (given once), else 1.
pub fn cost(body: &[u8], query: Option<&str>) -> Result<u32, Problem> {
    let mut in_query = query
        .into_iter()
        .flat_map(|q| q.split('&'))
        .filter_map(|kv| kv.strip_prefix("cost="));
    let from_query = in_query.next();
    if in_query.next().is_some() {
        return Err(Problem::Ambiguous("`cost` given twice in the query".into()));
    }
    let is_blank = body.iter().all(u8::is_ascii_whitespace);
    let raw: Option<serde_json::Value> = if is_blank {
        from_query.map(|q| {
            q.parse::<i64>()
                .map(serde_json::Value::from)
                .unwrap_or_else(|_| serde_json::Value::String(q.to_string()))
        })
    } else {
        let v = parse_unique(body)?;
        let obj = v.as_object().ok_or_else(|| {
            Problem::Validation(vec![("body".into(), "must be a JSON object".into())])
        })?;
        obj.get("cost").cloned()
    };
    let Some(raw) = raw else { return Ok(1) };
    let n = raw.as_u64().ok_or_else(|| {
        Problem::Validation(vec![(
            "cost".into(),
            format!("must be a whole number from 1 to {MAX_COST}"),
        )])
    })?;
    if !(1..=MAX_COST).contains(&n) {
        return Err(Problem::Validation(vec![(
            "cost".into(),
            format!("must be from 1 to {MAX_COST}, got {n}"),
        )]));
    }
    u32::try_from(n).map_err(|_| Problem::Validation(vec![("cost".into(), "too large".into())]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn keys() -> HashMap<String, Identity> {
        super::super::config::LiveConfig::generated_keys(2, 1).unwrap()
    }

    #[test]
    fn bearer_and_x_api_key_authenticate() {
        let keys = keys();
        let mut h = HeaderMap::new();
        assert_eq!(authenticate(&h, &keys), Err(Problem::MissingKey));
        h.insert("authorization", HeaderValue::from_static("Bearer key-1"));
        assert_eq!(authenticate(&h, &keys).map(|i| i.key.as_str()), Ok("key-1"));
        h.insert("authorization", HeaderValue::from_static("Basic a2V5LTE="));
        assert_eq!(authenticate(&h, &keys), Err(Problem::InvalidKey));
        h.insert("authorization", HeaderValue::from_static("Bearer key-9"));
        assert_eq!(authenticate(&h, &keys), Err(Problem::InvalidKey));
        let mut h = HeaderMap::new();
        h.insert("x-api-key", HeaderValue::from_static("key-0"));
        assert!(authenticate(&h, &keys).is_ok());
        // two credentials, or one twice: ambiguous
        h.insert("authorization", HeaderValue::from_static("Bearer key-0"));
        assert!(matches!(
            authenticate(&h, &keys),
            Err(Problem::Ambiguous(_))
        ));
        let mut h = HeaderMap::new();
        h.append("authorization", HeaderValue::from_static("Bearer key-0"));
        h.append("authorization", HeaderValue::from_static("Bearer key-1"));
        assert!(matches!(
            authenticate(&h, &keys),
            Err(Problem::Ambiguous(_))
        ));
    }

    #[tokio::test]
    async fn an_empty_body_is_read_at_once_and_a_large_one_is_refused() {
        let h = HeaderMap::new();
        let within = std::time::Duration::from_secs(1);
        assert_eq!(
            read_body(&h, Body::empty(), 8, within).await,
            Ok(Vec::new())
        );
        assert_eq!(
            read_body(&h, Body::from("{}"), 8, within).await,
            Ok(b"{}".to_vec())
        );
        assert_eq!(
            read_body(&h, Body::from("0123456789"), 8, within).await,
            Err(Problem::PayloadTooLarge { max: 8 })
        );
    }

    #[test]
    fn cost_comes_from_json_or_query() {
        assert_eq!(cost(b"", None), Ok(1));
        assert_eq!(cost(b"  ", Some("cost=3")), Ok(3));
        assert_eq!(cost(br#"{"cost": 5, "x": [1]}"#, None), Ok(5));
        assert_eq!(cost(br#"{"other": 1}"#, None), Ok(1));
        assert!(matches!(cost(b"{", None), Err(Problem::InvalidJson(_))));
        assert!(matches!(cost(b"[1]", None), Err(Problem::Validation(_))));
        assert!(matches!(
            cost(br#"{"cost": 0}"#, None),
            Err(Problem::Validation(_))
        ));
        assert!(matches!(
            cost(br#"{"cost": -2}"#, None),
            Err(Problem::Validation(_))
        ));
        assert!(matches!(
            cost(br#"{"cost": "5"}"#, None),
            Err(Problem::Validation(_))
        ));
        assert!(matches!(
            cost(br#"{"cost":1,"cost":1000000}"#, None),
            Err(Problem::Ambiguous(_))
        ));
        assert!(matches!(
            cost(b"", Some("cost=1&cost=1000000")),
            Err(Problem::Ambiguous(_))
        ));
        assert!(matches!(
            cost(b"", Some("cost=abc")),
            Err(Problem::Validation(_))
        ));
        assert!(matches!(
            cost(br#"{"cost": 1e99}"#, None),
            Err(Problem::Validation(_))
        ));
    }
}
