//! What the server sends back for one attempt: the status and the typed limiter decision
//! (the client reads it in the server's dialect), and every level's decision behind it for
//! clients that read headers.

use limiters::{Decision, Nanos};

/// A response to one attempt, as the server sends it. The typed decision travels instead of
/// header strings; the client interprets it in the server's dialect.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Response {
    /// HTTP status.
    pub status: u16,
    /// The limiter decision behind it (the denying level's on 429/402, the first level's on an
    /// admitted request), if any level was consulted.
    pub decision: Option<Decision>,
    /// True when the limiters admitted the request.
    pub admitted: bool,
    /// True when the backend executed the request.
    pub executed: bool,
    /// Service time the backend spent on it.
    pub work: Nanos,
}

impl Response {
    /// A response no limiter admitted (`decision`: the denying level's).
    pub fn rejected(status: u16, decision: Option<Decision>) -> Response {
        Response {
            status,
            decision,
            admitted: false,
            executed: false,
            work: Nanos::ZERO,
        }
    }
}

/// Every level's decision behind one response and when they were taken (the calendar time
/// their resets count from: a header is rendered at admission, read when it arrives).
#[derive(Clone, Debug, PartialEq)]
pub struct Shown {
    /// When the levels decided.
    pub at: Nanos,
    /// `(level index, decision)` of every level that applied.
    pub levels: Vec<(u16, Decision)>,
}
