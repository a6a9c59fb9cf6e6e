//! `check-live`: the same scenario simulated and run live on loopback, figure by figure.
//!
//! A simulator is trusted when it agrees with the real thing. The simulated run is
//! `sim::run` on the scenario shortened to the check's duration; the live run serves the
//! scenario's server part in this process and drives it with the `load` fleet
//! ([`live_side`]), whose clients draw their arrival times from the simulator's own arrival
//! streams (same seed, same schedule) and decide retries with the simulator's retry policies
//! and gates. Both sides produce a `sim::RunResult`; their figures ([`crate::recorded::figures`]) are
//! compared row by row ([`crate::recorded::compare`]).

pub mod cutoff;
pub mod deployment_rows;
pub mod deployment_side;
pub mod live_side;
