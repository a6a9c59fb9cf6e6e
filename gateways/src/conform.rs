//! The model side of `throttlelab conform`: decisions a real gateway took, each with the time
//! on the gateway's own clock, replayed through the lab's model of that gateway and compared
//! one by one.
//!
//! Feeding the model the gateway's clock (nginx's `ngx_current_msec`, read back from the
//! response) rather than the time the lab sent the request makes the comparison one of
//! semantics, not of network timing: a disagreement is a modelling difference to explain.
//! Starting the program, driving it and reading the answers is the binary's job.

use crate::nginx::ReqLimit;
use limiters::{Limiter, Nanos, NginxLimitReq};
use std::collections::HashMap;
use std::fmt;

/// What the gateway did with a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Verdict {
    /// Served at once.
    Pass,
    /// Admitted after a delay (nginx `limit_req` with `burst` beyond `delay`).
    Delay,
    /// Refused.
    Reject,
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Verdict::Pass => "pass",
            Verdict::Delay => "delay",
            Verdict::Reject => "reject",
        })
    }
}

/// One request as the gateway answered it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Observation {
    /// The request stream it belongs to.
    pub stream: u32,
    /// Its number within the stream.
    pub seq: u64,
    /// The limit key it carried.
    pub key: String,
    /// The gateway's clock when it decided, in milliseconds (any origin shared by the key).
    pub gateway_ms: u64,
    /// The gateway's decision.
    pub verdict: Verdict,
    /// The counter the gateway decided on, when it reports it (HAProxy's
    /// `sc_http_req_rate(0)`).
    pub gateway_rate: Option<u64>,
    /// How long the gateway held the request before serving it, in ms, when it reports it
    /// (nginx's `$request_time` in a run that enforces `limit_req` delays).
    pub gateway_delay_ms: Option<u64>,
    /// When the lab sent it, microseconds from the start of its stream.
    pub sent_us: u64,
    /// When the answer arrived, microseconds from the start of its stream.
    pub answered_us: u64,
}

/// A gateway's decisions as the lab models them.
pub trait Model {
    /// The decision on a request for `key` at the gateway's millisecond `ms`.
    fn decide(&mut self, key: &str, ms: u64) -> Verdict;
    /// What [`Model::decide`] would answer, changing nothing.
    fn peek(&self, key: &str, ms: u64) -> Verdict;
    /// The counter the model would decide on (as [`Observation::gateway_rate`]), if it has one.
    fn rate(&self, key: &str, ms: u64) -> Option<u64> {
        let _ = (key, ms);
        None
    }
}

/// nginx's `limit_req` directives of one location: every zone checked, a request charged to
/// all of them only if none rejects (ngx_http_limit_req_handler and _account), delayed by the
/// longest delay.
#[derive(Clone, Debug)]
pub struct NginxModel {
    fresh: Vec<NginxLimitReq>,
    keys: HashMap<String, Vec<NginxLimitReq>>,
}

impl NginxModel {
    /// A model of `limits` (one state per key and zone), or the first limit nginx would not
    /// start with.
    pub fn new(limits: &[ReqLimit]) -> Result<NginxModel, limiters::LimiterError> {
        let fresh = limits
            .iter()
            .map(|l| NginxLimitReq::new(&l.rate, l.burst, l.delay))
            .collect::<Result<_, _>>()?;
        Ok(NginxModel {
            fresh,
            keys: HashMap::new(),
        })
    }
}

impl NginxModel {
    /// The delay nginx would apply to a request for `key` at `ms`, in ms: the longest of its
    /// zones' delays (ngx_http_limit_req_account takes the maximum); 0 when it passes at once
    /// or is refused.
    pub fn delay_ms(&self, key: &str, ms: u64) -> u64 {
        let states = self.keys.get(key).unwrap_or(&self.fresh);
        let now = Nanos::from_millis(ms);
        let decisions: Vec<_> = states.iter().map(|s| s.peek(now, 1)).collect();
        if decisions.iter().any(|d| !d.allowed) {
            return 0;
        }
        decisions
            .iter()
            .map(|d| d.delay.as_nanos() / 1_000_000)
            .max()
            .unwrap_or(0)
    }
}

impl Model for NginxModel {
    fn peek(&self, key: &str, ms: u64) -> Verdict {
        let mut one = NginxModel {
            fresh: self.fresh.clone(),
            keys: HashMap::new(),
        };
        if let Some(states) = self.keys.get(key) {
            one.keys.insert(key.to_string(), states.clone());
        }
        one.decide(key, ms)
    }
    fn decide(&mut self, key: &str, ms: u64) -> Verdict {
        let fresh = &self.fresh;
        let states = self
            .keys
            .entry(key.to_string())
            .or_insert_with(|| fresh.clone());
        let now = Nanos::from_millis(ms);
        if states.iter().any(|s| !s.peek(now, 1).allowed) {
            return Verdict::Reject;
        }
        let delayed = states
            .iter_mut()
            .map(|s| s.check(now, 1).delay)
            .any(|d| d > Nanos::ZERO);
        if delayed {
            Verdict::Delay
        } else {
            Verdict::Pass
        }
    }
}

/// A request the model decided otherwise.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Disagreement {
    /// The request.
    pub observation: Observation,
    /// What the model said.
    pub model: Verdict,
    /// The model's counter where the gateway reported its own.
    pub model_rate: Option<u64>,
    /// The model agrees at the gateway's clock one millisecond off (`-1` or `1`): a
    /// disagreement about the time of the request, not about the semantics.
    pub shift: Option<i8>,
}

/// The outcome of a comparison.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Comparison {
    /// Requests compared.
    pub requests: u64,
    /// Requests where the model agreed.
    pub agreed: u64,
    /// Gateway decisions by kind: pass, delay, reject.
    pub gateway_counts: [u64; 3],
    /// Every disagreement, in stream then request order.
    pub disagreements: Vec<Disagreement>,
}

impl Comparison {
    /// Disagreements the model resolves with the gateway's clock one millisecond off.
    pub fn clock_explained(&self) -> usize {
        self.disagreements
            .iter()
            .filter(|d| d.shift.is_some())
            .count()
    }

    /// Agreed / compared (1 when nothing was compared).
    pub fn agreement(&self) -> f64 {
        if self.requests == 0 {
            1.0
        } else {
            self.agreed as f64 / self.requests as f64
        }
    }
}

/// Replay `observations` (each stream's in the order the gateway answered them; streams use
/// disjoint keys) through a fresh model per stream from `model`, and compare.
///
/// ```
/// use gateways::conform::{compare, NginxModel, Observation, Verdict};
/// let conf = "http { limit_req_zone $k zone=z:1m rate=10r/s; server { limit_req zone=z; } }";
/// let limits = gateways::nginx::read("n.conf", conf).unwrap().req;
/// let obs = |seq, ms, verdict| Observation { stream: 0, seq, key: "a".into(), gateway_ms: ms,
///     verdict, gateway_rate: None, gateway_delay_ms: None, sent_us: 0, answered_us: 0 };
/// let seen = [obs(0, 0, Verdict::Pass), obs(1, 50, Verdict::Reject), obs(2, 99, Verdict::Pass)];
/// let model = NginxModel::new(&limits).unwrap();
/// let c = compare(&seen, || model.clone());
/// assert_eq!((c.requests, c.agreed), (3, 2)); // at 99 ms nginx must still refuse
/// assert_eq!(c.disagreements[0].model, Verdict::Reject);
/// // nginx passing at 99 ms would be right one millisecond later
/// assert_eq!(c.disagreements[0].shift, Some(1));
/// ```
pub fn compare<M: Model>(observations: &[Observation], model: impl Fn() -> M) -> Comparison {
    let mut out = Comparison::default();
    let mut models: HashMap<u32, M> = HashMap::new();
    for o in observations {
        let m = models.entry(o.stream).or_insert_with(&model);
        let said = m.peek(&o.key, o.gateway_ms);
        out.requests += 1;
        out.gateway_counts[o.verdict as usize] += 1;
        if said == o.verdict {
            out.agreed += 1;
        } else {
            let shift = [-1i8, 1].into_iter().find(|d| {
                let ms = o.gateway_ms.saturating_add_signed(i64::from(*d));
                m.peek(&o.key, ms) == o.verdict
            });
            out.disagreements.push(Disagreement {
                observation: o.clone(),
                model: said,
                model_rate: o.gateway_rate.and_then(|_| m.rate(&o.key, o.gateway_ms)),
                shift,
            });
        }
        m.decide(&o.key, o.gateway_ms);
    }
    out
}

/// HAProxy's `http-request deny if { sc_http_req_rate(N) gt L }` rules: each request is
/// counted in every tracked table's `http_req_rate` first (track-sc), then denied if any rule's
/// rate is above its limit (src/http_act.c, see `limiters::HaproxyRate`).
#[derive(Clone, Debug)]
pub struct HaproxyModel {
    /// (table index, limit) of each rule.
    rules: Vec<(usize, u64)>,
    fresh: Vec<limiters::HaproxyRate>,
    keys: HashMap<String, Vec<limiters::HaproxyRate>>,
}

impl HaproxyModel {
    /// A model of the `http_req_rate` rules among `rules` (`conn_cur` rules are not modelled
    /// here), or an error naming a rule HAProxy would not count.
    pub fn new(rules: &[crate::haproxy::Rule]) -> Result<HaproxyModel, limiters::LimiterError> {
        let mut tables: Vec<(String, u64)> = Vec::new();
        let mut out = Vec::new();
        for r in rules {
            let crate::haproxy::Counter::HttpReqRate(period) = r.counter else {
                continue;
            };
            let i = match tables.iter().position(|(t, _)| *t == r.table) {
                Some(i) => i,
                None => {
                    tables.push((r.table.clone(), period));
                    tables.len() - 1
                }
            };
            out.push((i, r.limit));
        }
        let fresh = tables
            .iter()
            .map(|(_, p)| limiters::HaproxyRate::new(*p, u64::MAX))
            .collect::<Result<_, _>>()?;
        Ok(HaproxyModel {
            rules: out,
            fresh,
            keys: HashMap::new(),
        })
    }

    /// The tables counted, in the order of their first rule.
    pub fn tables(&self) -> usize {
        self.fresh.len()
    }
}

impl Model for HaproxyModel {
    /// The first table's rate after counting this request (the generated configuration
    /// reports `sc_http_req_rate(0)`).
    fn rate(&self, key: &str, ms: u64) -> Option<u64> {
        let mut counter = match self.keys.get(key) {
            Some(c) => c.first()?.clone(),
            None => self.fresh.first()?.clone(),
        };
        let now = Nanos::from_millis(ms);
        counter.check(now, 1);
        Some(counter.rate_after(now, 0))
    }
    fn peek(&self, key: &str, ms: u64) -> Verdict {
        let mut one = HaproxyModel {
            rules: self.rules.clone(),
            fresh: self.fresh.clone(),
            keys: HashMap::new(),
        };
        if let Some(states) = self.keys.get(key) {
            one.keys.insert(key.to_string(), states.clone());
        }
        one.decide(key, ms)
    }
    fn decide(&mut self, key: &str, ms: u64) -> Verdict {
        let fresh = &self.fresh;
        let counters = self
            .keys
            .entry(key.to_string())
            .or_insert_with(|| fresh.clone());
        let now = Nanos::from_millis(ms);
        for c in counters.iter_mut() {
            c.check(now, 1);
        }
        let denied = self
            .rules
            .iter()
            .any(|&(t, limit)| counters[t].rate_after(now, 0) > limit);
        if denied {
            Verdict::Reject
        } else {
            Verdict::Pass
        }
    }
}
