//! One client of a live fleet as a task: its arrivals drawn from the simulator's arrival
//! process and stream, each a logical request in its own task (open loop), or `concurrency`
//! lanes of request-think-request (closed loop).

use super::client::{logical, ClientJitter, Shared, Who};
use super::closed;
use sim::client::ArrivalGen;
use sim::engine::Stream;
use sim::model::Fleet;
use std::sync::Arc;

/// One client of a fleet: its arrivals, each a logical request in its own task (open loop),
/// or `concurrency` lanes of request-think-request (closed loop, [`closed`]).
pub(super) struct ClientTask {
    pub(super) shared: Arc<Shared>,
    pub(super) fleet: Arc<Fleet>,
    pub(super) gen: Arc<ArrivalGen>,
    pub(super) fi: u16,
    pub(super) client: u32,
    /// Index in the fleet.
    pub(super) index: u32,
    pub(super) token: String,
    pub(super) arrivals: Stream,
    pub(super) jitter: Stream,
}

impl ClientTask {
    pub(super) async fn run(mut self) {
        let horizon = self.shared.log.horizon();
        let this_gen = Arc::clone(&self.gen);
        if let ArrivalGen::Closed { concurrency, think } = &*this_gen {
            // the simulator's own streams, in its order (see [`closed`])
            closed::run_client(
                self.shared,
                self.fleet,
                self.fi,
                self.client,
                self.token,
                *concurrency,
                *think,
                self.arrivals,
                self.jitter,
            )
            .await;
            return;
        }
        // the client's own jitter stream, shared by its requests in the order they draw
        let jitter = Arc::new(ClientJitter::new(self.jitter));
        let mut reqs = tokio::task::JoinSet::new();
        let mut next = self.gen.first(&mut self.arrivals, horizon);
        let mut n = 0u64;
        while let Some(at) = next {
            self.shared.log.sleep_until(at).await;
            let rng = Arc::clone(&jitter);
            let (shared, fleet, token) = (
                Arc::clone(&self.shared),
                Arc::clone(&self.fleet),
                self.token.clone(),
            );
            let (fi, client) = (self.fi, self.client);
            // the simulator's request number: its n-th arrival, from 1
            let numbered = u32::try_from(n + 1).ok().map(|r| (self.index, r));
            reqs.spawn(async move {
                let who = Who {
                    fleet: &fleet,
                    fi,
                    client,
                    token: &token,
                    numbered,
                };
                logical(&shared, &who, &rng).await;
            });
            // reap finished requests so the set stays small
            while reqs.try_join_next().is_some() {}
            n += 1;
            next = self.gen.next(at, &mut self.arrivals, horizon);
        }
        while reqs.join_next().await.is_some() {}
    }
}
