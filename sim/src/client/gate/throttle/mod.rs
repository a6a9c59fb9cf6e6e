//! Client-side throttling: the client slows itself down from what it sees, before the server
//! has to refuse. The SRE book's adaptive throttling and the AWS SDKs' adaptive retry mode
//! (a token bucket whose rate follows CUBIC).

mod aws_adaptive;
mod cubic;
mod sre;

pub use aws_adaptive::{
    AdaptiveConfig, AdaptiveRateLimiter, RateClocker, SdkTokenBucket, MIN_FILL_RATE, SMOOTHING,
};
pub use cubic::{Cubic, CUBIC_BETA, CUBIC_SCALE};
pub use sre::{sre_reject_probability, SreThrottle, SreThrottleConfig};
