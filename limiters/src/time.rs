//! Simulated and real time as integer nanoseconds.
//!
//! Every limiter takes `now` as an argument instead of reading a clock, so the same code runs in
//! the deterministic simulator (time since scenario start) and in live mode (a monotonic clock
//! converted at the edge). Integers, never `f64`: float time drifts and makes runs
//! non-reproducible across platforms.

use std::fmt;
use std::ops::{Add, AddAssign, Sub};

/// A point in time or a duration, in nanoseconds since an arbitrary origin (scenario start).
///
/// Arithmetic saturates instead of overflowing or panicking: `u64` nanoseconds cover 584 years,
/// so saturation only happens for "never"-like values, where clamping is the right answer.
///
/// ```
/// use limiters::Nanos;
/// assert_eq!(Nanos::from_millis(1500), Nanos::from_secs(1) + Nanos::from_millis(500));
/// assert_eq!(Nanos::from_secs(1) - Nanos::from_secs(2), Nanos::ZERO);
/// assert_eq!(Nanos::from_millis(1500).to_string(), "1.5s");
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Nanos(pub u64);

impl Nanos {
    /// Zero: the scenario start, or no delay.
    pub const ZERO: Nanos = Nanos(0);
    /// The largest representable time.
    pub const MAX: Nanos = Nanos(u64::MAX);
    /// Nanoseconds in one second.
    pub const PER_SEC: u64 = 1_000_000_000;

    /// `n` nanoseconds.
    pub const fn from_nanos(n: u64) -> Nanos {
        Nanos(n)
    }
    /// `us` microseconds (saturating).
    pub const fn from_micros(us: u64) -> Nanos {
        Nanos(us.saturating_mul(1_000))
    }
    /// `ms` milliseconds (saturating).
    pub const fn from_millis(ms: u64) -> Nanos {
        Nanos(ms.saturating_mul(1_000_000))
    }
    /// `s` seconds (saturating).
    pub const fn from_secs(s: u64) -> Nanos {
        Nanos(s.saturating_mul(Self::PER_SEC))
    }
    /// The raw nanosecond count.
    pub const fn as_nanos(self) -> u64 {
        self.0
    }
    /// Whole milliseconds, rounded down.
    pub const fn as_millis(self) -> u64 {
        self.0 / 1_000_000
    }
    /// Whole seconds, rounded down.
    pub const fn as_secs(self) -> u64 {
        self.0 / Self::PER_SEC
    }
    /// Whole seconds, rounded up (what a `Retry-After: <seconds>` header must say so that a
    /// client waiting that long is not rejected again).
    pub const fn as_secs_ceil(self) -> u64 {
        self.0.div_ceil(Self::PER_SEC)
    }
    /// Seconds as `f64`, for display and reporting only; never feed it back into simulation.
    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / Self::PER_SEC as f64
    }
    /// Saturating addition.
    pub const fn saturating_add(self, rhs: Nanos) -> Nanos {
        Nanos(self.0.saturating_add(rhs.0))
    }
    /// Saturating subtraction (zero when `rhs > self`).
    pub const fn saturating_sub(self, rhs: Nanos) -> Nanos {
        Nanos(self.0.saturating_sub(rhs.0))
    }
    /// Checked addition.
    pub const fn checked_add(self, rhs: Nanos) -> Option<Nanos> {
        match self.0.checked_add(rhs.0) {
            Some(v) => Some(Nanos(v)),
            None => None,
        }
    }
    /// Saturating multiplication by an integer.
    pub const fn saturating_mul(self, k: u64) -> Nanos {
        Nanos(self.0.saturating_mul(k))
    }
    /// True for zero.
    pub const fn is_zero(self) -> bool {
        self.0 == 0
    }
}

impl Add for Nanos {
    type Output = Nanos;
    fn add(self, rhs: Nanos) -> Nanos {
        self.saturating_add(rhs)
    }
}

impl AddAssign for Nanos {
    fn add_assign(&mut self, rhs: Nanos) {
        *self = self.saturating_add(rhs);
    }
}

impl Sub for Nanos {
    type Output = Nanos;
    fn sub(self, rhs: Nanos) -> Nanos {
        self.saturating_sub(rhs)
    }
}

impl From<std::time::Duration> for Nanos {
    fn from(d: std::time::Duration) -> Nanos {
        Nanos(u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
    }
}

impl From<Nanos> for std::time::Duration {
    fn from(n: Nanos) -> std::time::Duration {
        std::time::Duration::from_nanos(n.0)
    }
}

impl fmt::Display for Nanos {
    /// Human form with the largest unit that keeps it short: `0s`, `250ms`, `1.5s`, `2m`, `90us`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.0;
        let units: [(u64, &str); 6] = [
            (86_400 * Self::PER_SEC, "d"),
            (3_600 * Self::PER_SEC, "h"),
            (60 * Self::PER_SEC, "m"),
            (Self::PER_SEC, "s"),
            (1_000_000, "ms"),
            (1_000, "us"),
        ];
        if n == 0 {
            return write!(f, "0s");
        }
        for (size, unit) in units {
            if n >= size {
                let whole = n / size;
                let frac = n % size;
                if frac == 0 {
                    return write!(f, "{whole}{unit}");
                }
                // up to 3 decimals, trailing zeros trimmed
                let milli = (frac as u128 * 1000 / size as u128) as u64;
                if milli == 0 {
                    return write!(f, "{whole}{unit}");
                }
                let s = format!("{milli:03}");
                return write!(f, "{whole}.{}{unit}", s.trim_end_matches('0'));
            }
        }
        write!(f, "{n}ns")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_picks_readable_units() {
        assert_eq!(Nanos::ZERO.to_string(), "0s");
        assert_eq!(Nanos::from_millis(250).to_string(), "250ms");
        assert_eq!(Nanos::from_secs(120).to_string(), "2m");
        assert_eq!(Nanos::from_micros(90).to_string(), "90us");
        assert_eq!(Nanos(7).to_string(), "7ns");
    }

    #[test]
    fn secs_ceil_rounds_up_partial_seconds() {
        assert_eq!(Nanos::from_millis(1).as_secs_ceil(), 1);
        assert_eq!(Nanos::from_secs(2).as_secs_ceil(), 2);
        assert_eq!(Nanos::ZERO.as_secs_ceil(), 0);
    }

    #[test]
    fn arithmetic_saturates() {
        assert_eq!(Nanos::MAX + Nanos(1), Nanos::MAX);
        assert_eq!(Nanos(1) - Nanos(2), Nanos::ZERO);
    }
}
