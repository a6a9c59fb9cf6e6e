//! Logical requests in flight, in a slab (`Vec` + free list): an event names a request by slot
//! and by the attempt `token` it was scheduled under, and a stale event (an attempt the client
//! has moved on from) sees a different token and is ignored.
//!
//! A slot stays allocated while the client still works on the request *or* the server still
//! holds one of its attempts (`outstanding`), so the server's late work on an abandoned attempt
//! can still be attributed (wasted work, duplicates executed).

use crate::retry::RetryState;
use limiters::{Decision, Nanos};

/// One logical request.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Request {
    /// Global client index.
    pub client: u32,
    /// The current attempt's token (increases with every attempt, and across slot reuse).
    pub token: u32,
    /// First send.
    pub first_sent: Nanos,
    /// Deadline (`Nanos::MAX` when none).
    pub deadline: Nanos,
    /// The retry policy's state.
    pub retry: RetryState,
    /// The client waits for the current attempt's response.
    pub awaiting: bool,
    /// The client is done with it (success or give-up).
    pub done: bool,
    /// Times the server executed one of its attempts.
    pub executed: u16,
    /// Attempts the server has received or will receive but not yet answered.
    pub outstanding: u16,
    /// The response on its way to the client: status.
    pub status: u16,
    /// The response on its way to the client: limiter decision.
    pub decision: Option<Decision>,
    /// When the current attempt was sent (gates time slow calls with it).
    pub attempt_sent: Nanos,
}

/// The slab.
#[derive(Debug, Default)]
pub struct Requests {
    slots: Vec<Request>,
    free: Vec<u32>,
}

impl Requests {
    /// A new request of `client` first sent at `now`.
    pub fn alloc(&mut self, client: u32, now: Nanos, deadline: Nanos) -> u32 {
        let fresh = |token: u32| Request {
            client,
            token,
            first_sent: now,
            deadline,
            retry: RetryState::default(),
            awaiting: false,
            done: false,
            executed: 0,
            outstanding: 0,
            status: 0,
            decision: None,
            attempt_sent: now,
        };
        match self.free.pop() {
            Some(id) => {
                let r = &mut self.slots[id as usize];
                *r = fresh(r.token.wrapping_add(1));
                id
            }
            None => {
                self.slots.push(fresh(0));
                (self.slots.len() - 1) as u32
            }
        }
    }

    /// Return a slot.
    pub fn free(&mut self, id: u32) {
        self.free.push(id);
    }

    /// Slots ever allocated (the peak number of requests alive at once).
    pub fn capacity(&self) -> usize {
        self.slots.len()
    }
}

impl std::ops::Index<u32> for Requests {
    type Output = Request;
    #[inline]
    fn index(&self, i: u32) -> &Request {
        &self.slots[i as usize]
    }
}

impl std::ops::IndexMut<u32> for Requests {
    #[inline]
    fn index_mut(&mut self, i: u32) -> &mut Request {
        &mut self.slots[i as usize]
    }
}
