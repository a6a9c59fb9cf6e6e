//! The server gauges a live run samples once per time-series bucket, as the simulator samples
//! its own at each bucket's end (`sim::metrics` `ServerGauges`): backend queue length, busy
//! workers, and the first limiter level's state; plus the wasted-work counters.
//!
//! One value type, [`ServerSample`], filled two ways: read directly from a server in this
//! process ([`super::metrics::Metrics::sample`], `check-live`), or parsed back from the
//! Prometheus text of a separately started `serve`'s `/metrics` ([`ServerSample::parse`],
//! `load`). A target whose `/metrics` lacks the throttlelab gauges parses to `None`.

use std::collections::BTreeMap;

/// The first limiter level's last known state for one scope id.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LimiterSample {
    /// The limit at the latest decision.
    pub limit: u64,
    /// Remaining capacity at the latest decision.
    pub remaining: u64,
    /// Decisions made so far (a counter).
    pub decisions: u64,
}

/// One reading of a live server.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ServerSample {
    /// Admitted requests waiting for a worker.
    pub queue_len: u64,
    /// Workers serving a request.
    pub busy: u64,
    /// Admitted requests not yet answered (waiting, delayed or in service).
    pub in_flight: u64,
    /// Requests served after their client had gone (a counter).
    pub wasted: u64,
    /// Service time of those, in nanoseconds (a counter).
    pub wasted_ns: u64,
    /// The first level's state per scope id (key, tenant, or the one global id).
    pub first_level: BTreeMap<String, LimiterSample>,
}

/// Split `name{labels} value` into its name, labels and value.
fn split_line(line: &str) -> Option<(&str, BTreeMap<String, String>, &str)> {
    let (head, value) = line.rsplit_once(' ')?;
    let Some((name, rest)) = head.split_once('{') else {
        return Some((head, BTreeMap::new(), value));
    };
    let body = rest.strip_suffix('}')?;
    let mut labels = BTreeMap::new();
    let mut chars = body.chars().peekable();
    loop {
        let key: String = chars.by_ref().take_while(|c| *c != '=').collect();
        if key.is_empty() {
            break;
        }
        if chars.next() != Some('"') {
            return None;
        }
        let mut v = String::new();
        loop {
            match chars.next()? {
                '\\' => match chars.next()? {
                    'n' => v.push('\n'),
                    c => v.push(c),
                },
                '"' => break,
                c => v.push(c),
            }
        }
        labels.insert(key.trim_start_matches(',').to_string(), v);
        if chars.peek() == Some(&',') {
            chars.next();
        }
    }
    Some((name, labels, value))
}

impl ServerSample {
    /// Read a sample from `/metrics` text; `None` unless it has the queue and busy-worker
    /// gauges (not a throttlelab server, or one too old to report them).
    pub fn parse(text: &str) -> Option<ServerSample> {
        let mut s = ServerSample::default();
        let (mut queue, mut busy) = (false, false);
        for line in text.lines().filter(|l| !l.starts_with('#')) {
            let Some((name, labels, value)) = split_line(line.trim()) else {
                continue;
            };
            let int = || value.parse::<u64>().ok();
            match name {
                "throttlelab_queue_depth" => {
                    s.queue_len = value.parse::<i64>().ok()?.max(0) as u64;
                    queue = true;
                }
                "throttlelab_busy_workers" => {
                    s.busy = value.parse::<i64>().ok()?.max(0) as u64;
                    busy = true;
                }
                "throttlelab_in_flight" => s.in_flight = value.parse::<i64>().ok()?.max(0) as u64,
                "throttlelab_wasted_total" => s.wasted = int()?,
                "throttlelab_wasted_work_seconds_total" => {
                    let secs: f64 = value.parse().ok()?;
                    s.wasted_ns = (secs.max(0.0) * 1e9).round() as u64;
                }
                "throttlelab_limiter_remaining"
                | "throttlelab_limiter_limit"
                | "throttlelab_limiter_decisions_total" => {
                    if labels.get("level").map(String::as_str) != Some("0") {
                        continue;
                    }
                    let Some(id) = labels.get("id") else { continue };
                    let e = s.first_level.entry(id.clone()).or_default();
                    let v = int()?;
                    match name {
                        "throttlelab_limiter_remaining" => e.remaining = v,
                        "throttlelab_limiter_limit" => e.limit = v,
                        _ => e.decisions = v,
                    }
                }
                _ => {}
            }
        }
        (queue && busy).then_some(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::live::metrics::Metrics;
    use limiters::{Decision, Nanos};
    use std::time::Duration;

    #[test]
    fn the_metrics_text_parses_back_to_the_direct_sample() {
        let m = Metrics::default();
        let _q = m.queued();
        let _b1 = m.busy();
        let _b2 = m.busy();
        let _f = m.in_flight();
        m.wasted(Duration::from_millis(1500));
        m.wasted(Duration::from_micros(250));
        for _ in 0..3 {
            m.limiter_state(0, "key", "web-\"1\\", &Decision::allow(10, 4, Nanos::ZERO));
        }
        m.limiter_state(0, "key", "web-2", &Decision::allow(10, 9, Nanos::ZERO));
        m.limiter_state(1, "tenant", "t-0", &Decision::allow(99, 1, Nanos::ZERO));
        let direct = m.sample();
        assert_eq!((direct.queue_len, direct.busy, direct.in_flight), (1, 2, 1));
        assert_eq!((direct.wasted, direct.wasted_ns), (2, 1_500_250_000));
        assert_eq!(direct.first_level.len(), 2, "level 0 only");
        let hot = direct.first_level["web-\"1\\"];
        assert_eq!((hot.limit, hot.remaining, hot.decisions), (10, 4, 3));
        assert_eq!(ServerSample::parse(&m.render()), Some(direct));
    }

    #[test]
    fn a_target_without_the_gauges_parses_to_none() {
        assert_eq!(ServerSample::parse(""), None);
        assert_eq!(
            ServerSample::parse("# TYPE http_requests_total counter\nhttp_requests_total 5\n"),
            None
        );
        assert_eq!(
            ServerSample::parse("throttlelab_queue_depth 1\n"),
            None,
            "no busy-worker gauge: an older server"
        );
        let s = ServerSample::parse("throttlelab_queue_depth -1\nthrottlelab_busy_workers 3\n");
        assert_eq!(s.map(|s| (s.queue_len, s.busy)), Some((0, 3)));
    }
}
