//! How long nginx held each delayed request, against the delay the lab's model of
//! `limit_req` predicts for it.
//!
//! nginx delays a request by arming a timer of `delay` ms on its connection
//! (ngx_http_limit_req_module.c lines 322-326, `ngx_add_timer`), whose key is
//! `ngx_current_msec + delay` (src/event/ngx_event_timer.h line 56); the timer runs when an
//! event loop iteration finds `ngx_current_msec >= key` (ngx_event_timer.c lines 70-72), and
//! the request then goes on through the phases (`ngx_http_limit_req_delay`). So the measured
//! hold (`$request_time`, on the same millisecond clock) is never shorter than the prediction,
//! and is longer by the time the worker takes to wake (epoll's timeout is in whole ms, and a
//! loaded machine wakes it late) plus the loop iteration that serves it.

use crate::conform::{Model, NginxModel, Observation, Verdict};
use std::collections::{BTreeMap, HashMap};

/// Measured minus predicted delays.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DelayComparison {
    /// Requests both nginx and the model delayed, with a measured hold.
    pub compared: u64,
    /// Of those, measured - predicted within `0..=tolerance_ms`.
    pub within: u64,
    /// The tolerance, ms.
    pub tolerance_ms: u64,
    /// How many requests had each difference (ms).
    pub differences: BTreeMap<i64, u64>,
    /// The requests outside the tolerance, with the predicted delay.
    pub outside: Vec<(Observation, u64)>,
}

impl DelayComparison {
    /// Within / compared (1 when nothing was compared).
    pub fn agreement(&self) -> f64 {
        if self.compared == 0 {
            1.0
        } else {
            self.within as f64 / self.compared as f64
        }
    }
}

/// Replay `observations` per stream through `model` (as [`crate::conform::compare`] does) and
/// compare each delayed request's measured hold with the model's delay.
///
/// ```
/// use gateways::conform::{NginxModel, Observation, Verdict};
/// use gateways::conform_delay::compare_delays;
/// let conf = "http { limit_req_zone $k zone=z:1m rate=10r/s; server { limit_req zone=z burst=5; } }";
/// let model = NginxModel::new(&gateways::nginx::read("n.conf", conf).unwrap().req).unwrap();
/// let obs = |seq, ms, verdict, held| Observation { stream: 0, seq, key: "a".into(), gateway_ms: ms,
///     verdict, gateway_rate: None, gateway_delay_ms: Some(held), sent_us: 0, answered_us: 0 };
/// // the second request in the same ms waits 100 ms; nginx held it 101
/// let seen = [obs(0, 0, Verdict::Pass, 0), obs(1, 0, Verdict::Delay, 101)];
/// let d = compare_delays(&seen, &model, 2);
/// assert_eq!((d.compared, d.within), (1, 1));
/// assert_eq!(d.differences.get(&1), Some(&1));
/// ```
pub fn compare_delays(
    observations: &[Observation],
    model: &NginxModel,
    tolerance_ms: u64,
) -> DelayComparison {
    let mut out = DelayComparison {
        tolerance_ms,
        ..DelayComparison::default()
    };
    let mut models: HashMap<u32, NginxModel> = HashMap::new();
    for o in observations {
        let m = models.entry(o.stream).or_insert_with(|| model.clone());
        let predicted = m.delay_ms(&o.key, o.gateway_ms);
        if let (Verdict::Delay, Some(held)) = (o.verdict, o.gateway_delay_ms) {
            if m.peek(&o.key, o.gateway_ms) == Verdict::Delay {
                let diff = held as i64 - predicted as i64;
                out.compared += 1;
                *out.differences.entry(diff).or_default() += 1;
                if (0..=tolerance_ms as i64).contains(&diff) {
                    out.within += 1;
                } else {
                    out.outside.push((o.clone(), predicted));
                }
            }
        }
        m.decide(&o.key, o.gateway_ms);
    }
    out
}
