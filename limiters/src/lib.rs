//! Rate-limit algorithms over integer-nanosecond time.
//!
//! No I/O, no clock reads, no randomness: every call takes `now` as [`Nanos`], so the same code
//! serves the deterministic simulator, live mode and the benchmarks. Each algorithm lives in a
//! file of its own and cites the semantics it follows.

pub mod adaptive;
pub mod atomic;
pub mod calendar;
pub mod concurrency;
mod decision;
mod error;
pub mod fixed_window;
mod gcra;
mod haproxy_rate;
pub mod headers;
pub mod hierarchy;
pub mod keyed;
mod leaky_bucket;
mod limiter;
mod nginx_limit_req;
mod params;
pub mod quota;
mod registry;
mod sliding_counter;
mod sliding_log;
mod stepped_bucket;
mod time;
mod token_bucket;
mod units;

pub use atomic::{AtomicGcra, AtomicTokenBucket};
pub use concurrency::ConcurrencyLimit;
pub use decision::{Decision, Outcome, OutcomeKind};
pub use error::LimiterError;
pub use fixed_window::FixedWindow;
pub use gcra::{Gcra, GcraParams, GcraVerdict};
pub use haproxy_rate::HaproxyRate;
pub use hierarchy::Hierarchy;
pub use keyed::{Keyed, KeyedGcra, ShardedKeyed, ShardedKeyedGcra};
pub use leaky_bucket::LeakyBucket;
pub use limiter::Limiter;
pub use nginx_limit_req::{nginx_rate, NginxLimitReq};
pub use params::{ParamValue, Params};
pub use quota::Quota;
pub use registry::{Entry, Factory, ParamDoc, Registry};
pub use sliding_counter::SlidingCounter;
pub use sliding_log::{SlidingLog, MAX_LOG_LIMIT};
pub use stepped_bucket::{SteppedBucket, MIN_FILL_INTERVAL};
pub use time::Nanos;
pub use token_bucket::{TokenBucket, TokenBucketVerdict};
pub use units::{parse_duration, Rate};

/// The registry entries of every built-in algorithm. Each algorithm module contributes one
/// `pub const ENTRY: Entry`-like function; add yours to this list.
pub(crate) fn builtin_entries() -> Vec<Entry> {
    vec![
        FixedWindow::entry(),
        SlidingLog::entry(),
        SlidingCounter::entry(),
        TokenBucket::entry(),
        Gcra::entry(),
        LeakyBucket::entry(),
        AtomicGcra::entry(),
        AtomicTokenBucket::entry(),
        concurrency::entry(),
        adaptive::aimd_entry(),
        adaptive::gradient_entry(),
        quota::entry(),
        SteppedBucket::entry(),
        nginx_limit_req::entry(),
        haproxy_rate::entry(),
    ]
}
