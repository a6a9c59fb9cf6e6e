//! A client's retry-jitter stream, shared by its concurrent logical requests.
//!
//! The simulator keeps one jitter stream per client (`sim::client::state`:
//! `Stream::derive_hashed(seed, Jitter, fleet, client index)`) and draws from it in event
//! order: `World::send` hands it to the fleet's gate, `World::retry_or_give_up` to the retry
//! policy. Live, a client's logical requests run as concurrent tasks; each drew from a stream
//! derived for it alone, so every retry wait was another draw than the simulated one. Seed
//! 000's `lab` fleet then retried its 500s at other seconds (the same seven retries in 45 s),
//! its per-key rolling window held other requests when the window filled, a request the
//! simulator refused was admitted live, and the fleet's adaptive client rate (AWS SDK
//! adaptive mode) went its own way from there (issue #13). Here the tasks share the client's
//! stream and draw in the order they decide, which is the simulator's order unless two of one
//! client's requests decide within the live timer's millisecond.

use sim::engine::Stream;
use std::sync::Mutex;

/// A client's jitter stream, shared by its logical requests (see the module docs).
#[derive(Debug)]
pub struct ClientJitter(Mutex<Stream>);

impl ClientJitter {
    /// The client's stream `s`.
    pub fn new(s: Stream) -> ClientJitter {
        ClientJitter(Mutex::new(s))
    }

    /// Draw with the stream (held only for `f`, never across an await).
    pub fn with<R>(&self, f: impl FnOnce(&mut Stream) -> R) -> R {
        f(&mut self.0.lock().unwrap_or_else(|p| p.into_inner()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::RngCore;
    use sim::engine::{name_hash, Purpose};

    #[test]
    fn requests_draw_the_clients_stream_in_the_order_they_ask() {
        let sim = |seed| Stream::derive_hashed(seed, Purpose::Jitter, name_hash("lab"), 3);
        let shared = std::sync::Arc::new(ClientJitter::new(sim(42)));
        // two requests of one client, deciding alternately (as the simulator's events come)
        let (a, b) = (
            std::sync::Arc::clone(&shared),
            std::sync::Arc::clone(&shared),
        );
        let mut got = Vec::new();
        for i in 0..6 {
            let who = if i % 2 == 0 { &a } else { &b };
            got.push(who.with(|r| r.next_u64()));
        }
        let mut twin = sim(42);
        let want: Vec<u64> = (0..6).map(|_| twin.next_u64()).collect();
        assert_eq!(got, want);
    }
}
