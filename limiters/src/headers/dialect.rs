//! The names of the header dialects, the `Retry-After` forms and the ways a client may read a
//! `Reset` value, as written in scenario files (`dialect = "x-ratelimit-epoch"`).

use super::HeaderError;
use std::fmt;
use std::str::FromStr;

/// Generates a closed name <-> variant enum with `FromStr` (errors list the valid names),
/// `Display` and `ALL`.
macro_rules! named_enum {
    ($(#[$meta:meta])* $name:ident, $what:literal, { $($(#[$vmeta:meta])* $variant:ident => $text:literal,)+ }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
        }

        impl $name {
            /// Every variant, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];

            /// The name as written in scenario files.
            pub const fn name(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)+
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.name())
            }
        }

        impl FromStr for $name {
            type Err = HeaderError;
            fn from_str(s: &str) -> Result<$name, HeaderError> {
                $name::ALL
                    .iter()
                    .copied()
                    .find(|v| v.name() == s.trim())
                    .ok_or_else(|| HeaderError::UnknownName {
                        what: $what,
                        given: super::error::clip(s),
                        expected: $name::ALL
                            .iter()
                            .map(|v| v.name())
                            .collect::<Vec<_>>()
                            .join(", "),
                    })
            }
        }
    };
}

named_enum!(
    /// Which rate-limit header fields a server sends.
    ///
    /// ```
    /// use limiters::headers::Dialect;
    /// let d: Dialect = "x-ratelimit-epoch".parse().unwrap();
    /// assert_eq!(d, Dialect::XRateLimitEpoch);
    /// assert_eq!(d.to_string(), "x-ratelimit-epoch");
    /// let e = "x-ratelimit".parse::<Dialect>().unwrap_err().to_string();
    /// assert!(e.contains("x-ratelimit-delta, x-ratelimit-epoch"), "{e}");
    /// ```
    Dialect, "header dialect", {
        /// `X-RateLimit-Limit/Remaining/Reset`, Reset = seconds until reset (seed 004).
        XRateLimitDelta => "x-ratelimit-delta",
        /// `X-RateLimit-*`, Reset = Unix epoch seconds at reset (seeds 002, 003; GitHub).
        XRateLimitEpoch => "x-ratelimit-epoch",
        /// `X-RateLimit-*`, Reset = Unix epoch milliseconds at reset (as some APIs send it).
        XRateLimitEpochMs => "x-ratelimit-epoch-ms",
        /// IETF `RateLimit-Policy: "default";q=100;w=60` and `RateLimit: "default";r=50;t=30`
        /// (draft-ietf-httpapi-ratelimit-headers-08 to -10, structured fields, RFC 9651).
        Ietf => "ietf",
        /// IETF draft-07: `RateLimit-Policy: 100;w=60`, `RateLimit: limit=100, remaining=50, reset=30`.
        IetfDraft07 => "ietf-draft07",
        /// Seed 004's `X-Quota-Monthly-Limit/Remaining/Reset`, Reset = epoch seconds at rollover.
        XQuotaMonthly => "x-quota-monthly",
    }
);

named_enum!(
    /// The form of `Retry-After` on a denial (RFC 9110 §10.2.3).
    RetryAfterFormat, "retry_after format", {
        /// `Retry-After: 30`, delay-seconds rounded up.
        Seconds => "seconds",
        /// `Retry-After: Sun, 06 Nov 1994 08:49:37 GMT`, an IMF-fixdate rounded up to the second.
        HttpDate => "http-date",
    }
);

named_enum!(
    /// How a client reads an `X-RateLimit-Reset` (or `X-Quota-Monthly-Reset`) number.
    ///
    /// Servers disagree (seed 004 sends a delay, seeds 002/003 an epoch), and reading one as the
    /// other is a common client bug: an epoch read as a delay waits decades; a delay read as an
    /// epoch lies in 1970, so the client retries at once. The simulator shows both harms.
    ResetInterpretation, "reset interpretation", {
        /// Seconds until reset.
        Delta => "delta",
        /// Unix epoch seconds.
        Epoch => "epoch",
        /// Unix epoch milliseconds.
        EpochMillis => "epoch-ms",
        /// Guess from the magnitude: `>= 10^12` is epoch milliseconds, `>= 10^9` epoch seconds
        /// (both are 2001-09-09), anything smaller a delay in seconds (a delay of 31+ years is
        /// implausible; an epoch before 2001 cannot be a reset time today).
        Auto => "auto",
    }
);

impl ResetInterpretation {
    /// The concrete interpretation of `value` (`Auto` resolved by magnitude).
    ///
    /// ```
    /// use limiters::headers::ResetInterpretation as R;
    /// assert_eq!(R::Auto.resolve(30), R::Delta);
    /// assert_eq!(R::Auto.resolve(1_716_461_235), R::Epoch);
    /// assert_eq!(R::Auto.resolve(1_716_461_235_000), R::EpochMillis);
    /// assert_eq!(R::Delta.resolve(1_716_461_235), R::Delta);
    /// ```
    pub const fn resolve(self, value: u64) -> ResetInterpretation {
        match self {
            ResetInterpretation::Auto if value >= 1_000_000_000_000 => {
                ResetInterpretation::EpochMillis
            }
            ResetInterpretation::Auto if value >= 1_000_000_000 => ResetInterpretation::Epoch,
            ResetInterpretation::Auto => ResetInterpretation::Delta,
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_round_trips() {
        for d in Dialect::ALL {
            assert_eq!(d.name().parse::<Dialect>().unwrap(), *d);
        }
        for f in RetryAfterFormat::ALL {
            assert_eq!(f.to_string().parse::<RetryAfterFormat>().unwrap(), *f);
        }
        let e = "minutes".parse::<RetryAfterFormat>().unwrap_err();
        assert!(e.to_string().contains("seconds, http-date"));
    }
}
