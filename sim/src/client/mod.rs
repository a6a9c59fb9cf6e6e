//! Client fleets: arrival processes, identities (keys, tenants), per-client state, logical
//! requests in flight, how responses are read, and the client side of the way of one request
//! (send, time out, hedge, read the response, ask the retry policy, retry or give up).

mod arrival;
mod flow;
mod headers;
mod hedge;
mod identity;
mod request;
mod state;

pub use arrival::trace::{originals, Trace};
pub use arrival::ArrivalGen;
pub use headers::{interpret, Hints};
pub use identity::{IdSpaces, Identity};
pub use request::{Request, Requests};
pub use state::{ClientState, FleetRt};
