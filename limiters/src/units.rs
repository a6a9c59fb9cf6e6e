//! Human units used in scenario files and limiter parameters: durations (`"250ms"`, `"1m"`) and
//! rates (`"500/s"`, `"60/min"`, `"100000/day"`, `"5/250ms"`).
//!
//! Parsing lives here, beside the algorithms, so the simulator, the CLI and live mode all accept
//! exactly the same spellings and reject the same impossible values (zero rate, zero period).

use crate::{LimiterError, Nanos};
use std::fmt;
use std::str::FromStr;

/// Parse a duration such as `"250ms"`, `"1.5s"`, `"1m"`, `"2h"`, `"1d"`, `"10us"`, `"0s"`.
///
/// Units: `ns`, `us`, `ms`, `s`, `m`/`min`, `h`, `d`. A bare number is rejected: a unit is
/// always required, because `"60"` is ambiguous (seconds? milliseconds?).
///
/// ```
/// use limiters::{parse_duration, Nanos};
/// assert_eq!(parse_duration("250ms").unwrap(), Nanos::from_millis(250));
/// assert_eq!(parse_duration("1.5s").unwrap(), Nanos::from_millis(1500));
/// assert!(parse_duration("-1s").is_err());
/// assert!(parse_duration("60").is_err());
/// ```
pub fn parse_duration(text: &str) -> Result<Nanos, LimiterError> {
    let bad = |reason: &str| LimiterError::BadUnit {
        text: text.to_string(),
        reason: reason.to_string(),
    };
    let t = text.trim();
    if t.starts_with('-') {
        return Err(bad("a duration cannot be negative"));
    }
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .ok_or_else(|| bad("expected a number followed by a unit (ns, us, ms, s, m, h, d)"))?;
    let (num, unit) = t.split_at(split);
    let unit_nanos: u64 = match unit.trim() {
        "ns" => 1,
        "us" | "µs" => 1_000,
        "ms" => 1_000_000,
        "s" | "sec" => Nanos::PER_SEC,
        "m" | "min" => 60 * Nanos::PER_SEC,
        "h" => 3_600 * Nanos::PER_SEC,
        "d" | "day" => 86_400 * Nanos::PER_SEC,
        other => {
            return Err(bad(&format!(
                "unknown unit `{other}` (expected ns, us, ms, s, m, h or d)"
            )))
        }
    };
    scale_decimal(num, unit_nanos)
        .map(Nanos)
        .ok_or_else(|| bad("expected a non-negative decimal number that fits in 584 years"))
}

/// `num` (a decimal such as `1.25`) times `unit`, exactly, in integers.
fn scale_decimal(num: &str, unit: u64) -> Option<u64> {
    let (int_part, frac_part) = match num.split_once('.') {
        Some((i, f)) => (i, f),
        None => (num, ""),
    };
    if int_part.is_empty() && frac_part.is_empty() {
        return None;
    }
    let int: u64 = if int_part.is_empty() {
        0
    } else {
        int_part.parse().ok()?
    };
    let mut total = int.checked_mul(unit)?;
    if !frac_part.is_empty() {
        if frac_part.len() > 18 || !frac_part.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let frac: u128 = frac_part.parse().ok()?;
        let denom = 10u128.pow(frac_part.len() as u32);
        let extra = frac * unit as u128 / denom;
        total = total.checked_add(u64::try_from(extra).ok()?)?;
    }
    Some(total)
}

/// A rate: `count` events per `period`. Kept as the exact pair (never a float) so that
/// `"60/min"` and `"1/s"` are the same rate without rounding error.
///
/// ```
/// use limiters::{Nanos, Rate};
/// let r: Rate = "60/min".parse().unwrap();
/// assert_eq!(r.interval(), Nanos::from_secs(1));
/// assert_eq!(r.per_sec(), 1.0);
/// assert!("0/s".parse::<Rate>().is_err());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Rate {
    /// Events per period; never zero.
    pub count: u64,
    /// The period; never zero.
    pub period: Nanos,
}

impl Rate {
    /// A validated rate. Zero count or zero period is an error.
    pub fn new(count: u64, period: Nanos) -> Result<Rate, LimiterError> {
        if count == 0 {
            return Err(LimiterError::BadUnit {
                text: format!("{count}/{period}"),
                reason: "a rate must allow at least one request per period".into(),
            });
        }
        if period.is_zero() {
            return Err(LimiterError::BadUnit {
                text: format!("{count}/{period}"),
                reason: "a rate's period must be longer than zero".into(),
            });
        }
        Ok(Rate { count, period })
    }
    /// `n` per second.
    pub fn per_second(n: u64) -> Result<Rate, LimiterError> {
        Rate::new(n, Nanos::from_secs(1))
    }
    /// Time between two events at this rate, rounded down to a nanosecond (at least 1 ns).
    pub fn interval(&self) -> Nanos {
        Nanos((self.period.0 / self.count).max(1))
    }
    /// Events per second as a float, for display and reporting only.
    pub fn per_sec(&self) -> f64 {
        self.count as f64 * Nanos::PER_SEC as f64 / self.period.0 as f64
    }
    /// How many whole events this rate allows in `elapsed` (floor), without overflow.
    pub fn events_in(&self, elapsed: Nanos) -> u64 {
        let v = elapsed.0 as u128 * self.count as u128 / self.period.0 as u128;
        u64::try_from(v).unwrap_or(u64::MAX)
    }
    /// The time needed to accumulate `events` (ceiling), without overflow.
    pub fn time_for(&self, events: u64) -> Nanos {
        let v = (events as u128 * self.period.0 as u128).div_ceil(self.count as u128);
        Nanos(u64::try_from(v).unwrap_or(u64::MAX))
    }
}

impl FromStr for Rate {
    type Err = LimiterError;
    /// `"<count>/<unit or duration>"`: `500/s`, `60/min`, `100000/day`, `5/250ms`, `1000/1m`.
    fn from_str(text: &str) -> Result<Rate, LimiterError> {
        let bad = |reason: &str| LimiterError::BadUnit {
            text: text.to_string(),
            reason: reason.to_string(),
        };
        let (count, per) = text
            .trim()
            .split_once('/')
            .ok_or_else(|| bad("expected `<count>/<period>`, e.g. `500/s` or `60/min`"))?;
        let count: u64 = count
            .trim()
            .replace('_', "")
            .parse()
            .map_err(|_| bad("the count before `/` must be a whole non-negative number"))?;
        let per = per.trim();
        let starts_with_digit = per.chars().next().is_some_and(|c| c.is_ascii_digit());
        let period = if starts_with_digit {
            parse_duration(per)?
        } else {
            parse_duration(&format!("1{per}"))?
        };
        Rate::new(count, period).map_err(|e| match e {
            LimiterError::BadUnit { reason, .. } => bad(&reason),
            other => other,
        })
    }
}

impl fmt::Display for Rate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let p = self.period;
        let unit = match p.0 {
            x if x == Nanos::PER_SEC => "s".to_string(),
            x if x == 60 * Nanos::PER_SEC => "min".to_string(),
            x if x == 3_600 * Nanos::PER_SEC => "h".to_string(),
            x if x == 86_400 * Nanos::PER_SEC => "day".to_string(),
            _ => p.to_string(),
        };
        write!(f, "{}/{}", self.count, unit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse_in_every_unit() {
        assert_eq!(parse_duration("10ns").unwrap(), Nanos(10));
        assert_eq!(parse_duration("10us").unwrap(), Nanos::from_micros(10));
        assert_eq!(parse_duration("1m").unwrap(), Nanos::from_secs(60));
        assert_eq!(parse_duration("1min").unwrap(), Nanos::from_secs(60));
        assert_eq!(parse_duration("2h").unwrap(), Nanos::from_secs(7200));
        assert_eq!(parse_duration("1d").unwrap(), Nanos::from_secs(86_400));
        assert_eq!(parse_duration("0.25s").unwrap(), Nanos::from_millis(250));
        assert_eq!(parse_duration("0s").unwrap(), Nanos::ZERO);
    }

    #[test]
    fn bad_durations_are_errors_not_panics() {
        for t in [
            "",
            "s",
            "1",
            "-5s",
            "1.2.3s",
            "1x",
            "99999999999999999999s",
            ".s",
            "1e3s",
        ] {
            assert!(parse_duration(t).is_err(), "{t:?} should be rejected");
        }
    }

    #[test]
    fn rates_parse_and_keep_exact_ratio() {
        let r: Rate = "500/s".parse().unwrap();
        assert_eq!((r.count, r.period), (500, Nanos::from_secs(1)));
        let r: Rate = "100000/day".parse().unwrap();
        assert_eq!(r.period, Nanos::from_secs(86_400));
        let r: Rate = "5/250ms".parse().unwrap();
        assert_eq!(r.interval(), Nanos::from_millis(50));
        assert_eq!(r.to_string(), "5/250ms");
        assert_eq!("60/min".parse::<Rate>().unwrap().to_string(), "60/min");
    }

    #[test]
    fn zero_and_malformed_rates_are_rejected() {
        for t in ["0/s", "5/0s", "5", "x/s", "5/parsec", "-5/s", "/s"] {
            assert!(t.parse::<Rate>().is_err(), "{t:?} should be rejected");
        }
    }

    #[test]
    fn events_and_time_round_consistently() {
        let r: Rate = "3/s".parse().unwrap();
        assert_eq!(r.events_in(Nanos::from_secs(1)), 3);
        assert_eq!(r.events_in(r.time_for(2)), 2);
        assert_eq!(r.time_for(1), Nanos(333_333_334));
    }
}
