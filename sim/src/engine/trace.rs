//! An optional trace of what each client saw, for tests, debugging and small demos. Off by
//! default (one `Option` check per step); a traced run of a large scenario holds every step in
//! memory.

use crate::retry::GiveUpReason;
use limiters::Nanos;
use serde::Serialize;

/// What happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TraceKind {
    /// A new logical request.
    Arrival,
    /// An attempt was sent (1 = first).
    Attempt {
        /// Attempt number.
        n: u32,
    },
    /// A hedging client sent another copy of the attempt in flight.
    Hedge {
        /// The copy's number within its round (2 = the first hedge).
        n: u32,
    },
    /// A response reached the client.
    Response {
        /// Its status.
        status: u16,
    },
    /// The client's attempt timeout fired.
    Timeout,
    /// The logical request succeeded.
    Success {
        /// Its latency in ns: first send to the final response, retry waits included (what
        /// the recorder's latency histograms count).
        latency_ns: u64,
    },
    /// The logical request was given up.
    GiveUp {
        /// Why.
        reason: GiveUpReason,
    },
}

/// One step of one client.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct TraceEvent {
    /// When.
    #[serde(serialize_with = "as_nanos")]
    pub at: Nanos,
    /// Fleet index (scenario order).
    pub fleet: u16,
    /// Client index within its fleet.
    pub client: u32,
    /// What.
    pub kind: TraceKind,
}

fn as_nanos<S: serde::Serializer>(n: &Nanos, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u64(n.0)
}
