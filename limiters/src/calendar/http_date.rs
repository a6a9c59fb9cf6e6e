//! HTTP-date (RFC 9110 §5.6.7): IMF-fixdate on output; IMF-fixdate, RFC 850 and asctime on
//! input, as recipients must accept. Built on the civil-date arithmetic of the parent module.

use super::{days_from_civil, is_valid_date, weekday, DateTime};
use thiserror::Error;

/// The largest Unix time with a four-digit year (9999-12-31T23:59:59Z): the last instant an
/// IMF-fixdate can express.
pub const MAX_HTTP_DATE: u64 = 253_402_300_799;

const WEEKDAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const WEEKDAYS_LONG: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// Why an HTTP-date could not be formatted or parsed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum HttpDateError {
    /// Not one of the three formats RFC 9110 §5.6.7 names.
    #[error("not an HTTP-date (expected e.g. `Sun, 06 Nov 1994 08:49:37 GMT`)")]
    Syntax,
    /// Well-formed but naming no real instant (Feb 30, hour 24, ...).
    #[error("no such date or time")]
    OutOfRange,
    /// The weekday does not match the date.
    #[error("weekday does not match the date")]
    WeekdayMismatch,
    /// Before 1970 or after 9999-12-31T23:59:59Z (IMF-fixdate has a four-digit year).
    #[error("outside 1970..=9999")]
    Unrepresentable,
}

/// Format a Unix time as an RFC 9110 IMF-fixdate, e.g. `Sun, 06 Nov 1994 08:49:37 GMT`.
///
/// ```
/// use limiters::calendar::format_http_date;
/// assert_eq!(format_http_date(784_111_777).unwrap(), "Sun, 06 Nov 1994 08:49:37 GMT");
/// assert!(format_http_date(u64::MAX).is_err());
/// ```
pub fn format_http_date(unix_secs: u64) -> Result<String, HttpDateError> {
    if unix_secs > MAX_HTTP_DATE {
        return Err(HttpDateError::Unrepresentable);
    }
    let t = DateTime::from_unix(unix_secs);
    Ok(format!(
        "{}, {:02} {} {:04} {:02}:{:02}:{:02} GMT",
        WEEKDAYS[weekday(unix_secs) as usize],
        t.day,
        MONTHS[(t.month - 1) as usize],
        t.year,
        t.hour,
        t.minute,
        t.second
    ))
}

/// Parse an HTTP-date in any of the three formats RFC 9110 §5.6.7 requires recipients to
/// accept: IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), obsolete RFC 850
/// (`Sunday, 06-Nov-94 08:49:37 GMT`) and ANSI C asctime (`Sun Nov  6 08:49:37 1994`).
///
/// `unix_now` resolves RFC 850's two-digit year as RFC 9110 requires: a year that would be more
/// than 50 years in the future is the most recent past year with the same last two digits. The
/// weekday must match the date; a leap second `:60` is accepted as the next second.
///
/// ```
/// use limiters::calendar::parse_http_date;
/// let now = 1_700_000_000;
/// assert_eq!(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT", now), Ok(784_111_777));
/// assert_eq!(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT", now), Ok(784_111_777));
/// assert_eq!(parse_http_date("Sun Nov  6 08:49:37 1994", now), Ok(784_111_777));
/// assert!(parse_http_date("Mon, 06 Nov 1994 08:49:37 GMT", now).is_err());
/// ```
pub fn parse_http_date(text: &str, unix_now: u64) -> Result<u64, HttpDateError> {
    let t = text.trim_matches([' ', '\t']);
    if !t.is_ascii() {
        return Err(HttpDateError::Syntax);
    }
    let (wday, dt) = if let Some((wd, rest)) = t.split_once(", ") {
        if let Some(i) = WEEKDAYS.iter().position(|w| *w == wd) {
            (i, parse_imf(rest)?)
        } else if let Some(i) = WEEKDAYS_LONG.iter().position(|w| *w == wd) {
            (i, parse_rfc850(rest, unix_now)?)
        } else {
            return Err(HttpDateError::Syntax);
        }
    } else {
        parse_asctime(t)?
    };
    if !is_valid_date(dt.year, dt.month, dt.day) || dt.hour > 23 || dt.minute > 59 {
        return Err(HttpDateError::OutOfRange);
    }
    if dt.second > 60 {
        return Err(HttpDateError::OutOfRange);
    }
    let days = days_from_civil(dt.year, dt.month, dt.day);
    if (days + 4).rem_euclid(7) as usize != wday {
        return Err(HttpDateError::WeekdayMismatch);
    }
    // A four-digit year keeps this within u64; before 1970 is not a Unix time in u64.
    let secs = dt.to_unix().ok_or(HttpDateError::Unrepresentable)?;
    Ok(secs)
}

/// `N` ASCII digits as a number.
fn digits(s: &str, n: usize) -> Result<u32, HttpDateError> {
    if s.len() != n || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(HttpDateError::Syntax);
    }
    s.parse().map_err(|_| HttpDateError::Syntax)
}

fn month(s: &str) -> Result<u32, HttpDateError> {
    MONTHS
        .iter()
        .position(|m| *m == s)
        .map(|i| i as u32 + 1)
        .ok_or(HttpDateError::Syntax)
}

/// `HH:MM:SS` -> (h, m, s), syntax only.
fn time_of_day(s: &str) -> Result<(u32, u32, u32), HttpDateError> {
    let mut it = s.split(':');
    let (Some(h), Some(m), Some(sec), None) = (it.next(), it.next(), it.next(), it.next()) else {
        return Err(HttpDateError::Syntax);
    };
    Ok((digits(h, 2)?, digits(m, 2)?, digits(sec, 2)?))
}

fn datetime(year: i64, month: u32, day: u32, hms: (u32, u32, u32)) -> DateTime {
    DateTime {
        year,
        month,
        day,
        hour: hms.0,
        minute: hms.1,
        second: hms.2,
    }
}

/// `06 Nov 1994 08:49:37 GMT`
fn parse_imf(rest: &str) -> Result<DateTime, HttpDateError> {
    let parts: Vec<&str> = rest.split(' ').collect();
    let [d, mon, y, hms, "GMT"] = parts[..] else {
        return Err(HttpDateError::Syntax);
    };
    Ok(datetime(
        i64::from(digits(y, 4)?),
        month(mon)?,
        digits(d, 2)?,
        time_of_day(hms)?,
    ))
}

/// `06-Nov-94 08:49:37 GMT`, two-digit year resolved against `unix_now` (RFC 9110 §5.6.7).
fn parse_rfc850(rest: &str, unix_now: u64) -> Result<DateTime, HttpDateError> {
    let parts: Vec<&str> = rest.split(' ').collect();
    let [date, hms, "GMT"] = parts[..] else {
        return Err(HttpDateError::Syntax);
    };
    let dparts: Vec<&str> = date.split('-').collect();
    let [d, mon, yy] = dparts[..] else {
        return Err(HttpDateError::Syntax);
    };
    let yy = i64::from(digits(yy, 2)?);
    let this_year = DateTime::from_unix(unix_now).year;
    let century = this_year - this_year.rem_euclid(100);
    let mut year = century + yy;
    if year > this_year + 50 {
        year -= 100;
    }
    Ok(datetime(
        year,
        month(mon)?,
        digits(d, 2)?,
        time_of_day(hms)?,
    ))
}

/// `Sun Nov  6 08:49:37 1994` (day space-padded to two characters); returns the weekday too.
fn parse_asctime(t: &str) -> Result<(usize, DateTime), HttpDateError> {
    // Fixed layout: "www mmm dd hh:mm:ss yyyy", 24 characters.
    if t.len() != 24 {
        return Err(HttpDateError::Syntax);
    }
    let b = t.as_bytes();
    if b[3] != b' ' || b[7] != b' ' || b[10] != b' ' || b[19] != b' ' {
        return Err(HttpDateError::Syntax);
    }
    let wd = WEEKDAYS
        .iter()
        .position(|w| *w == &t[0..3])
        .ok_or(HttpDateError::Syntax)?;
    let day_text = &t[8..10];
    let day = match day_text.strip_prefix(' ') {
        Some(one) => digits(one, 1)?,
        None => digits(day_text, 2)?,
    };
    Ok((
        wd,
        datetime(
            i64::from(digits(&t[20..24], 4)?),
            month(&t[4..7])?,
            day,
            time_of_day(&t[11..19])?,
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn format_then_parse_is_identity(t in 0..=MAX_HTTP_DATE, now in 0..=MAX_HTTP_DATE) {
            let text = format_http_date(t).unwrap();
            proptest::prop_assert_eq!(text.len(), 29);
            proptest::prop_assert_eq!(parse_http_date(&text, now), Ok(t));
        }

        #[test]
        fn arbitrary_text_never_panics(s in "\\PC{0,40}", now in proptest::prelude::any::<u64>()) {
            let _ = parse_http_date(&s, now);
        }
    }

    #[test]
    fn rfc_850_two_digit_years_follow_rfc_9110() {
        // In 2024, "94" is 1994 (2094 would be more than 50 years ahead); "60" is 2060.
        let now = 1_719_792_000;
        assert_eq!(
            parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT", now),
            Ok(784_111_777)
        );
        let t = parse_http_date("Monday, 01-Mar-60 00:00:00 GMT", now).unwrap();
        assert_eq!(DateTime::from_unix(t).year, 2060);
    }

    #[test]
    fn leap_second_and_limits() {
        let now = 1_700_000_000;
        assert_eq!(
            parse_http_date("Sat, 31 Dec 2016 23:59:60 GMT", now),
            Ok(1_483_228_800)
        );
        assert_eq!(
            format_http_date(MAX_HTTP_DATE).unwrap(),
            "Fri, 31 Dec 9999 23:59:59 GMT"
        );
        assert_eq!(
            parse_http_date("Fri, 31 Dec 9999 23:59:59 GMT", now),
            Ok(MAX_HTTP_DATE)
        );
        assert_eq!(
            parse_http_date("Wed, 31 Dec 1969 23:59:59 GMT", now),
            Err(HttpDateError::Unrepresentable)
        );
    }
}
