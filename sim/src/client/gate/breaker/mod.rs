//! Circuit breakers: stop calling (retrying) while recent calls mostly fail. Resilience4j's
//! breaker with its sliding windows, and the ratio breaker of Brooker's retry simulator.

mod ratio;
mod resilience4j;
mod window;

pub use ratio::{RatioBreaker, RatioBreakerConfig};
pub use resilience4j::{Breaker, BreakerConfig, BreakerState};
pub use window::{CallTotals, CallWindow, WindowKind};
