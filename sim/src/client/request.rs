//! Logical requests in flight, in a slab (`Vec` + free list): an event names a request by slot
//! and by the attempt `token` it was scheduled under, and a stale event (an attempt the client
//! has moved on from) sees a different token and is ignored.
//!
//! A slot stays allocated while the client still works on the request *or* the server still
//! holds one of its attempts (`outstanding`), so the server's late work on an abandoned attempt
//! can still be attributed (wasted work, duplicates executed).
//!
//! A hedging fleet has several copies of one request in flight: copy tokens are consecutive,
//! and `live` has bit `k` set while the client waits for the copy with token `token - k`, so
//! "is this event's attempt one the client still waits for" stays one shift and one mask
//! whether or not the fleet hedges.

use crate::retry::RetryState;
use limiters::{Decision, Nanos};
use std::collections::HashMap;

/// One logical request: 64 bytes, aligned to a cache line, so the engine touches one line per
/// request (the response's limiter decision waits in [`Requests`]' inbox, beside it, only while
/// it travels).
#[derive(Clone, Copy, Debug, PartialEq)]
#[repr(align(64))]
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
    /// The copies the client waits for: bit `k` is the attempt with token `token - k` (without
    /// hedging only bit 0 is ever set). Zero: waiting for none (a retry wait, or done).
    pub live: u8,
    /// Copies sent in the current round (1 + hedges; a retry starts a new round).
    pub copies: u8,
    /// The client is done with it (success or give-up).
    pub done: bool,
    /// Times the server executed one of its attempts.
    pub executed: u16,
    /// Attempts the server has received or will receive but not yet answered.
    pub outstanding: u16,
    /// When the current attempt was sent (gates time slow calls with it).
    pub attempt_sent: Nanos,
    /// The upstream its attempts go to (index in `[[server.upstreams]]`; 0 without any).
    pub upstream: u8,
    /// Failures counted towards a fail-over on the current upstream.
    pub upstream_failures: u8,
    /// The client's number for this logical request (1 for its first): part of each
    /// attempt's identity ([`crate::engine::AttemptId`]).
    pub seq: u32,
    /// The low 16 bits of the token before the first send: attempt `token - base` (mod 2^16)
    /// is the how-manieth send (16 bits keep the request in one cache line).
    pub base: u16,
}

impl Request {
    /// The client still waits for the attempt with `token`.
    ///
    /// ```
    /// use sim::client::Requests;
    /// use limiters::Nanos;
    /// let mut rs = Requests::default();
    /// let id = rs.alloc(0, Nanos::ZERO, Nanos::MAX);
    /// let r = &mut rs[id];
    /// r.token = 7;
    /// r.live = 0b101; // copies 7 and 5 in flight, 6 answered
    /// assert!(r.is_live(7) && r.is_live(5) && !r.is_live(6) && !r.is_live(8));
    /// ```
    #[inline]
    pub fn is_live(&self, token: u32) -> bool {
        let k = self.token.wrapping_sub(token);
        k < 8 && (self.live >> k) & 1 == 1
    }

    /// Stop waiting for the attempt with `token`; its position in the round (0 = the round's
    /// first copy) when it was live.
    #[inline]
    pub fn settle(&mut self, token: u32) -> Option<u8> {
        if !self.is_live(token) {
            return None;
        }
        let k = self.token.wrapping_sub(token);
        self.live &= !(1u8 << k);
        Some(self.copies.saturating_sub(1).saturating_sub(k as u8))
    }
}

/// The slab.
#[derive(Debug, Default)]
pub struct Requests {
    slots: Vec<Request>,
    free: Vec<u32>,
    /// Responses on their way to a hedging client, by `(slot, token)`: with several copies in
    /// flight, a later copy's response must not overwrite an earlier one's still travelling.
    parked: HashMap<(u32, u32), (u16, Option<Decision>)>,
    /// The response on its way to a client that does not hedge (status, limiter decision), by
    /// slot; written only when the network delays it (a response without delay is read at once).
    inbox: Vec<(u16, Option<Decision>)>,
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
            live: 0,
            copies: 0,
            done: false,
            executed: 0,
            outstanding: 0,
            attempt_sent: now,
            upstream: 0,
            upstream_failures: 0,
            seq: 0,
            base: token as u16,
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

    /// Keep the response to request `id` (of a client that does not hedge) until it arrives.
    #[inline]
    pub fn post(&mut self, id: u32, status: u16, decision: Option<Decision>) {
        let i = id as usize;
        if i >= self.inbox.len() {
            self.inbox.resize(self.slots.len().max(i + 1), (0, None));
        }
        self.inbox[i] = (status, decision);
    }

    /// The response posted to request `id` (status 0 and no decision if none was).
    #[inline]
    pub fn posted(&self, id: u32) -> (u16, Option<Decision>) {
        self.inbox.get(id as usize).copied().unwrap_or((0, None))
    }

    /// Keep the response of attempt `token` of `id` until it reaches the client.
    pub fn park(&mut self, id: u32, token: u32, status: u16, decision: Option<Decision>) {
        self.parked.insert((id, token), (status, decision));
    }

    /// The parked response of attempt `token` of `id`, removed (`None` without hedging).
    #[inline]
    pub fn unpark(&mut self, id: u32, token: u32) -> Option<(u16, Option<Decision>)> {
        if self.parked.is_empty() {
            return None;
        }
        self.parked.remove(&(id, token))
    }

    /// Slots ever allocated (the peak number of requests alive at once).
    pub fn capacity(&self) -> usize {
        self.slots.len()
    }
}

impl Requests {
    /// Slot `i`, if allocated.
    #[inline]
    pub fn get(&self, i: u32) -> Option<&Request> {
        self.slots.get(i as usize)
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

#[cfg(test)]
mod tests {
    #[test]
    fn a_request_is_one_cache_line() {
        assert_eq!(std::mem::size_of::<super::Request>(), 64);
    }
}
