//! How many requests a run will send, estimated from the scenario alone, so a command can
//! refuse a run that cannot finish in reasonable time before it starts: a file `validate`
//! accepts must not hang. Its memory can be small while its work is not: 1,000 clients at
//! 1,000,000/s each for an hour is 3.6 x 10^12 requests, about four days of CPU at the
//! simulator's 10^7 events a second.
//!
//! The estimate counts first attempts only, each fleet's clients at the highest rate their
//! arrival process reaches over the whole run (an upper bound for on/off, diurnal and piecewise
//! arrivals); retries, hedges and replicas add at most what the retry policy allows on top.
//! A closed loop's cycle is its think time plus a network round trip, the fastest it can go.
//! The arithmetic is integer and saturating.

use crate::model::{Arrival, Scenario};
use limiters::{Nanos, Rate};

/// Requests any command may simulate in one run unless told otherwise (`--max-requests`):
/// about 15 minutes of a release build (measured: 1,000 clients at 10/s for 1,000 s, 10^7 first
/// requests, overrunning a token bucket and retrying its 429s, made 85 M events in 9.7 s), and
/// 300 times the largest shipped scenario (3.6 x 10^6).
pub const DEFAULT_MAX_REQUESTS: u64 = 1_000_000_000;

impl Scenario {
    /// First requests a run of this scenario sends at most, over every fleet (saturating).
    ///
    /// ```
    /// use sim::model::{Arrival, Fleet, Scenario};
    /// use limiters::Nanos;
    /// let mut s = Scenario::new("w");
    /// s.duration = Nanos::from_secs(3_600);
    /// let open = Arrival::Poisson { rate: "1000000/s".parse().unwrap() };
    /// s.fleets.push(Fleet::new("web", 1_000, open));
    /// assert_eq!(s.request_estimate(), 3_600_000_000_000);
    /// let cron = Arrival::Cron { period: Nanos::from_secs(10), offset: Nanos::ZERO };
    /// s.fleets[0] = Fleet::new("cron", 200, cron);
    /// assert_eq!(s.request_estimate(), 200 * 361);
    /// ```
    pub fn request_estimate(&self) -> u64 {
        self.fleets.iter().fold(0u64, |total, f| {
            let per_client = match &f.arrival {
                Arrival::Trace(t) => return total.saturating_add(t.len() as u64),
                arrival => self.per_client(arrival),
            };
            total.saturating_add(per_client.saturating_mul(u64::from(f.count)))
        })
    }

    /// First requests one client of `arrival` sends at most over the run.
    fn per_client(&self, arrival: &Arrival) -> u64 {
        let d = self.duration;
        match arrival {
            Arrival::Poisson { rate }
            | Arrival::Constant { rate }
            | Arrival::OnOff { rate, .. } => over(*rate, d),
            Arrival::Diurnal { low, high, .. } => over(*low, d).max(over(*high, d)),
            Arrival::Piecewise { points } => points
                .iter()
                .filter_map(|(_, r)| r.map(|r| over(r, d)))
                .max()
                .unwrap_or(0),
            Arrival::Cron { period, .. } => (d.0 / period.0.max(1)).saturating_add(1),
            Arrival::Closed { concurrency, think } => {
                let round_trip = self.network.delay.mean().0.saturating_mul(2);
                let cycle = think.mean().0.saturating_add(round_trip).max(1);
                (d.0 / cycle)
                    .saturating_add(1)
                    .saturating_mul(u64::from(*concurrency))
            }
            Arrival::Trace(t) => t.len() as u64,
        }
    }
}

/// Events of `rate` in `d`, rounded up (128-bit: never overflows before the clamp).
fn over(rate: Rate, d: Nanos) -> u64 {
    let n = u128::from(rate.count) * u128::from(d.0);
    let p = u128::from(rate.period.0.max(1));
    u64::try_from(n.div_ceil(p)).unwrap_or(u64::MAX)
}

/// `Ok` when `requests` is within `limit`, else a sentence naming the estimate and how to
/// lower it or raise the limit.
pub fn within(requests: u64, limit: u64) -> Result<(), String> {
    if requests <= limit {
        return Ok(());
    }
    Err(format!(
        "a run sends about {} first requests (clients x arrival rate x duration, retries not \
         counted), more than the limit of {}: a run that size takes hours; use fewer clients, \
         a lower rate or a shorter `duration`, or raise the limit with --max-requests",
        Count(requests),
        Count(limit)
    ))
}

/// A count with a metric suffix, three significant digits (`3.60 T`, `1.00 G`, `72.2 k`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Count(pub u64);

impl std::fmt::Display for Count {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        const UNITS: [(u64, &str); 5] = [
            (1_000_000_000_000_000, "P"),
            (1_000_000_000_000, "T"),
            (1_000_000_000, "G"),
            (1_000_000, "M"),
            (1_000, "k"),
        ];
        match UNITS.iter().find(|(u, _)| self.0 >= *u) {
            None => write!(f, "{}", self.0),
            Some(&(u, s)) => {
                // hundredths of the unit, integer: 3,600,000,000,000 -> 360 -> "3.60 T"
                let h = u128::from(self.0) * 100 / u128::from(u);
                match h {
                    0..=999 => write!(f, "{}.{:02} {s}", h / 100, h % 100),
                    1_000..=9_999 => write!(f, "{}.{} {s}", h / 100, (h % 100) / 10),
                    _ => write!(f, "{} {s}", h / 100),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Distribution, Fleet};

    fn scenario(secs: u64, fleet: Fleet) -> Scenario {
        let mut s = Scenario::new("t");
        s.duration = Nanos::from_secs(secs);
        s.fleets.push(fleet);
        s
    }

    #[test]
    fn counts_read_with_three_figures() {
        assert_eq!(Count(999).to_string(), "999");
        assert_eq!(Count(72_200).to_string(), "72.2 k");
        assert_eq!(Count(1_000_000_000).to_string(), "1.00 G");
        assert_eq!(Count(3_600_000_000_000).to_string(), "3.60 T");
        assert_eq!(Count(36_000_000_000).to_string(), "36.0 G");
        assert_eq!(Count(360_000_000_000).to_string(), "360 G");
        assert_eq!(Count(u64::MAX).to_string(), "18446 P");
    }

    #[test]
    fn a_closed_loop_cycles_at_most_once_per_think_and_round_trip() {
        let think = Distribution::Constant(Nanos::from_millis(8));
        let closed = Arrival::Closed {
            concurrency: 4,
            think,
        };
        let mut s = scenario(10, Fleet::new("c", 3, closed));
        s.network.delay = Distribution::Constant(Nanos::from_millis(1));
        // 10 s / 10 ms = 1,000 cycles (+1) x 4 workers x 3 clients
        assert_eq!(s.request_estimate(), 1_001 * 4 * 3);
    }

    #[test]
    fn the_highest_rate_of_a_varying_process_bounds_it() {
        let diurnal = Arrival::Diurnal {
            low: "1/s".parse().unwrap(),
            high: "10/s".parse().unwrap(),
            period: Nanos::from_secs(60),
        };
        assert_eq!(
            scenario(60, Fleet::new("d", 2, diurnal)).request_estimate(),
            1_200
        );
    }

    #[test]
    fn huge_values_saturate_instead_of_overflowing() {
        let open = Arrival::Poisson {
            rate: "1000000000/s".parse().unwrap(),
        };
        let s = scenario(u64::MAX / 1_000_000_000, Fleet::new("x", u32::MAX, open));
        assert_eq!(s.request_estimate(), u64::MAX);
        assert!(within(u64::MAX, DEFAULT_MAX_REQUESTS)
            .unwrap_err()
            .contains("--max-requests"));
        assert!(within(DEFAULT_MAX_REQUESTS, DEFAULT_MAX_REQUESTS).is_ok());
    }
}
