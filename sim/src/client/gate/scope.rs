//! Where a gate's state lives, and gates in series.
//!
//! The simulator holds one gate per fleet. A fleet-wide gate is one shared state: all the
//! clients of a fleet behave like the threads of one process sharing an SDK client (the AWS
//! quota, a Finagle budget, an Envoy sidecar). [`PerClient`] keeps one state per client
//! instead, as when every client is its own process (Brooker's per-client bucket; SRE
//! throttling "in each client"). [`Chain`] runs gates in series (AWS adaptive mode = the
//! standard quota plus the rate limiter).

use super::outcome::legacy_gate_methods;
use crate::retry::{AttemptResult, ClientGate, GateCall, GateDecision};
use rand::RngCore;
use std::collections::HashMap;

/// One copy of a gate per client, created from a template on the client's first attempt.
///
/// ```
/// use sim::client::gate::{DepositBucket, DepositBucketConfig, PerClient};
/// use sim::retry::{ClientGate, GateCall, GateDecision};
/// use limiters::Nanos;
/// let one_token = DepositBucketConfig { initial_milli: 1000, ..Default::default() };
/// let mut g = PerClient::new(DepositBucket::new(one_token));
/// let mut rng = rand::rngs::mock::StepRng::new(0, 1);
/// let retry = |c| GateCall::admit(Nanos::ZERO, c, 0, 2);
/// assert_eq!(g.admit_call(&retry(1), &mut rng), GateDecision::Allow);
/// assert_eq!(g.admit_call(&retry(1), &mut rng), GateDecision::Deny);
/// assert_eq!(g.admit_call(&retry(2), &mut rng), GateDecision::Allow); // its own bucket
/// ```
#[derive(Clone, Debug)]
pub struct PerClient<G> {
    template: G,
    states: HashMap<u32, G>,
}

impl<G: Clone> PerClient<G> {
    /// Per-client copies of `template`.
    pub fn new(template: G) -> PerClient<G> {
        PerClient {
            template,
            states: HashMap::new(),
        }
    }
    /// The state of `client`, if it has one.
    pub fn get(&self, client: u32) -> Option<&G> {
        self.states.get(&client)
    }
    fn state(&mut self, client: u32) -> &mut G {
        let t = &self.template;
        self.states.entry(client).or_insert_with(|| t.clone())
    }
}

impl<G: ClientGate + Clone> ClientGate for PerClient<G> {
    legacy_gate_methods!();

    fn admit_call(&mut self, call: &GateCall, rng: &mut dyn RngCore) -> GateDecision {
        self.state(call.client).admit_call(call, rng)
    }

    fn observe_call(&mut self, call: &GateCall, result: &AttemptResult) {
        self.state(call.client).observe_call(call, result)
    }
}

/// Gates in series: an attempt passes if every gate lets it. The first refusal stops the walk
/// (the gates before it keep what they charged, as SDK handler chains do); a gate asking for a
/// delay stops it too, and when the attempt asks again the walk resumes at that gate, so the
/// gates it already passed do not charge it twice. Every gate sees every outcome.
#[derive(Debug, Default)]
pub struct Chain {
    gates: Vec<Box<dyn ClientGate>>,
    resume: HashMap<u32, usize>,
}

impl Chain {
    /// The gates, outermost first.
    pub fn new(gates: Vec<Box<dyn ClientGate>>) -> Chain {
        Chain {
            gates,
            resume: HashMap::new(),
        }
    }
    /// Number of gates.
    pub fn len(&self) -> usize {
        self.gates.len()
    }
    /// True when empty (an empty chain allows everything).
    pub fn is_empty(&self) -> bool {
        self.gates.is_empty()
    }
}

impl ClientGate for Chain {
    legacy_gate_methods!();

    fn admit_call(&mut self, call: &GateCall, rng: &mut dyn RngCore) -> GateDecision {
        let known = call.request != GateCall::UNKNOWN;
        let start = if known {
            self.resume.remove(&call.request).unwrap_or(0)
        } else {
            0
        };
        for (i, g) in self.gates.iter_mut().enumerate().skip(start) {
            match g.admit_call(call, rng) {
                GateDecision::Allow => {}
                GateDecision::Deny => return GateDecision::Deny,
                GateDecision::Delay(d) => {
                    if known {
                        self.resume.insert(call.request, i);
                    }
                    return GateDecision::Delay(d);
                }
            }
        }
        GateDecision::Allow
    }

    fn observe_call(&mut self, call: &GateCall, result: &AttemptResult) {
        for g in &mut self.gates {
            g.observe_call(call, result);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::gate::{
        AdaptiveConfig, AdaptiveRateLimiter, GrpcThrottle, GrpcThrottleConfig,
    };
    use limiters::Nanos;

    #[test]
    fn chain_stops_at_a_refusal_or_a_delay_and_resumes_there() {
        let mut rl = AdaptiveRateLimiter::new(AdaptiveConfig::default(), Nanos::ZERO);
        rl.on_response(Nanos::ZERO, true); // enabled, empty bucket at 0.5/s
        let five = crate::client::gate::AwsQuotaConfig {
            capacity: 5,
            ..Default::default()
        };
        let quota = crate::client::gate::AwsRetryQuota::new(five);
        let grpc = GrpcThrottle::new(GrpcThrottleConfig::default());
        let mut c = Chain::new(vec![Box::new(quota), Box::new(rl), Box::new(grpc)]);
        let mut rng = rand::rngs::mock::StepRng::new(0, 1);
        let retry = |t: u64, req: u32| GateCall::admit(Nanos::from_secs(t), 0, req, 2);
        // The quota takes its 5, the limiter has no token yet: 1 / 0.5 s.
        assert_eq!(
            c.admit_call(&retry(0, 9), &mut rng),
            GateDecision::Delay(Nanos::from_secs(2))
        );
        // Asked again, the walk resumes at the limiter: the empty quota is not asked.
        assert_eq!(c.admit_call(&retry(2, 9), &mut rng), GateDecision::Allow);
        // Another request meets the empty quota.
        assert_eq!(c.admit_call(&retry(2, 10), &mut rng), GateDecision::Deny);
        assert_eq!(
            Chain::default().admit_call(&retry(0, 1), &mut rng),
            GateDecision::Allow
        );
    }
}
