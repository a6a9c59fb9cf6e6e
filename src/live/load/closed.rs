//! Closed-loop clients, live, on the simulator's schedule.
//!
//! A closed-loop client (`process = "closed"`) keeps `concurrency` logical requests going:
//! each one starts a think time after the previous one of its lane ended. The simulator
//! (`sim::client::flow`: `schedule_first_arrivals`, `finish`) draws those think times from
//! the client's own arrival stream, `concurrency` of them at time zero and then one at every
//! completion, and draws retry jitter from the client's own jitter stream. Live lanes draw
//! from the same streams in the same order ([`ThinkTimes`]), and the lanes share the client's
//! jitter stream ([`super::client::ClientJitter`]), so a live client thinks and backs off
//! exactly as its simulated twin. (Before, each lane drew from streams derived from the
//! client's, so a live closed loop was a different sample of the same process: seed 001's
//! 403s, which follow the number of logical requests, came out 9-14 % apart in 60 s, while
//! the simulator's own seed-to-seed spread is 6.6 %.)
//!
//! The lane's clock follows the model too: the next request is due at
//! `previous due time + the attempt's answer time + think`, an absolute deadline, so a late
//! timer wake-up (tokio's timer has a 1 ms tick and rounds up; a loaded machine adds more) is
//! not carried into every later cycle. What remains different is physical: the answer times
//! themselves (loopback has no simulated network delay; the backend sleeps real time).

use super::client::{logical, ClientJitter, Shared, Who};
use limiters::Nanos;
use sim::engine::{Sampler, Stream};
use sim::model::Fleet;
use std::sync::{Arc, Mutex};

/// A closed-loop client's think times, drawn from its arrival stream in the simulator's
/// order: `concurrency` draws up front (one per lane), then one per completed request, in
/// completion order.
#[derive(Debug)]
pub struct ThinkTimes {
    think: Sampler,
    arrivals: Mutex<Stream>,
}

impl ThinkTimes {
    /// Think times of `think` from the client's arrival stream `arrivals`.
    pub fn new(think: Sampler, arrivals: Stream) -> ThinkTimes {
        ThinkTimes {
            think,
            arrivals: Mutex::new(arrivals),
        }
    }

    /// The next think time.
    pub fn draw(&self) -> Nanos {
        let mut rng = self.arrivals.lock().unwrap_or_else(|p| p.into_inner());
        self.think.sample(&mut *rng)
    }
}

/// Everything one lane needs.
pub struct Lane {
    /// Run-wide state.
    pub shared: Arc<Shared>,
    /// The client's fleet.
    pub fleet: Arc<Fleet>,
    /// Fleet index.
    pub fi: u16,
    /// Global client index.
    pub client: u32,
    /// Bearer token.
    pub token: String,
    /// The client's think times (shared by its lanes).
    pub thinks: Arc<ThinkTimes>,
    /// Retry jitter: the client's own stream, shared by its lanes in the order they draw.
    pub jitter: Arc<ClientJitter>,
}

impl Lane {
    /// Run the lane from its first think time (`first`, drawn with the others at time zero,
    /// as the simulator draws them) to the horizon.
    pub async fn run(self, first: Nanos) {
        let horizon = self.shared.log.horizon();
        let who = Who {
            fleet: &self.fleet,
            fi: self.fi,
            client: self.client,
            token: &self.token,
            // lanes share the client's request numbers in real-time order: not numbered
            numbered: None,
        };
        let mut due = first;
        while due < horizon {
            self.shared.log.sleep_until(due).await;
            let sent = self.shared.log.now();
            logical(&self.shared, &who, &self.jitter).await;
            let answered = self.shared.log.now().saturating_sub(sent);
            due = due + answered + self.thinks.draw();
        }
    }
}

/// Drive a closed-loop client: `concurrency` lanes sharing its think times.
#[allow(clippy::too_many_arguments)]
pub async fn run_client(
    shared: Arc<Shared>,
    fleet: Arc<Fleet>,
    fi: u16,
    client: u32,
    token: String,
    concurrency: u32,
    think: Sampler,
    arrivals: Stream,
    jitter: Stream,
) {
    let thinks = Arc::new(ThinkTimes::new(think, arrivals));
    let firsts: Vec<Nanos> = (0..concurrency).map(|_| thinks.draw()).collect();
    let mut lanes = tokio::task::JoinSet::new();
    let jitter = Arc::new(ClientJitter::new(jitter));
    for first in firsts {
        let l = Lane {
            shared: Arc::clone(&shared),
            fleet: Arc::clone(&fleet),
            fi,
            client,
            token: token.clone(),
            thinks: Arc::clone(&thinks),
            jitter: Arc::clone(&jitter),
        };
        lanes.spawn(l.run(first));
    }
    while lanes.join_next().await.is_some() {}
}

#[cfg(test)]
mod tests {
    use super::*;
    use sim::engine::{name_hash, Purpose};
    use sim::model::Distribution;

    /// The simulator's arrival stream of client `i` of fleet `name` (`sim::client::state`).
    fn sim_stream(seed: u64, name: &str, i: u32) -> Stream {
        Stream::derive_hashed(seed, Purpose::Arrivals, name_hash(name), u64::from(i))
    }

    #[test]
    fn think_times_are_the_simulators_draws_in_order() {
        let think = Sampler::new(&Distribution::Exponential {
            mean: Nanos::from_secs(5),
        });
        let t = ThinkTimes::new(think, sim_stream(42, "doc", 7));
        let mut sim = sim_stream(42, "doc", 7);
        for _ in 0..50 {
            assert_eq!(t.draw(), think.sample(&mut sim));
        }
    }
}
