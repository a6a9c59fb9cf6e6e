//! Log timestamps to integer nanoseconds since the Unix epoch, without floating point and
//! without a clock: the replay's time is the log's own, so that the same log gives the same
//! answer anywhere.
//!
//! The shapes real access logs write:
//! - nginx `$time_local` and Apache `%t`: `10/Oct/2000:13:55:36 -0700` (common log format);
//! - ISO 8601 / RFC 3339: nginx `$time_iso8601` (`2000-10-10T13:55:36-07:00`), Envoy's
//!   `%START_TIME%` (`2016-04-15T20:17:00.310Z`), AWS ALB's `time` and `request_creation_time`
//!   (`2018-07-02T22:23:00.186641Z`), JSON loggers;
//! - decimal Unix seconds: nginx `$msec` (`1700000000.123`), JSON loggers' epoch numbers;
//! - CloudFront's `date` and `time` columns (`2019-12-04`, `21:02:31`, UTC).
//!
//! Days from a civil date follow Howard Hinnant's `days_from_civil`
//! (<https://howardhinnant.github.io/date_algorithms.html#days_from_civil>).

/// Nanoseconds since 1970-01-01T00:00:00Z.
pub type UnixNanos = u64;

const NS: i64 = 1_000_000_000;

/// Days since 1970-01-01 of a proleptic Gregorian date.
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date of a day count since 1970-01-01 (Hinnant's `civil_from_days`).
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (
        if m <= 2 {
            yoe + era * 400 + 1
        } else {
            yoe + era * 400
        },
        m,
        d,
    )
}

/// `t` as RFC 3339 UTC with milliseconds, `2023-11-14T22:13:20.000Z`.
pub fn format_utc(t: UnixNanos) -> String {
    let secs = (t / 1_000_000_000) as i64;
    let ms = (t % 1_000_000_000) / 1_000_000;
    let (y, mo, d) = civil_from_days(secs.div_euclid(86_400));
    let s = secs.rem_euclid(86_400);
    format!(
        "{y:04}-{mo:02}-{d:02}T{:02}:{:02}:{:02}.{ms:03}Z",
        s / 3600,
        s / 60 % 60,
        s % 60
    )
}

fn digits(s: &[u8]) -> Option<u32> {
    if s.is_empty() || !s.iter().all(u8::is_ascii_digit) {
        return None;
    }
    s.iter().try_fold(0u32, |acc, &b| {
        acc.checked_mul(10)?.checked_add(u32::from(b - b'0'))
    })
}

/// Nanoseconds of a fraction's digits (`"186641"` -> 186,641,000); more than 9 digits are cut.
fn fraction(s: &[u8]) -> Option<i64> {
    if s.is_empty() || !s.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let mut ns = 0i64;
    for i in 0..9 {
        ns = ns * 10 + s.get(i).map_or(0, |&b| i64::from(b - b'0'));
    }
    Some(ns)
}

fn month(s: &[u8]) -> Option<u32> {
    const NAMES: [&[u8; 3]; 12] = [
        b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov",
        b"Dec",
    ];
    NAMES.iter().position(|n| n[..] == *s).map(|i| i as u32 + 1)
}

fn civil(y: u32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> Option<i64> {
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || s > 60 {
        return None;
    }
    let days = days_from_civil(i64::from(y), mo, d);
    Some(((days * 24 + i64::from(h)) * 60 + i64::from(mi)) * 60 + i64::from(s))
}

fn to_unix(secs: i64, frac_ns: i64) -> Option<UnixNanos> {
    let ns = secs.checked_mul(NS)?.checked_add(frac_ns)?;
    u64::try_from(ns).ok()
}

/// A UTC offset `+0600`, `-07:00` or `Z`, in seconds east of UTC.
fn offset(s: &[u8]) -> Option<i64> {
    if s == b"Z" || s == b"z" {
        return Some(0);
    }
    let (sign, rest) = match s.first()? {
        b'+' => (1, &s[1..]),
        b'-' => (-1, &s[1..]),
        _ => return None,
    };
    let (h, m) = match rest.len() {
        4 => (digits(&rest[..2])?, digits(&rest[2..])?),
        5 if rest[2] == b':' => (digits(&rest[..2])?, digits(&rest[3..])?),
        _ => return None,
    };
    if h > 23 || m > 59 {
        return None;
    }
    Some(sign * i64::from(h * 3600 + m * 60))
}

/// Common log format time, `10/Oct/2000:13:55:36 -0700` (nginx `$time_local`, Apache `%t`).
pub fn parse_clf(s: &str) -> Option<UnixNanos> {
    let b = s.as_bytes();
    if b.len() != 26 || b[2] != b'/' || b[6] != b'/' || b[11] != b':' || b[20] != b' ' {
        return None;
    }
    let secs = civil(
        digits(&b[7..11])?,
        month(&b[3..6])?,
        digits(&b[0..2])?,
        digits(&b[12..14])?,
        digits(&b[15..17])?,
        digits(&b[18..20])?,
    )?;
    to_unix(secs - offset(&b[21..])?, 0)
}

/// ISO 8601 / RFC 3339 date-time with an optional fraction and an offset (`Z`, `+06:00`,
/// `+0600`); a time without an offset is read as UTC (CloudFront, many JSON loggers). A space
/// may stand for the `T`.
pub fn parse_iso8601(s: &str) -> Option<UnixNanos> {
    let b = s.as_bytes();
    if b.len() < 19 || b[4] != b'-' || b[7] != b'-' || b[13] != b':' || b[16] != b':' {
        return None;
    }
    if b[10] != b'T' && b[10] != b' ' && b[10] != b't' {
        return None;
    }
    let secs = civil(
        digits(&b[0..4])?,
        digits(&b[5..7])?,
        digits(&b[8..10])?,
        digits(&b[11..13])?,
        digits(&b[14..16])?,
        digits(&b[17..19])?,
    )?;
    let mut rest = &b[19..];
    let mut frac = 0;
    if let Some(b'.' | b',') = rest.first() {
        let end = rest[1..]
            .iter()
            .position(|c| !c.is_ascii_digit())
            .map_or(rest.len(), |p| p + 1);
        frac = fraction(&rest[1..end])?;
        rest = &rest[end..];
    }
    let off = if rest.is_empty() { 0 } else { offset(rest)? };
    to_unix(secs - off, frac)
}

/// Decimal Unix seconds, `1700000000.123` (nginx `$msec`), read digit by digit (no `f64`).
pub fn parse_epoch_secs(s: &str) -> Option<UnixNanos> {
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) => (i, fraction(f.as_bytes())?),
        None => (s, 0),
    };
    if int.is_empty() || int.len() > 11 || !int.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    to_unix(int.parse::<i64>().ok()?, frac)
}

/// Any of the shapes above (for JSON fields, whose loggers differ): ISO 8601, then CLF, then
/// decimal seconds.
pub fn parse_any(s: &str) -> Option<UnixNanos> {
    parse_iso8601(s)
        .or_else(|| parse_clf(s))
        .or_else(|| parse_epoch_secs(s))
}

#[cfg(test)]
mod tests {
    use super::*;

    // Reference values from `date -u -d ... +%s%N`.
    #[test]
    fn clf_with_offset() {
        assert_eq!(
            parse_clf("10/Oct/2000:13:55:36 -0700"),
            Some(971_211_336_000_000_000)
        );
        assert_eq!(
            parse_clf("10/Oct/2000:20:55:36 +0000"),
            parse_clf("10/Oct/2000:13:55:36 -0700")
        );
        assert_eq!(parse_clf("10/Foo/2000:13:55:36 -0700"), None);
        assert_eq!(parse_clf("10/Oct/2000:25:55:36 -0700"), None);
    }

    #[test]
    fn iso8601_fractions_and_offsets() {
        assert_eq!(
            parse_iso8601("2018-07-02T22:23:00.186641Z"),
            Some(1_530_570_180_186_641_000)
        );
        assert_eq!(
            parse_iso8601("2016-04-15T20:17:00.310Z"),
            Some(1_460_751_420_310_000_000)
        );
        assert_eq!(
            parse_iso8601("2000-10-10T13:55:36-07:00"),
            parse_clf("10/Oct/2000:13:55:36 -0700")
        );
        assert_eq!(
            parse_iso8601("2019-12-04 21:02:31"),
            Some(1_575_493_351_000_000_000)
        );
        assert_eq!(parse_iso8601("2019-12-04T21:02:31+25:00"), None);
        assert_eq!(parse_iso8601("2019-13-04T21:02:31Z"), None);
    }

    #[test]
    fn epoch_seconds_without_floats() {
        assert_eq!(
            parse_epoch_secs("1700000000.123"),
            Some(1_700_000_000_123_000_000)
        );
        assert_eq!(
            parse_epoch_secs("1700000000"),
            Some(1_700_000_000_000_000_000)
        );
        // 0.1 is not representable in binary; digit-wise it is exact.
        assert_eq!(parse_epoch_secs("0.1"), Some(100_000_000));
        assert_eq!(parse_epoch_secs("-1"), None);
        assert_eq!(parse_epoch_secs("1e9"), None);
    }

    #[test]
    fn formats_back_what_it_parses() {
        for t in [
            "2018-07-02T22:23:00.186Z",
            "2000-02-29T00:00:00.000Z",
            "1970-01-01T00:00:00.000Z",
        ] {
            assert_eq!(format_utc(parse_iso8601(t).unwrap()), t);
        }
        for z in [-1, 0, 11_017, 19_675, 60_000] {
            let (y, m, d) = civil_from_days(z);
            assert_eq!(days_from_civil(y, m, d), z);
        }
    }

    #[test]
    fn days_from_civil_known_dates() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        assert_eq!(days_from_civil(1969, 12, 31), -1);
    }
}
