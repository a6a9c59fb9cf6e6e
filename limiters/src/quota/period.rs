//! The calendar periods a quota resets on, and their boundaries in UTC.
//!
//! Day and month are the seed APIs' periods (seed 004's monthly quota). Week and year come from
//! the gateways the lab imports: AWS API Gateway usage plans have `DAY | WEEK | MONTH` quotas
//! (`QuotaSettings.period`), Kong's `rate-limiting` plugin a `year` limit that resets on
//! January 1st (`kong/tools/timestamp.lua`, `get_timestamps`: `month = 1, day = 1`). Weeks start
//! on Sunday 00:00 UTC: the older AWS SDK documentation of `QuotaSettings.offset` says "with a
//! time period of WEEK, an offset of 0 starts on Sunday".

use crate::calendar::{
    civil_from_days, days_from_civil, next_day_start, next_month_start, weekday, SECS_PER_DAY,
};
use crate::LimiterError;
use std::fmt;
use std::str::FromStr;

/// The calendar period a quota resets on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Period {
    /// Every UTC midnight.
    Day,
    /// Every Sunday, 00:00 UTC.
    Week,
    /// Every first of the month, 00:00 UTC.
    Month,
    /// Every January 1st, 00:00 UTC.
    Year,
    /// Never: a one-off credit balance.
    None,
}

const NAMES: &str = "day, week, month, year, none";

impl Period {
    /// The first boundary strictly after Unix second `unix_secs` (`u64::MAX` for `None`).
    ///
    /// ```
    /// use limiters::quota::Period;
    /// // 2024-07-03 (a Wednesday) -> Sunday 2024-07-07; -> 2025-01-01
    /// assert_eq!(Period::Week.next_boundary(1_719_964_800), 1_720_310_400);
    /// assert_eq!(Period::Year.next_boundary(1_719_964_800), 1_735_689_600);
    /// ```
    pub fn next_boundary(self, unix_secs: u64) -> u64 {
        match self {
            Period::Day => next_day_start(unix_secs),
            Period::Week => {
                let days_left = 7 - u64::from(weekday(unix_secs));
                next_day_start(unix_secs).saturating_add((days_left - 1) * SECS_PER_DAY)
            }
            Period::Month => next_month_start(unix_secs),
            Period::Year => {
                let (y, _, _) = civil_from_days((unix_secs / SECS_PER_DAY) as i64);
                let secs = i128::from(days_from_civil(y + 1, 1, 1)) * i128::from(SECS_PER_DAY);
                u64::try_from(secs).unwrap_or(u64::MAX)
            }
            Period::None => u64::MAX,
        }
    }
}

impl FromStr for Period {
    type Err = LimiterError;
    fn from_str(s: &str) -> Result<Period, LimiterError> {
        match s {
            "day" => Ok(Period::Day),
            "week" => Ok(Period::Week),
            "month" => Ok(Period::Month),
            "year" => Ok(Period::Year),
            "none" => Ok(Period::None),
            other => Err(LimiterError::invalid(
                "period",
                format!("unknown period `{other}` (expected one of: {NAMES})"),
            )),
        }
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Period::Day => "day",
            Period::Week => "week",
            Period::Month => "month",
            Period::Year => "year",
            Period::None => "none",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn week_boundaries_are_sundays() {
        // 1970-01-04 was the first Sunday (day 3)
        assert_eq!(Period::Week.next_boundary(0), 3 * SECS_PER_DAY);
        // on a Sunday itself, the next boundary is a week later
        let sunday = 3 * SECS_PER_DAY;
        assert_eq!(Period::Week.next_boundary(sunday), 10 * SECS_PER_DAY);
        assert_eq!(
            Period::Week.next_boundary(sunday - 1),
            sunday,
            "Saturday 23:59:59"
        );
        for t in (0..5_000_000_000u64).step_by(7_777_777) {
            let b = Period::Week.next_boundary(t);
            assert!(
                b > t
                    && b - t <= 7 * SECS_PER_DAY
                    && weekday(b) == 0
                    && b.is_multiple_of(SECS_PER_DAY)
            );
        }
    }

    #[test]
    fn year_boundaries_and_names() {
        assert_eq!(Period::Year.next_boundary(0), 31_536_000); // 1971-01-01
        assert_eq!(Period::Year.next_boundary(951_782_400), 978_307_200); // 2000 -> 2001
        assert_eq!(Period::Year.next_boundary(u64::MAX), u64::MAX);
        for p in [
            Period::Day,
            Period::Week,
            Period::Month,
            Period::Year,
            Period::None,
        ] {
            assert_eq!(p.to_string().parse::<Period>().unwrap(), p);
        }
        let e = "fortnight".parse::<Period>().unwrap_err().to_string();
        assert!(e.contains(NAMES), "{e}");
    }
}
