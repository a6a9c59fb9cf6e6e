//! Calendar time without a date crate: UTC civil dates, day and month boundaries, weekdays and
//! the HTTP-date format of RFC 9110 §5.6.7.
//!
//! Why here: quotas reset at calendar boundaries ("50 000 per month", seed 004's
//! `X-Quota-Monthly-Reset: 1719792000`) and headers carry epoch timestamps and HTTP-dates, yet
//! the simulator's clock is [`Nanos`] since scenario start. An [`Epoch`] (the Unix time of the
//! scenario start, always passed in explicitly: nothing here reads a clock) maps one to the
//! other.
//!
//! The day arithmetic is Howard Hinnant's `days_from_civil` / `civil_from_days`
//! ("chrono-Compatible Low-Level Date Algorithms", <https://howardhinnant.github.io/date_algorithms.html>):
//! exact proleptic Gregorian conversions in a handful of integer operations, valid far beyond
//! any `u64` second count.
//!
//! HTTP-dates are formatted and parsed here rather than with the `httpdate` crate: the civil
//! arithmetic is needed anyway for the quota boundaries, formatting on top of it is a few
//! lines, and `httpdate` works through `SystemTime`, whose `UNIX_EPOCH + Duration` panics on
//! overflow for huge `u64` inputs. Here every bad input is a typed [`HttpDateError`].

use crate::Nanos;

/// Seconds in a UTC day (Unix time ignores leap seconds).
pub const SECS_PER_DAY: u64 = 86_400;

mod http_date;
pub use http_date::{format_http_date, parse_http_date, HttpDateError, MAX_HTTP_DATE};

/// Days since 1970-01-01 of the proleptic Gregorian date `y-m-d` (Hinnant's
/// `days_from_civil`). `m` is 1..=12, `d` 1..=31; no validation (see [`is_valid_date`]).
///
/// ```
/// use limiters::calendar::days_from_civil;
/// assert_eq!(days_from_civil(1970, 1, 1), 0);
/// assert_eq!(days_from_civil(2000, 3, 1), 11_017);
/// assert_eq!(days_from_civil(1969, 12, 31), -1);
/// ```
pub const fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400; // [0, 399]
    let mp = (m as i64 + 9) % 12; // March = 0
    let doy = (153 * mp + 2) / 5 + d as i64 - 1; // [0, 365]
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy; // [0, 146096]
    era * 146_097 + doe - 719_468
}

/// The civil date `(year, month 1..=12, day 1..=31)` of `z` days since 1970-01-01 (Hinnant's
/// `civil_from_days`).
///
/// ```
/// use limiters::calendar::civil_from_days;
/// assert_eq!(civil_from_days(0), (1970, 1, 1));
/// assert_eq!(civil_from_days(11_016), (2000, 2, 29));
/// ```
pub const fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097; // [0, 146096]
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // [0, 399]
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // [0, 365]
    let mp = (5 * doy + 2) / 153; // [0, 11]
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32; // [1, 31]
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32; // [1, 12]
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// True for a Gregorian leap year.
pub const fn is_leap_year(y: i64) -> bool {
    y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)
}

/// Days in month `m` (1..=12) of year `y`; 0 for a month out of range.
pub const fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap_year(y) => 29,
        2 => 28,
        _ => 0,
    }
}

/// True when `y-m-d` names a real day.
pub const fn is_valid_date(y: i64, m: u32, d: u32) -> bool {
    m >= 1 && m <= 12 && d >= 1 && d <= days_in_month(y, m)
}

/// A UTC date and time of day, to the second.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DateTime {
    /// Year (four digits for any date an HTTP-date can carry).
    pub year: i64,
    /// Month, 1..=12.
    pub month: u32,
    /// Day of month, 1..=31.
    pub day: u32,
    /// Hour, 0..=23.
    pub hour: u32,
    /// Minute, 0..=59.
    pub minute: u32,
    /// Second, 0..=59.
    pub second: u32,
}

impl DateTime {
    /// The UTC date and time of a Unix time in seconds.
    ///
    /// ```
    /// use limiters::calendar::DateTime;
    /// let t = DateTime::from_unix(1_719_792_000);
    /// assert_eq!((t.year, t.month, t.day, t.hour), (2024, 7, 1, 0));
    /// ```
    pub const fn from_unix(secs: u64) -> DateTime {
        let days = (secs / SECS_PER_DAY) as i64;
        let rem = (secs % SECS_PER_DAY) as u32;
        let (year, month, day) = civil_from_days(days);
        DateTime {
            year,
            month,
            day,
            hour: rem / 3600,
            minute: rem / 60 % 60,
            second: rem % 60,
        }
    }

    /// The Unix time in seconds, or `None` before 1970 or past `u64` seconds.
    pub fn to_unix(&self) -> Option<u64> {
        let days = days_from_civil(self.year, self.month, self.day);
        let secs = i128::from(days) * i128::from(SECS_PER_DAY)
            + i128::from(self.hour) * 3600
            + i128::from(self.minute) * 60
            + i128::from(self.second);
        u64::try_from(secs).ok()
    }
}

/// Day of the week of a Unix time in seconds: 0 = Sunday .. 6 = Saturday.
///
/// ```
/// use limiters::calendar::weekday;
/// assert_eq!(weekday(0), 4); // 1970-01-01 was a Thursday
/// assert_eq!(weekday(784_111_777), 0); // Sun, 06 Nov 1994
/// ```
pub const fn weekday(unix_secs: u64) -> u32 {
    // Days since 1970-01-01 are non-negative here; day 0 was a Thursday (4).
    ((unix_secs / SECS_PER_DAY + 4) % 7) as u32
}

/// Start (00:00:00Z) of the UTC day containing `unix_secs`.
pub const fn day_start(unix_secs: u64) -> u64 {
    unix_secs - unix_secs % SECS_PER_DAY
}

/// Start of the next UTC day (saturating at `u64::MAX`).
pub const fn next_day_start(unix_secs: u64) -> u64 {
    day_start(unix_secs).saturating_add(SECS_PER_DAY)
}

/// Start (1st, 00:00:00Z) of the UTC month containing `unix_secs`.
///
/// ```
/// use limiters::calendar::month_start;
/// assert_eq!(month_start(1_719_792_000 + 12_345), 1_719_792_000); // 2024-07-01
/// ```
pub const fn month_start(unix_secs: u64) -> u64 {
    let (y, m, _) = civil_from_days((unix_secs / SECS_PER_DAY) as i64);
    // Non-negative: the month of a non-negative day starts at or after 1970-01-01.
    days_from_civil(y, m, 1) as u64 * SECS_PER_DAY
}

/// Start of the next UTC month (December rolls over to January of the next year); saturates at
/// `u64::MAX`.
///
/// ```
/// use limiters::calendar::next_month_start;
/// assert_eq!(next_month_start(1_719_791_999), 1_719_792_000); // 2024-06-30T23:59:59 -> 07-01
/// ```
pub fn next_month_start(unix_secs: u64) -> u64 {
    let (y, m, _) = civil_from_days((unix_secs / SECS_PER_DAY) as i64);
    let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    let secs = i128::from(days_from_civil(ny, nm, 1)) * i128::from(SECS_PER_DAY);
    u64::try_from(secs).unwrap_or(u64::MAX)
}

/// A point in time since the Unix epoch, in nanoseconds (covers until the year 2554).
///
/// Distinct from [`Nanos`], which counts from the scenario start: an [`Epoch`] converts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct UnixTime(pub u64);

impl UnixTime {
    /// `secs` seconds after 1970-01-01T00:00:00Z (saturating).
    pub const fn from_secs(secs: u64) -> UnixTime {
        UnixTime(secs.saturating_mul(Nanos::PER_SEC))
    }
    /// Whole seconds, rounded down.
    pub const fn as_secs(self) -> u64 {
        self.0 / Nanos::PER_SEC
    }
    /// Whole milliseconds, rounded down.
    pub const fn as_millis(self) -> u64 {
        self.0 / 1_000_000
    }
    /// Nanoseconds since the Unix epoch.
    pub const fn as_nanos(self) -> u64 {
        self.0
    }
    /// This time plus a duration (saturating).
    pub const fn plus(self, d: Nanos) -> UnixTime {
        UnixTime(self.0.saturating_add(d.as_nanos()))
    }
    /// The duration from `self` until `later`; zero when `later` is not later.
    pub const fn until(self, later: UnixTime) -> Nanos {
        Nanos(later.0.saturating_sub(self.0))
    }
}

/// The Unix time of the scenario start: maps simulated [`Nanos`] to calendar time.
///
/// ```
/// use limiters::calendar::{Epoch, UnixTime};
/// use limiters::Nanos;
/// let e = Epoch::from_unix_secs(1_719_791_990);
/// assert_eq!(e.unix_secs_at(Nanos::from_secs(10)), 1_719_792_000);
/// assert_eq!(e.sim_time_of(1_719_792_000), Nanos::from_secs(10));
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Epoch {
    unix_secs: u64,
}

impl Epoch {
    /// Scenario start at `unix_secs` seconds since 1970-01-01T00:00:00Z.
    pub const fn from_unix_secs(unix_secs: u64) -> Epoch {
        Epoch { unix_secs }
    }
    /// The scenario start in Unix seconds.
    pub const fn unix_secs(&self) -> u64 {
        self.unix_secs
    }
    /// Calendar time at simulated time `now` (saturating).
    pub const fn at(&self, now: Nanos) -> UnixTime {
        UnixTime::from_secs(self.unix_secs).plus(now)
    }
    /// Whole Unix seconds at simulated time `now` (exact, no saturation of the nanoseconds).
    pub const fn unix_secs_at(&self, now: Nanos) -> u64 {
        self.unix_secs.saturating_add(now.as_secs())
    }
    /// The simulated time at which Unix second `unix_secs` begins: zero when it is before the
    /// scenario start, [`Nanos::MAX`] when it is beyond what `Nanos` can hold.
    pub const fn sim_time_of(&self, unix_secs: u64) -> Nanos {
        Nanos::from_secs(unix_secs.saturating_sub(self.unix_secs))
    }
}

#[cfg(test)]
mod tests;
