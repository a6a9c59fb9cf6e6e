//! Client fleets: arrival processes, identities (keys, tenants), per-client state, logical
//! requests in flight, how responses are read, and the client side of the way of one request
//! (send, time out, hedge, read the response, ask the retry policy, retry or give up).
//!
//! The client-side strategies live here too: the [`gate`]s a client asks before it sends
//! (retry budgets, circuit breakers, client-side throttling), [`hedge`]d requests, and
//! [`HeaderClient`]s that read the server's rate-limit headers. [`catalog`] lists them all
//! for `throttlelab list`.

mod arrival;
pub mod catalog;
mod flow;
pub mod gate;
mod header_client;
mod headers;
pub mod hedge;
mod identity;
mod request;
mod state;

pub use arrival::trace::{originals, Trace};
pub use arrival::ArrivalGen;
pub use header_client::{HeaderClient, HeaderReading, HeaderSource};
pub use headers::{interpret, Hints};
pub use identity::{IdSpaces, Identity};
pub use request::{Request, Requests};
pub use state::{ClientState, FleetRt};
