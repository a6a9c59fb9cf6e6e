//! Idempotency keys on the server's side (seeds 002 and 004; Stripe's `Idempotency-Key`; IETF
//! draft-ietf-httpapi-idempotency-key-header): the store ([`store`]) and how the simulated
//! server consults it before its limiters ([`replay`]).

mod replay;
mod store;

pub use replay::{body_changed, body_salt, IdemServer, IDEM_CAPACITY, IDEM_TTL};
pub use store::{IdemKey, IdemLookup, IdempotencyStore};
