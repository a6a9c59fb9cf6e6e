//! The engine: the event queue, the event enum, the random streams and the samplers. The world
//! (`crate::run`) owns an [`EventQueue`], pops events in `(time, sequence)` order and matches on
//! [`Event`]; there is no other control flow, no threads and no clock.

mod crn;
mod event;
mod queue;
mod rng;
mod sample;

pub use crn::{AttemptId, Crn};
pub use event::Event;
pub use queue::EventQueue;
pub use rng::{mix64, name_hash, Purpose, Stream};
pub use sample::{lognormal_params, to_ns, Sampler};
mod trace;
mod warm;
mod world;

pub use trace::{TraceEvent, TraceKind};

pub use world::Progress;
pub(crate) use world::World;
