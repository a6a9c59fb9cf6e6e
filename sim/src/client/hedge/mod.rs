//! Hedged requests (Dean and Barroso, "The Tail at Scale", CACM 2013; gRPC's `hedgingPolicy`,
//! gRFC A6): the policy as a state machine ([`policy`]), a fleet's configured and run-time
//! hedging ([`fleet`]), and the rounds of copies in the engine ([`rounds`]).

mod fleet;
mod policy;
mod rounds;

pub use fleet::{HedgeConfig, HedgeDelay, HedgeRt, MAX_COPIES, REFRESH_EVERY, WARMUP_SAMPLES};
pub use policy::{hedge_monte_carlo, HedgeAction, HedgeEstimate, HedgePolicy, HedgeState};
