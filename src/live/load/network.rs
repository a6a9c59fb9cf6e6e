//! The scenario's network delay, added by the live client.
//!
//! Why (issue #13): loopback's round trip is a fraction of a millisecond, so a live check of seed 000 (20 ms each way) answered every request 40 ms sooner than the
//! simulation (the `doc` fleet's median latency 132 ms live against 166 ms simulated), and
//! the `lab` fleet's adaptive client rate (`sim::client::gate::AdaptiveRateLimiter`: responses
//! counted in half-second buckets, a rate cut applied when the 429 arrives) reacts to when
//! answers arrive: simulated without the delay, `lab` sends 124 attempts in 45 s instead of
//! 129.
//!
//! Each attempt sleeps its request leg before it is sent and its response leg after the
//! answer arrives, both drawn as the simulator draws them: from the per-attempt streams of
//! `sim::engine::Crn` (purpose `Network`, leg 0 and 1; `sim::engine::World::transmit` and
//! `responded`), so attempt *n* of request *r* of client *c* waits the same 23.4 ms on both
//! sides. Attempts the simulator numbers differently from the live client (hedge copies,
//! closed-loop requests) draw from a stream of their own, with the same distribution. What
//! the live side cannot copy is its own slowness: tokio sleeps in whole milliseconds (each
//! sleep ends up to 1 ms late) and a loaded machine adds scheduling delay (seed 000's `doc`
//! median: 166 ms simulated, 170 to 204 ms live in debug builds at load averages 5 to 15).

use sim::engine::{AttemptId, Crn, Purpose, Sampler};
use sim::model::Scenario;
use std::time::Duration;

/// The two legs of every attempt's trip.
#[derive(Debug, Clone, Copy)]
pub struct Network {
    sampler: Sampler,
    /// The simulator's draws (replica 0).
    numbered: Crn,
    /// Draws for attempts the simulator identifies otherwise.
    other: Crn,
}

/// One attempt's delays: before it reaches the server, and before its answer reaches the
/// client.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Legs {
    /// Client to server.
    pub out: Duration,
    /// Server to client.
    pub back: Duration,
}

impl Network {
    /// The scenario's network with `seed`; `None` when it has no delay.
    pub fn new(s: &Scenario, seed: u64) -> Option<Network> {
        if s.network.delay.is_zero() {
            return None;
        }
        Some(Network {
            sampler: Sampler::new(&s.network.delay),
            numbered: Crn::new(seed, Purpose::Network),
            other: Crn::named(seed, Purpose::Network, "live/unnumbered"),
        })
    }

    /// The legs of attempt `id`: the simulator's draws when `numbered` (the identity is the
    /// simulator's), else draws of the same distribution from a stream of their own.
    pub fn legs(&self, id: AttemptId, numbered: bool) -> Legs {
        let crn = if numbered { self.numbered } else { self.other };
        let draw = |leg| Duration::from(self.sampler.sample_from(|| crn.stream(id, leg)));
        Legs {
            out: draw(0),
            back: draw(1),
        }
    }
}

/// Sleep `d` (nothing when it is zero: no timer, no yield).
pub async fn wait(d: Duration) {
    if !d.is_zero() {
        tokio::time::sleep(d).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scenario(delay: &str) -> Scenario {
        let text = format!(
            "name = \"n\"\nduration = \"10s\"\n[network]\ndelay = {delay}\n[fleet.web]\n\
             count = 1\narrival = {{ process = \"constant\", rate = \"1/s\" }}\n"
        );
        sim::scenario::load_str("n.toml", &text).expect("scenario")
    }

    #[test]
    fn no_delay_adds_nothing() {
        assert!(Network::new(&scenario("\"0ms\""), 1).is_none());
    }

    #[test]
    fn a_numbered_attempt_waits_the_simulators_draws() {
        let s = scenario("{ dist = \"normal_abs\", mean = \"20ms\", sd = \"5ms\" }");
        let net = Network::new(&s, 42).expect("a delay");
        let id = AttemptId::named("web", 3, 17, 2);
        // the simulator's draws: World::transmit (leg 0) and World::responded (leg 1)
        let sampler = Sampler::new(&s.network.delay);
        let crn = Crn::new(42, Purpose::Network);
        let want = Legs {
            out: Duration::from(sampler.sample_from(|| crn.stream(id, 0))),
            back: Duration::from(sampler.sample_from(|| crn.stream(id, 1))),
        };
        let got = net.legs(id, true);
        assert_eq!(got, want);
        assert_ne!(got.out, got.back);
        // a realistic draw: not zero, not absurd
        for d in [got.out, got.back] {
            assert!(d > Duration::ZERO && d < Duration::from_millis(60), "{d:?}");
        }
        // another attempt, another draw; an unnumbered one, another stream
        assert_ne!(net.legs(AttemptId::named("web", 3, 17, 3), true), got);
        assert_ne!(net.legs(id, false), got);
    }

    #[test]
    fn a_constant_delay_is_that_constant_on_both_legs() {
        let net = Network::new(&scenario("\"7ms\""), 1).expect("a delay");
        let legs = net.legs(AttemptId::named("web", 0, 1, 1), false);
        assert_eq!(legs.out, Duration::from_millis(7));
        assert_eq!(legs.back, Duration::from_millis(7));
    }
}
