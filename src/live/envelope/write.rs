//! The envelopes written straight to bytes: every error response (a 429 above all, the reply
//! of an overloaded server) used to build a `serde_json::Value` tree (a map of owned keys per
//! object) and then print it; these borrowed structs print the same bytes with one buffer.
//!
//! The fields are declared in the order a `serde_json` map sorts its keys (the crate is built
//! without `preserve_order`), so the output is byte-for-byte [`Problem::render`]'s body; the
//! test below checks that for every problem in every envelope.

use super::{Envelope, Problem};
use serde::Serialize;
use serde_json::{Map, Value};

#[derive(Serialize)]
struct Seed000<'a> {
    error: &'a str,
}

#[derive(Serialize)]
struct Seed001<'a> {
    error: Seed001Error<'a>,
}

#[derive(Serialize)]
struct Seed001Error<'a> {
    code: &'a str,
    message: &'a str,
    status: u16,
}

#[derive(Serialize)]
struct Seed002<'a> {
    code: &'a str,
    detail: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    field_errors: Option<Map<String, Value>>,
}

#[derive(Serialize)]
struct Seed003<'a> {
    code: &'a str,
    error: &'a str,
}

#[derive(Serialize)]
struct Seed004<'a> {
    error: Seed004Error<'a>,
    ok: bool,
    request_id: &'a str,
}

#[derive(Serialize)]
struct Seed004Error<'a> {
    code: &'a str,
    details: Map<String, Value>,
    message: &'a str,
}

impl Problem {
    /// The status and the JSON body in envelope `env` as bytes: the bytes of
    /// [`Problem::render`]'s body, without building it.
    pub fn to_bytes(&self, env: Envelope, request_id: &str) -> (u16, Vec<u8>) {
        let status = self.status(env);
        let message = self.message();
        let message = message.as_str();
        let code = self.code(env).unwrap_or("");
        let mut out = Vec::with_capacity(96);
        // serializing these structs into a Vec cannot fail
        let _ = match env {
            Envelope::Seed000 => serde_json::to_writer(&mut out, &Seed000 { error: message }),
            Envelope::Seed001 => serde_json::to_writer(
                &mut out,
                &Seed001 {
                    error: Seed001Error {
                        code,
                        message,
                        status,
                    },
                },
            ),
            Envelope::Seed002 => serde_json::to_writer(
                &mut out,
                &Seed002 {
                    code,
                    detail: message,
                    // seed 002: field_errors "present on 400 validation failures only"
                    field_errors: if status == 400 || status == 422 {
                        self.field_errors()
                    } else {
                        None
                    },
                },
            ),
            Envelope::Seed003 => serde_json::to_writer(
                &mut out,
                &Seed003 {
                    code,
                    error: message,
                },
            ),
            Envelope::Seed004 => serde_json::to_writer(
                &mut out,
                &Seed004 {
                    error: Seed004Error {
                        code,
                        details: self.field_errors().unwrap_or_default(),
                        message,
                    },
                    ok: false,
                    request_id,
                },
            ),
        };
        (status, out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every problem (each variant, injected statuses included) in every envelope: the bytes
    /// are those of the `Value` body `render` builds (what clients parsed before).
    #[test]
    fn the_bytes_are_the_rendered_body_for_every_problem_and_envelope() {
        let problems = [
            Problem::MissingKey,
            Problem::InvalidKey,
            Problem::Denied {
                status: 429,
                quota: false,
                required: 1,
                available: 0,
            },
            Problem::Denied {
                status: 429,
                quota: true,
                required: 3,
                available: 2,
            },
            Problem::Denied {
                status: 402,
                quota: true,
                required: 5,
                available: 1,
            },
            Problem::CostOverCapacity { cost: 9, limit: 4 },
            Problem::IdempotencyMismatch,
            Problem::IdempotencyInProgress,
            Problem::BadIdempotencyKey("too \"short\"".into()),
            Problem::PayloadTooLarge { max: 1024 },
            Problem::BodyTimeout,
            Problem::InvalidJson("EOF at line 1 column 1".into()),
            Problem::Ambiguous("`Host` sent more than once".into()),
            Problem::Validation(vec![
                ("cost".into(), "must be a whole number".into()),
                ("cost".into(), "second".into()),
                ("a".into(), "x\ny".into()),
            ]),
            Problem::Validation(vec![]),
            Problem::NotFound,
            Problem::MethodNotAllowed,
            Problem::QueueFull,
            Problem::DeadlineExceeded,
            Problem::Internal,
            Problem::Injected(500),
            Problem::Injected(502),
            Problem::Injected(503),
            Problem::Injected(504),
            Problem::Injected(418),
            Problem::StoreUnavailable(503),
            Problem::StoreUnavailable(500),
        ];
        let envs = [
            Envelope::Seed000,
            Envelope::Seed001,
            Envelope::Seed002,
            Envelope::Seed003,
            Envelope::Seed004,
        ];
        for p in &problems {
            for env in envs {
                let r = p.render(env, "req-\"1\"");
                let (status, bytes) = p.to_bytes(env, "req-\"1\"");
                assert_eq!(status, r.status, "{p:?} {env:?}");
                assert_eq!(
                    String::from_utf8(bytes).unwrap(),
                    r.body.to_string(),
                    "{p:?} {env:?}"
                );
            }
        }
    }
}
