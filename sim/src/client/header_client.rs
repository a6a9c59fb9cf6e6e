//! Clients that read the server's rate-limit headers to decide when to come back: honour
//! `Retry-After` (delay-seconds or HTTP-date, RFC 9110 §10.2.3), `X-RateLimit-Reset` in each
//! dialect (delay, Unix epoch seconds, epoch milliseconds), the IETF `RateLimit` fields
//! (draft-ietf-httpapi-ratelimit-headers), with a client clock that may be skewed from the
//! server's: absolute times (epoch resets, HTTP-dates) read by a clock running ahead look
//! shorter, by one running behind longer; delays are immune.
//!
//! The ambiguity of a bare `Reset` number is a [`ResetInterpretation`]; the common bug of
//! reading an epoch `Reset` as a delay is [`HeaderClient::epoch_as_delay`], so its harm can be
//! shown (it waits decades, i.e. gives up or stalls). All reading goes through
//! [`limiters::headers::parse`], and the server side through [`limiters::headers::render`]:
//! there is no second parser.

use limiters::calendar::UnixTime;
use limiters::headers::{
    parse, render, render_levels, HeaderError, HeaderStyle, ParseOptions, RateLimitInfo,
    ResetInterpretation,
};
use limiters::{Decision, Nanos};

/// Which fields decide the wait.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum HeaderSource {
    /// `Retry-After` only.
    RetryAfter,
    /// The window reset (`X-RateLimit-Reset` or the IETF `t`) when nothing remains.
    Reset,
    /// The longest of everything that says "wait" ([`RateLimitInfo::wait_hint`]).
    #[default]
    Any,
}

/// How a client reads rate-limit headers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HeaderClient {
    /// How to read a bare `X-RateLimit-Reset` (default: guess by magnitude).
    pub reset: ResetInterpretation,
    /// The client's clock minus the server's, in nanoseconds (positive: the client is ahead).
    pub skew_ns: i64,
    /// Which fields decide the wait.
    pub source: HeaderSource,
}

impl Default for HeaderClient {
    fn default() -> HeaderClient {
        HeaderClient {
            reset: ResetInterpretation::Auto,
            skew_ns: 0,
            source: HeaderSource::Any,
        }
    }
}

/// What the client concluded from one response.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HeaderReading {
    /// Everything parsed.
    pub info: RateLimitInfo,
    /// The wait the client will honour, if any.
    pub wait: Option<Nanos>,
}

impl HeaderClient {
    /// The classic bug: `X-RateLimit-Reset` always read as seconds from now, so an epoch
    /// reset (seeds 002, 003) reads as a wait of ~56 years.
    pub fn epoch_as_delay() -> HeaderClient {
        HeaderClient {
            reset: ResetInterpretation::Delta,
            source: HeaderSource::Reset,
            ..HeaderClient::default()
        }
    }

    /// The client's calendar time when the server's is `server_now`.
    pub fn client_time(&self, server_now: UnixTime) -> UnixTime {
        let n = server_now.as_nanos();
        let shifted = if self.skew_ns >= 0 {
            n.saturating_add(self.skew_ns.unsigned_abs())
        } else {
            n.saturating_sub(self.skew_ns.unsigned_abs())
        };
        UnixTime(shifted)
    }

    /// Read response header fields received when the server's clock said `server_now`.
    ///
    /// ```
    /// use sim::client::HeaderClient;
    /// use limiters::calendar::UnixTime;
    /// use limiters::Nanos;
    /// let h = [("X-RateLimit-Remaining", "0"), ("X-RateLimit-Reset", "1716461235")];
    /// let now = UnixTime::from_secs(1_716_461_223);
    /// let good = HeaderClient::default().read(&h, now).unwrap();
    /// assert_eq!(good.wait, Some(Nanos::from_secs(12)));
    /// let buggy = HeaderClient::epoch_as_delay().read(&h, now).unwrap();
    /// assert_eq!(buggy.wait, Some(Nanos::from_secs(1_716_461_235)));
    /// ```
    pub fn read(
        &self,
        headers: &[(&str, &str)],
        server_now: UnixTime,
    ) -> Result<HeaderReading, HeaderError> {
        let opts = ParseOptions {
            reset: self.reset,
            ..ParseOptions::default()
        };
        let info = parse(headers, self.client_time(server_now), &opts)?;
        let wait = match self.source {
            HeaderSource::RetryAfter => info.retry_after,
            HeaderSource::Reset => match info.remaining {
                Some(0) => info.reset_after,
                _ => None,
            },
            HeaderSource::Any => info.wait_hint(),
        };
        Ok(HeaderReading { info, wait })
    }

    /// What a simulated client learns from a response: every level's decision (`shown`,
    /// `(level index, decision)`; `None`: the response's one `decision`, of level 0) rendered
    /// as the server renders it (`styles[i]`: level `i`'s dialect and `Retry-After` form) at the
    /// server's calendar time of the decision `decided_at`, to header bytes, and read back by
    /// this client when the response arrives, at the server's calendar time `read_at` (an epoch
    /// reset names an instant; a delay counts from arrival, so service and network time make
    /// the two forms differ as they do live).
    /// `retry_after` is the wait this client honours (per its [`HeaderSource`]), `reset_after`
    /// the reset it parsed. Without a decision, or with an unreadable field, the client learns
    /// nothing.
    pub fn sim_hints(
        &self,
        decision: Option<&Decision>,
        shown: Option<&[(u16, Decision)]>,
        styles: &[HeaderStyle],
        decided_at: UnixTime,
        read_at: UnixTime,
    ) -> crate::client::Hints {
        let parts: Vec<(&Decision, &HeaderStyle)> = match (shown, decision) {
            (Some(levels), _) if !levels.is_empty() => levels
                .iter()
                .filter_map(|(i, d)| styles.get(usize::from(*i)).map(|s| (d, s)))
                .collect(),
            (_, Some(d)) => styles.first().map(|s| (d, s)).into_iter().collect(),
            _ => Vec::new(),
        };
        if parts.is_empty() {
            return crate::client::Hints::default();
        }
        let fields = render_levels(&parts, decided_at);
        let pairs: Vec<(&str, &str)> = fields.iter().map(|(n, v)| (*n, v.as_str())).collect();
        match self.read(&pairs, read_at) {
            Ok(r) => crate::client::Hints {
                retry_after: r.wait,
                reset_after: r.info.reset_after,
            },
            Err(_) => crate::client::Hints::default(),
        }
    }

    /// Render `decision` as the server would in `style` at `server_now`, and read it back.
    pub fn read_decision(
        &self,
        decision: &Decision,
        style: &HeaderStyle,
        server_now: UnixTime,
    ) -> Result<HeaderReading, HeaderError> {
        let fields = render(decision, style, server_now);
        let pairs: Vec<(&str, &str)> = fields.iter().map(|(n, v)| (*n, v.as_str())).collect();
        self.read(&pairs, server_now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use limiters::headers::{Dialect, RetryAfterFormat};

    const NOW: UnixTime = UnixTime(1_767_225_600 * 1_000_000_000);

    fn deny(reset_s: u64, retry_s: u64) -> Decision {
        Decision::deny(60, 0, Nanos::from_secs(reset_s), Nanos::from_secs(retry_s))
    }

    #[test]
    fn every_reset_dialect_reads_back_with_auto() {
        let c = HeaderClient {
            source: HeaderSource::Reset,
            ..HeaderClient::default()
        };
        for d in [
            Dialect::XRateLimitDelta,
            Dialect::XRateLimitEpoch,
            Dialect::XRateLimitEpochMs,
            Dialect::Ietf,
            Dialect::IetfDraft07,
        ] {
            let r = c
                .read_decision(&deny(30, 30), &HeaderStyle::new(d), NOW)
                .unwrap();
            assert_eq!(r.wait, Some(Nanos::from_secs(30)), "{d}");
        }
    }

    #[test]
    fn skew_shifts_absolute_times_only() {
        let ahead = HeaderClient {
            skew_ns: 5_000_000_000,
            ..HeaderClient::default()
        };
        let behind = HeaderClient {
            skew_ns: -3_000_000_000,
            source: HeaderSource::RetryAfter,
            ..HeaderClient::default()
        };
        let epoch = HeaderStyle::new(Dialect::XRateLimitEpoch);
        let r = ahead.read_decision(&deny(30, 0), &epoch, NOW).unwrap();
        assert_eq!(r.info.reset_after, Some(Nanos::from_secs(25)));
        let delta = HeaderStyle::new(Dialect::XRateLimitDelta);
        let r = ahead.read_decision(&deny(30, 0), &delta, NOW).unwrap();
        assert_eq!(r.info.reset_after, Some(Nanos::from_secs(30)));
        let date = delta.clone().with_retry_after(RetryAfterFormat::HttpDate);
        let r = behind.read_decision(&deny(30, 10), &date, NOW).unwrap();
        assert_eq!(r.wait, Some(Nanos::from_secs(13)));
        // A clock 20 s ahead reads a 10 s HTTP-date as "already past": retry at once.
        let far = HeaderClient {
            skew_ns: 20_000_000_000,
            source: HeaderSource::RetryAfter,
            ..HeaderClient::default()
        };
        assert_eq!(
            far.read_decision(&deny(30, 10), &date, NOW).unwrap().wait,
            Some(Nanos::ZERO)
        );
    }

    /// Rendered when the levels decided, read when the response arrives 5 s later (service
    /// and network): an epoch reset names the decision's instant (55 s left), a delay counts
    /// from arrival (60 s), as live.
    #[test]
    fn an_epoch_reset_names_the_decisions_instant_a_delay_counts_from_arrival() {
        let c = HeaderClient {
            source: HeaderSource::Reset,
            ..HeaderClient::default()
        };
        let d = deny(60, 60);
        let later = UnixTime(NOW.as_nanos() + 5_000_000_000);
        let wait = |dialect| {
            let styles = [HeaderStyle::new(dialect)];
            c.sim_hints(Some(&d), None, &styles, NOW, later).retry_after
        };
        assert_eq!(wait(Dialect::XRateLimitEpoch), Some(Nanos::from_secs(55)));
        assert_eq!(wait(Dialect::XRateLimitDelta), Some(Nanos::from_secs(60)));
    }

    #[test]
    fn epoch_as_delay_waits_decades_and_delta_as_epoch_retries_at_once() {
        let epoch = HeaderStyle::new(Dialect::XRateLimitEpoch);
        let r = HeaderClient::epoch_as_delay()
            .read_decision(&deny(30, 30), &epoch, NOW)
            .unwrap();
        assert_eq!(r.wait, Some(Nanos::from_secs(1_767_225_630)));
        let as_epoch = HeaderClient {
            reset: ResetInterpretation::Epoch,
            source: HeaderSource::Reset,
            ..HeaderClient::default()
        };
        let delta = HeaderStyle::new(Dialect::XRateLimitDelta);
        let r = as_epoch.read_decision(&deny(30, 30), &delta, NOW).unwrap();
        assert_eq!(r.wait, Some(Nanos::ZERO)); // "30" is in 1970
    }
}
