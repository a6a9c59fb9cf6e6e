//! The five error envelopes of the seed API documents, selectable with `--envelope`.
//!
//! Each seed documents one JSON shape and its own code vocabulary; a client library written
//! against one of them must be able to run unchanged against `serve`:
//!
//! | envelope | shape | source |
//! |---|---|---|
//! | `seed000` | `{"error": "message"}` | Armox: `{ "error": "Invalid API key" }` |
//! | `seed001` | `{"error": {"code", "message", "status"}}` | Limitry: `invalid_api_key`, `rate_limit_exceeded` |
//! | `seed002` | `{"detail", "code", "field_errors"?}` | seed 002: `idempotency.key_mismatch`, `rate_limited`, field errors on 400 |
//! | `seed003` | `{"error", "code"}` | seed 003: `missing_credential` (400), `invalid_credential`, `validation_error` (422) |
//! | `seed004` | `{"ok": false, "error": {"code", "message", "details"}, "request_id"}` | seed 004: `RATE_LIMITED`, `IDEMPOTENCY_KEY_CONFLICT`, `PAYLOAD_TOO_LARGE` |
//!
//! Where a seed lists a status for a situation, that status is used (seed 003 answers a
//! *missing* credential with 400, the others with 401); where a seed is silent (seed 000 has no
//! 413 or 503), the HTTP status is the standard one and the code follows the seed's style.

#[cfg(test)]
use serde_json::json;
use serde_json::{Map, Value};

/// An error body shape.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Envelope {
    /// `{"error": "..."}`.
    Seed000,
    /// `{"error": {"code", "message", "status"}}`.
    Seed001,
    /// `{"detail", "code", "field_errors"}`.
    Seed002,
    /// `{"error", "code"}`.
    Seed003,
    /// `{"ok": false, "error": {...}, "request_id"}`.
    Seed004,
}

impl Envelope {
    /// Parse `seed000` .. `seed004` (also `0` .. `4`).
    pub fn parse(text: &str) -> Option<Envelope> {
        match text.trim_start_matches("seed").trim_start_matches('0') {
            "" => Some(Envelope::Seed000),
            "1" => Some(Envelope::Seed001),
            "2" => Some(Envelope::Seed002),
            "3" => Some(Envelope::Seed003),
            "4" => Some(Envelope::Seed004),
            _ => None,
        }
    }
}

/// Why a request was not served, independent of the envelope.
#[derive(Clone, Debug, PartialEq)]
pub enum Problem {
    /// No `Authorization: Bearer` (or `X-API-Key`) header.
    MissingKey,
    /// A key that is not configured.
    InvalidKey,
    /// A limiter level denied the request; `status` is the level's (429, or 402 for credits).
    Denied {
        /// The level's denial status.
        status: u16,
        /// The level is a credit/quota level (seed 004: `QUOTA_EXCEEDED` rather than `RATE_LIMITED`).
        quota: bool,
        /// The request's cost.
        required: u64,
        /// What the level has left.
        available: u64,
    },
    /// The cost can never pass the level (it exceeds the limit's capacity).
    CostOverCapacity {
        /// The request's cost.
        cost: u64,
        /// The level's limit.
        limit: u64,
    },
    /// The same idempotency key came with a different body.
    IdempotencyMismatch,
    /// The same idempotency key is being processed right now.
    IdempotencyInProgress,
    /// The `Idempotency-Key` header is not 8–128 visible ASCII characters.
    BadIdempotencyKey(String),
    /// The body is larger than the configured maximum.
    PayloadTooLarge {
        /// The maximum in bytes.
        max: usize,
    },
    /// The body did not arrive in time (408).
    BodyTimeout,
    /// The body is not JSON.
    InvalidJson(String),
    /// The request can be read two ways (RFC 9110 §5.3, RFC 9112 §3.2: a missing or doubled
    /// `Host`, a doubled credential or `Idempotency-Key`, a JSON object with a key twice):
    /// always 400, never a guess.
    Ambiguous(String),
    /// The JSON is well formed but a field is wrong: `(field, message)` pairs.
    Validation(Vec<(String, String)>),
    /// No such route.
    NotFound,
    /// The route exists, not with this method.
    MethodNotAllowed,
    /// The backend queue is full.
    QueueFull,
    /// The request missed its deadline.
    DeadlineExceeded,
    /// An unexpected server failure.
    Internal,
    /// A failure injected by a fault window (outage or error rate) with this status.
    Injected(u16),
    /// The shared limit store is unreachable and the server is configured to fail closed,
    /// answering this status.
    StoreUnavailable(u16),
}

/// A rendered error: status and JSON body (the reference shape the bytes written per
/// response are checked against, see `write`).
#[cfg(test)]
#[derive(Clone, Debug, PartialEq)]
pub struct Rendered {
    /// HTTP status.
    pub status: u16,
    /// The body.
    pub body: Value,
}

impl Problem {
    /// The status, given the envelope (they differ where the seeds differ).
    pub fn status(&self, env: Envelope) -> u16 {
        use Envelope::*;
        match self {
            Problem::MissingKey if env == Seed003 => 400,
            Problem::MissingKey | Problem::InvalidKey => 401,
            Problem::Denied { status, .. } => *status,
            Problem::CostOverCapacity { .. } => match env {
                Seed000 | Seed001 => 400,
                _ => 422,
            },
            Problem::IdempotencyMismatch | Problem::IdempotencyInProgress => 409,
            Problem::BadIdempotencyKey(_) | Problem::Ambiguous(_) => 400,
            Problem::PayloadTooLarge { .. } => 413,
            Problem::BodyTimeout => 408,
            Problem::InvalidJson(_) if env == Seed003 => 422,
            Problem::InvalidJson(_) => 400,
            Problem::Validation(_) => match env {
                Seed003 | Seed004 => 422,
                _ => 400,
            },
            Problem::NotFound => 404,
            Problem::MethodNotAllowed => 405,
            Problem::QueueFull => 503,
            Problem::StoreUnavailable(s) => *s,
            Problem::DeadlineExceeded => 504,
            Problem::Internal => 500,
            Problem::Injected(s) => *s,
        }
    }

    /// Human-readable message (seed 000's exact sentences where it has one).
    pub fn message(&self) -> String {
        match self {
            Problem::MissingKey => "Missing API key: send Authorization: Bearer <key>".into(),
            Problem::InvalidKey => "Invalid API key".into(),
            Problem::Denied {
                status: 402,
                required,
                available,
                ..
            } => format!("Insufficient credits. Required {required}, available {available}"),
            Problem::Denied { quota: true, .. } => "Quota exceeded".into(),
            Problem::Denied { .. } => "Rate limit exceeded".into(),
            Problem::CostOverCapacity { cost, limit } => {
                format!("Request cost {cost} exceeds the limit's capacity of {limit}")
            }
            Problem::IdempotencyMismatch => {
                "Idempotency-Key was already used with a different body; use a fresh key".into()
            }
            Problem::IdempotencyInProgress => {
                "A request with this Idempotency-Key is still being processed".into()
            }
            Problem::BadIdempotencyKey(why) => format!("Invalid Idempotency-Key: {why}"),
            Problem::PayloadTooLarge { max } => format!("Request body exceeds {max} bytes"),
            Problem::BodyTimeout => "Request body not received in time".into(),
            Problem::InvalidJson(why) => format!("Request body is not valid JSON: {why}"),
            Problem::Ambiguous(why) => format!("Ambiguous request: {why}"),
            Problem::Validation(errs) => match errs.first() {
                Some((f, m)) => format!("Invalid field `{f}`: {m}"),
                None => "Invalid request".into(),
            },
            Problem::NotFound => "Not found".into(),
            Problem::MethodNotAllowed => "Method not allowed".into(),
            Problem::QueueFull => "Server is overloaded; retry with backoff".into(),
            Problem::DeadlineExceeded => "Request exceeded its deadline".into(),
            Problem::Internal | Problem::Injected(500) => "Unexpected backend failure".into(),
            Problem::Injected(502) => "Upstream service error".into(),
            Problem::Injected(503) => "Service unavailable".into(),
            Problem::Injected(504) => "Upstream timed out".into(),
            Problem::Injected(s) => format!("Injected failure ({s})"),
            Problem::StoreUnavailable(_) => "Rate-limit store unavailable".into(),
        }
    }

    /// The machine-readable code in the envelope's vocabulary (`None` for seed 000).
    pub fn code(&self, env: Envelope) -> Option<&'static str> {
        use Envelope::*;
        use Problem::*;
        // injected failures speak like the real ones of the same status
        match self {
            Injected(500) => return Internal.code(env),
            Injected(503) => return QueueFull.code(env),
            Injected(504) => return DeadlineExceeded.code(env),
            _ => {}
        }
        let code = match (env, self) {
            (Seed000, _) => return None,
            (Seed001, MissingKey) => "missing_api_key",
            (Seed001, InvalidKey) => "invalid_api_key",
            (Seed001, Denied { status: 402, .. }) => "insufficient_credits",
            (Seed001, Denied { .. }) => "rate_limit_exceeded",
            (Seed001, InvalidJson(_) | BadIdempotencyKey(_) | Ambiguous(_)) => "invalid_request",
            (Seed001, Validation(_) | CostOverCapacity { .. }) => "invalid_field_value",
            (Seed001, IdempotencyMismatch | IdempotencyInProgress) => "idempotency_conflict",
            (Seed001, PayloadTooLarge { .. }) => "payload_too_large",
            (Seed001, BodyTimeout) => "request_timeout",
            (Seed001, NotFound) => "not_found",
            (Seed001, MethodNotAllowed) => "method_not_allowed",
            (Seed001, QueueFull | StoreUnavailable(_)) => "service_unavailable",
            (Seed001, DeadlineExceeded) => "timeout",
            (Seed001, Internal) => "internal_error",
            (Seed001, Injected(502)) => "bad_gateway",
            (Seed001, Injected(_)) => "server_error",
            (Seed002, MissingKey | InvalidKey) => "auth.invalid_credential",
            (Seed002, Denied { status: 402, .. }) => "billing.credits_exhausted",
            (Seed002, Denied { .. }) => "rate_limited",
            (Seed002, InvalidJson(_) | BadIdempotencyKey(_) | Validation(_) | Ambiguous(_)) => {
                "validation_error"
            }
            (Seed002, CostOverCapacity { .. }) => "validation.cost_over_limit",
            (Seed002, IdempotencyMismatch) => "idempotency.key_mismatch",
            (Seed002, IdempotencyInProgress) => "idempotency.in_progress",
            (Seed002, PayloadTooLarge { .. }) => "payload_too_large",
            (Seed002, BodyTimeout) => "request_timeout",
            (Seed002, NotFound) => "not_found",
            (Seed002, MethodNotAllowed) => "method_not_allowed",
            (Seed002, QueueFull | StoreUnavailable(_)) => "service_unavailable",
            (Seed002, DeadlineExceeded) => "timeout",
            (Seed002, Internal) => "internal_error",
            (Seed002, Injected(502)) => "upstream_error",
            (Seed002, Injected(_)) => "server_error",
            (Seed003, MissingKey) => "missing_credential",
            (Seed003, InvalidKey) => "invalid_credential",
            (Seed003, Denied { status: 402, .. }) => "billing_required",
            (Seed003, Denied { .. }) => "rate_limit_exceeded",
            (Seed003, InvalidJson(_) | Validation(_) | CostOverCapacity { .. }) => {
                "validation_error"
            }
            (Seed003, BadIdempotencyKey(_) | Ambiguous(_)) => "invalid_request",
            (Seed003, IdempotencyMismatch | IdempotencyInProgress) => "conflict",
            (Seed003, PayloadTooLarge { .. }) => "payload_too_large",
            (Seed003, BodyTimeout) => "request_timeout",
            (Seed003, NotFound) => "not_found",
            (Seed003, MethodNotAllowed) => "method_not_allowed",
            (Seed003, QueueFull | StoreUnavailable(_)) => "service_unavailable",
            (Seed003, DeadlineExceeded) => "timeout",
            (Seed003, Internal) => "internal_error",
            (Seed003, Injected(502)) => "grpc_error",
            (Seed003, Injected(_)) => "server_error",
            (Seed004, MissingKey | InvalidKey) => "AUTH_REQUIRED",
            (Seed004, Denied { quota: true, .. } | Denied { status: 402, .. }) => "QUOTA_EXCEEDED",
            (Seed004, Denied { .. }) => "RATE_LIMITED",
            (Seed004, InvalidJson(_) | BadIdempotencyKey(_) | Validation(_) | Ambiguous(_)) => {
                "INVALID_REQUEST"
            }
            (Seed004, CostOverCapacity { .. }) => "PAYLOAD_OVER_LIMIT",
            (Seed004, IdempotencyMismatch | IdempotencyInProgress) => "IDEMPOTENCY_KEY_CONFLICT",
            (Seed004, PayloadTooLarge { .. }) => "PAYLOAD_TOO_LARGE",
            (Seed004, BodyTimeout) => "REQUEST_TIMEOUT",
            (Seed004, NotFound) => "NOT_FOUND",
            (Seed004, MethodNotAllowed) => "METHOD_NOT_ALLOWED",
            (Seed004, QueueFull | StoreUnavailable(_)) => "SERVICE_UNAVAILABLE",
            (Seed004, DeadlineExceeded) => "ENGINE_TIMEOUT",
            (Seed004, Internal) => "INTERNAL_ERROR",
            (Seed004, Injected(502)) => "UPSTREAM_ERROR",
            (Seed004, Injected(_)) => "SERVER_ERROR",
        };
        Some(code)
    }

    fn field_errors(&self) -> Option<Map<String, Value>> {
        let pairs: Vec<(String, String)> = match self {
            Problem::Validation(errs) => errs.clone(),
            Problem::InvalidJson(why) => vec![("body".into(), why.clone())],
            Problem::BadIdempotencyKey(why) => vec![("Idempotency-Key".into(), why.clone())],
            Problem::CostOverCapacity { .. } => vec![("cost".into(), self.message())],
            _ => return None,
        };
        let mut map = Map::new();
        for (field, msg) in pairs {
            let entry = map.entry(field).or_insert_with(|| Value::Array(vec![]));
            if let Value::Array(list) = entry {
                list.push(Value::String(msg));
            }
        }
        Some(map)
    }

    /// The status and JSON body in envelope `env` as a `Value` (the reference for
    /// [`Problem::to_bytes`], which writes the same bytes without building it).
    #[cfg(test)]
    pub fn render(&self, env: Envelope, request_id: &str) -> Rendered {
        let status = self.status(env);
        let message = self.message();
        let code = self.code(env).unwrap_or("");
        let body = match env {
            Envelope::Seed000 => json!({ "error": message }),
            Envelope::Seed001 => {
                json!({ "error": { "code": code, "message": message, "status": status } })
            }
            Envelope::Seed002 => {
                let mut body = json!({ "detail": message, "code": code });
                // seed 002: field_errors "present on 400 validation failures only"
                if status == 400 || status == 422 {
                    if let (Some(fe), Some(obj)) = (self.field_errors(), body.as_object_mut()) {
                        obj.insert("field_errors".into(), Value::Object(fe));
                    }
                }
                body
            }
            Envelope::Seed003 => json!({ "error": message, "code": code }),
            Envelope::Seed004 => {
                let details = self
                    .field_errors()
                    .map(Value::Object)
                    .unwrap_or_else(|| json!({}));
                json!({
                    "ok": false,
                    "error": { "code": code, "message": message, "details": details },
                    "request_id": request_id,
                })
            }
        };
        Rendered { status, body }
    }
}

mod write;

#[cfg(test)]
mod tests;
