//! Requests that can be read two ways are refused with 400, never resolved by a guess.
//!
//! A proxy in front of `serve` and `serve` itself must agree on what a request says; where
//! they could disagree (one takes the first of two headers, the other the last), an attacker
//! picks the reading that suits them: spend one tenant's limit while a gateway checked
//! another's key, or send `{"cost":1,"cost":1000000}` that a validating proxy reads as cost 1
//! and the server (serde_json keeps the last duplicate) as a million. So, as HTTP says:
//!
//! - RFC 9112 §3.2: "A server MUST respond with a 400 (Bad Request) status code to any
//!   HTTP/1.1 request message that lacks a Host header field and to any request message that
//!   contains more than one Host header field line" ([`host_check`], every route);
//! - RFC 9110 §5.3: a field may be sent twice only if its definition allows a list, which
//!   `Authorization` (RFC 9110 §11.6.2), `X-API-Key` and `Idempotency-Key` do not
//!   ([`single`]); a request with both `Authorization` and `X-API-Key` names two credentials;
//! - RFC 8259 §4: "The names within an object SHOULD be unique"; when they are not, "the
//!   behavior of software that receives such an object is unpredictable" ([`parse_unique`]).

use super::app::App;
use super::envelope::Problem;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::header::AsHeaderName;
use axum::http::{HeaderMap, HeaderValue, Response, Version};
use axum::middleware::Next;
use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};
use std::sync::Arc;

/// The value of header `name`, refusing it when sent more than once.
/// `name` is a `&str` or, on the per-request path, a `&HeaderName` constant (no name parsing
/// per lookup).
pub fn single<K>(headers: &HeaderMap, name: K) -> Result<Option<&HeaderValue>, Problem>
where
    K: AsHeaderName + std::fmt::Display + Copy,
{
    let mut all = headers.get_all(name).iter();
    let first = all.next();
    if all.next().is_some() {
        return Err(Problem::Ambiguous(format!("`{name}` sent more than once")));
    }
    Ok(first)
}

/// What is ambiguous about the request's `Host`, if anything.
pub fn host_problem(version: Version, headers: &HeaderMap) -> Option<Problem> {
    match headers.get_all(axum::http::header::HOST).iter().count() {
        0 if version >= Version::HTTP_11 => Some(Problem::Ambiguous(
            "an HTTP/1.1 request must carry a `Host` header".into(),
        )),
        0 | 1 => None,
        _ => Some(Problem::Ambiguous("`Host` sent more than once".into())),
    }
}

/// Middleware over every route: a missing (HTTP/1.1) or doubled `Host` gets 400 in the
/// configured envelope before any handler runs.
pub async fn host_check(State(app): State<Arc<App>>, req: Request, next: Next) -> Response<Body> {
    match host_problem(req.version(), req.headers()) {
        Some(p) => {
            let id = uuid::Uuid::new_v4().to_string();
            app.reject(p, None, &id).await
        }
        None => next.run(req).await,
    }
}

/// A JSON value whose objects (at any depth) have unique keys.
struct Unique(Value);

impl<'de> Deserialize<'de> for Unique {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Unique, D::Error> {
        d.deserialize_any(UniqueVisitor).map(Unique)
    }
}

struct UniqueVisitor;

impl<'de> Visitor<'de> for UniqueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut out = Vec::new();
        while let Some(Unique(v)) = seq.next_element()? {
            out.push(v);
        }
        Ok(Value::Array(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            let Unique(v) = map.next_value()?;
            if out.contains_key(&key) {
                return Err(serde::de::Error::custom(format!(
                    "duplicate key `{key}` in an object"
                )));
            }
            out.insert(key, v);
        }
        Ok(Value::Object(out))
    }
}

/// Parse `body` as JSON, refusing objects that name a key twice (at any depth): a syntax
/// error is [`Problem::InvalidJson`], a duplicate key [`Problem::Ambiguous`].
pub fn parse_unique(body: &[u8]) -> Result<Value, Problem> {
    let position = |e: &serde_json::Error| format!(" at line {} column {}", e.line(), e.column());
    match serde_json::from_slice::<Unique>(body) {
        Ok(Unique(v)) => Ok(v),
        Err(e) if e.is_data() => {
            let s = e.to_string();
            let why = s.find(" at line ").map_or(s.as_str(), |i| &s[..i]);
            Err(Problem::Ambiguous(format!("{why}{}", position(&e))))
        }
        Err(e) => {
            let s = e.to_string();
            let why = s.find(" at line ").map_or(s.as_str(), |i| &s[..i]);
            Err(Problem::InvalidJson(format!("{why}{}", position(&e))))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicate_keys_are_ambiguous_at_any_depth() {
        let dup = parse_unique(br#"{"cost":1,"cost":1000000}"#);
        assert!(
            matches!(&dup, Err(Problem::Ambiguous(m)) if m.contains("duplicate key `cost`")),
            "{dup:?}"
        );
        assert!(matches!(
            parse_unique(br#"{"a":{"b":1,"b":2}}"#),
            Err(Problem::Ambiguous(_))
        ));
        assert!(matches!(
            parse_unique(br#"[{"x":1},{"x":2,"x":3}]"#),
            Err(Problem::Ambiguous(_))
        ));
        assert_eq!(
            parse_unique(br#"{"cost":5,"x":[1,{"cost":2}],"y":null}"#).unwrap()["cost"],
            5
        );
        assert!(matches!(parse_unique(b"{"), Err(Problem::InvalidJson(_))));
        assert!(matches!(
            parse_unique(br#"{"a":1} x"#),
            Err(Problem::InvalidJson(_))
        ));
    }

    #[test]
    fn host_must_be_there_once() {
        let mut h = HeaderMap::new();
        assert!(host_problem(Version::HTTP_11, &h).is_some());
        assert!(host_problem(Version::HTTP_10, &h).is_none());
        h.append("host", HeaderValue::from_static("a"));
        assert!(host_problem(Version::HTTP_11, &h).is_none());
        h.append("host", HeaderValue::from_static("b"));
        assert!(host_problem(Version::HTTP_10, &h).is_some());
    }

    #[test]
    fn a_doubled_header_is_refused() {
        let mut h = HeaderMap::new();
        assert_eq!(single(&h, "idempotency-key"), Ok(None));
        h.append("idempotency-key", HeaderValue::from_static("abcdefgh"));
        assert!(single(&h, "idempotency-key").unwrap().is_some());
        h.append("idempotency-key", HeaderValue::from_static("abcdefgh"));
        assert!(matches!(
            single(&h, "idempotency-key"),
            Err(Problem::Ambiguous(_))
        ));
    }
}
