//! Thread-safe, lock-free limiters for live mode and contended benchmarks.
//!
//! Why these two: GCRA keeps its whole state in one number (the theoretical arrival time), so a
//! single `AtomicU64` updated by a compare-exchange loop is a correct concurrent limiter — the
//! design of the `governor` crate. A token bucket is the same thing seen from the token axis
//! (the bucket is full at the TAT and loses one token's worth of time per `T`), so
//! [`AtomicTokenBucket`] shares the core and reports tokens.
//!
//! Both take `&self`, are `Send + Sync`, and decide exactly like [`crate::Gcra`] and
//! [`crate::TokenBucket`] for a non-decreasing `now`. One difference: they keep no "latest time
//! seen" (that would need a second atomic word). Threads racing each other present slightly
//! out-of-order `now`s; an earlier `now` is judged at face value, which can only deny more
//! (the TAT never moves backwards, and every call, a "never" denial included, leaves it at or after
//! its `now`), never create capacity.

pub(crate) mod core;
mod gcra;
mod token_bucket;

pub use gcra::AtomicGcra;
pub use token_bucket::AtomicTokenBucket;
