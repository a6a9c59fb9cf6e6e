//! The client side of the way of one request: arrival -> logical request -> attempt (through
//! the fleet's gate, with a timeout, over the network) -> response or timeout -> success, or
//! the retry policy decides (wait, or give up). Every step is recorded.

use super::interpret;
use crate::engine::{Event, TraceKind, World};
use crate::retry::{
    AttemptResult, GateCall, GateDecision, GiveUpReason, RetryDecision, RetryState,
};
use limiters::Nanos;

impl World {
    /// Schedule every client's first arrival (open loop) or first requests (closed loop).
    pub(crate) fn schedule_first_arrivals(&mut self) {
        let horizon = self.horizon;
        for c in 0..self.clients.len() {
            let f = &self.fleets[self.clients[c].fleet as usize];
            let rng = &mut self.clients[c].arrivals;
            match &f.arrival {
                super::ArrivalGen::Closed { concurrency, think } => {
                    for _ in 0..*concurrency {
                        let t = think.sample(rng);
                        if t < horizon {
                            self.q.push(t, Event::Arrival { client: c as u32 });
                        }
                    }
                }
                super::ArrivalGen::Trace(_) => {
                    let i = c as u32 - f.first;
                    if let Some(t) = f.arrival.traced(i, 0, horizon) {
                        self.q.push(t, Event::Arrival { client: c as u32 });
                    }
                }
                gen => {
                    if let Some(t) = gen.first(rng, horizon) {
                        self.q.push(t, Event::Arrival { client: c as u32 });
                    }
                }
            }
        }
    }

    /// A client's arrival: start a logical request; an open-loop client schedules its next.
    #[inline]
    pub(crate) fn on_arrival(&mut self, client: u32) {
        let fi = self.clients[client as usize].fleet as usize;
        let f = &self.fleets[fi];
        if f.arrival.is_trace() {
            // This is arrival number `demand` (from 0) of the client: schedule the next.
            let k = self.clients[client as usize].demand + 1;
            if let Some(t) = f.arrival.traced(client - f.first, k, self.horizon) {
                self.q.push(t, Event::Arrival { client });
            }
        } else if !f.arrival.is_closed() {
            let cs = &mut self.clients[client as usize];
            if let Some(t) = f.arrival.next(self.now, &mut cs.arrivals, self.horizon) {
                self.q.push(t, Event::Arrival { client });
            }
        }
        let deadline = f.deadline.map_or(Nanos::MAX, |d| self.now + d);
        self.rec.logical(fi);
        let cs = &mut self.clients[client as usize];
        cs.demand += 1;
        let seq = cs.demand;
        let req = self.reqs.alloc(client, self.now, deadline);
        self.reqs[req].seq = seq;
        self.trace(client, TraceKind::Arrival);
        self.send(req, client, false);
    }

    /// A retry wait is over.
    #[inline]
    pub(crate) fn on_send(&mut self, req: u32, token: u32, client: u32) {
        let r = &self.reqs[req];
        if r.token != token || r.done || r.live != 0 {
            return;
        }
        let retry = r.retry.attempts > 0;
        self.send(req, client, retry);
    }

    /// Send an attempt (the first, or a retry).
    #[inline]
    fn send(&mut self, req: u32, c: u32, retry: bool) {
        debug_assert_eq!(self.reqs[req].client, c);
        let fi = self.clients[c as usize].fleet as usize;
        if let Some(g) = self.fleets[fi].gate.as_mut() {
            let call = GateCall::admit(self.now, c, req, self.reqs[req].retry.attempts + 1);
            match g.admit_call(&call, &mut self.clients[c as usize].jitter) {
                GateDecision::Allow => {}
                GateDecision::Deny => {
                    self.give_up(req, GiveUpReason::Gate);
                    return;
                }
                GateDecision::Delay(wait) => {
                    // A client-side rate limiter is out of tokens: ask again after the wait.
                    let at = self.now + wait;
                    let r = &self.reqs[req];
                    if at >= r.deadline {
                        self.give_up(req, GiveUpReason::Deadline);
                    } else if at < self.horizon {
                        let token = r.token;
                        self.q.push(
                            at,
                            Event::Send {
                                req,
                                token,
                                client: c,
                            },
                        );
                    }
                    return;
                }
            }
        }
        let r = &mut self.reqs[req];
        r.attempt_sent = self.now;
        r.token = r.token.wrapping_add(1);
        r.retry.attempts += 1;
        r.live = 1;
        r.copies = 1;
        r.outstanding = r.outstanding.saturating_add(1);
        let token = r.token;
        let n = r.retry.attempts;
        self.trace(c, TraceKind::Attempt { n });
        self.rec.attempt(fi, retry);
        self.clients[c as usize].attempts += 1;
        if self.fleets[fi].hedge.is_some() {
            self.arm_hedge(req, token, fi);
        }
        self.transmit(req, token, fi);
    }

    /// Put attempt `token` of `req` on the wire: arm its timeout, and deliver it to the server
    /// after the network delay.
    #[inline]
    pub(super) fn transmit(&mut self, req: u32, token: u32, fi: usize) {
        let deadline = self.reqs[req].deadline;
        let f = &self.fleets[fi];
        let timeout_at = match f.timeout {
            Some(t) => (self.now + t).min(deadline),
            None => deadline,
        };
        if timeout_at < Nanos::MAX && timeout_at < self.horizon {
            self.q
                .push(timeout_at, Event::AttemptTimeout { req, token });
        }
        let draws = self.net_draws;
        let d = self
            .net
            .sample_from(|| draws.stream(self.attempt_id(req, token), 0));
        if d.is_zero() {
            let got = if self.deployment.is_some() {
                self.deployment_recv(req, token)
            } else {
                self.server_recv(req, token)
            };
            if let Err(e) = got {
                self.error.get_or_insert(e);
            }
        } else {
            self.q.push(self.now + d, Event::ServerRecv { req, token });
        }
    }

    /// A response reaches the client after its network delay: it was parked (a hedging
    /// client) or posted to the request's inbox.
    pub(crate) fn client_recv(&mut self, req: u32, token: u32) {
        let (status, decision) = match self.reqs.unpark(req, token) {
            Some(parked) => parked,
            None => self.reqs.posted(req),
        };
        self.client_read(req, token, status, decision.as_ref());
    }

    /// The client reads the response (`status`, the limiter's `decision`) to attempt `token`.
    pub(crate) fn client_read(
        &mut self,
        req: u32,
        token: u32,
        status: u16,
        decision: Option<&limiters::Decision>,
    ) {
        let c = self.reqs[req].client;
        let fi = self.clients[c as usize].fleet as usize;
        self.read(req, token, c, fi, status, decision);
    }

    /// [`World::client_read`] by client `c` of fleet `fi`.
    #[inline(always)]
    pub(crate) fn read(
        &mut self,
        req: u32,
        token: u32,
        c: u32,
        fi: usize,
        status: u16,
        decision: Option<&limiters::Decision>,
    ) {
        // every level's decision behind this response (kept only for header-reading clients)
        let shown = if self.server.keeps_shown() {
            self.server.take_shown(req, token)
        } else {
            None
        };
        let r = &mut self.reqs[req];
        let Some(copy) = r.settle(token) else {
            return;
        };
        let hints = match &self.fleets[fi].headers {
            None => interpret(decision, &self.server.dialect, self.server.retry_after),
            Some(h) => {
                let epoch = limiters::calendar::Epoch::from_unix_secs(self.epoch);
                let at = shown.as_ref().map_or(self.now, |s| s.at);
                h.sim_hints(
                    decision,
                    shown.as_ref().map(|s| s.levels.as_slice()),
                    &self.server.styles,
                    epoch.at(at),
                    epoch.at(self.now),
                )
            }
        };
        let result = AttemptResult {
            status: Some(status),
            retry_after: hints.retry_after,
            reset_after: hints.reset_after,
            elapsed: self.now - r.first_sent,
        };
        self.trace(c, TraceKind::Response { status });
        if let Some(g) = self.fleets[fi].gate.as_mut() {
            let r = &self.reqs[req];
            let call = GateCall::outcome(self.now, c, req, r.retry.attempts, r.attempt_sent);
            g.observe_call(&call, &result);
        }
        if result.is_success() {
            let latency = self.now - self.reqs[req].first_sent;
            self.trace(
                c,
                TraceKind::Success {
                    latency_ns: latency.0,
                },
            );
            if self.fleets[fi].hedge.is_some() {
                self.hedge_succeeded(req, fi, copy);
            }
            self.rec
                .success(fi, self.clients[c as usize].tenant, latency);
            self.clients[c as usize].successes += 1;
            self.finish(req);
        } else if !(self.fleets[fi].hedge.is_some() && self.hedge_failed(req, fi, &result)) {
            self.retry_or_give_up(req, c as usize, fi, &result);
        }
    }

    /// The attempt timeout (or the deadline) fired.
    pub(crate) fn on_attempt_timeout(&mut self, req: u32, token: u32) {
        let r = &mut self.reqs[req];
        if r.settle(token).is_none() {
            return;
        }
        let c = r.client;
        let fi = self.clients[c as usize].fleet as usize;
        self.rec.timeout(fi);
        self.trace(c, TraceKind::Timeout);
        let result = AttemptResult {
            elapsed: self.now - self.reqs[req].first_sent,
            ..AttemptResult::timeout()
        };
        if let Some(g) = self.fleets[fi].gate.as_mut() {
            let r = &self.reqs[req];
            let call = GateCall::outcome(self.now, c, req, r.retry.attempts, r.attempt_sent);
            g.observe_call(&call, &result);
        }
        if self.now >= self.reqs[req].deadline {
            self.give_up(req, GiveUpReason::Deadline);
        } else if !(self.fleets[fi].hedge.is_some() && self.hedge_failed(req, fi, &result)) {
            self.after_failure(req, result);
        }
    }

    /// Ask the policy what to do after a failed attempt.
    fn after_failure(&mut self, req: u32, result: AttemptResult) {
        let c = self.reqs[req].client as usize;
        let fi = self.clients[c].fleet as usize;
        self.retry_or_give_up(req, c, fi, &result);
    }

    /// [`World::after_failure`] of client `c` of fleet `fi`.
    #[inline(always)]
    fn retry_or_give_up(&mut self, req: u32, c: usize, fi: usize, result: &AttemptResult) {
        if let Some(f) = self.fleets[fi].failover {
            self.count_failover(req, f, result);
        }
        let mut state: RetryState = self.reqs[req].retry;
        let decision =
            self.fleets[fi]
                .policy
                .decide(&mut state, result, &mut self.clients[c].jitter);
        if let RetryDecision::Retry(wait) = decision {
            self.rec.retry_delay(fi, wait);
        }
        let r = &mut self.reqs[req];
        r.retry = state;
        match decision {
            RetryDecision::Retry(wait) => {
                let at = self.now + wait;
                if at >= r.deadline {
                    self.give_up(req, GiveUpReason::Deadline);
                } else if at < self.horizon {
                    let token = r.token;
                    let client = c as u32;
                    self.q.push(at, Event::Send { req, token, client });
                }
                // A retry due at or after the horizon never happens: the request is still in
                // flight when the run ends.
            }
            RetryDecision::GiveUp(reason) => self.give_up(req, reason),
        }
    }

    /// A failed attempt counts towards a fail-over: after `after` of them with a status in
    /// `on`, the request's next attempts go to the next upstream.
    fn count_failover(&mut self, req: u32, f: crate::model::Failover, result: &AttemptResult) {
        let n = self.server.upstreams();
        let r = &mut self.reqs[req];
        (r.upstream, r.upstream_failures) =
            f.next(r.upstream, r.upstream_failures, result.status, n);
    }

    #[inline]
    pub(super) fn give_up(&mut self, req: u32, reason: GiveUpReason) {
        let c = self.reqs[req].client as usize;
        let fi = self.clients[c].fleet as usize;
        self.rec.give_up(fi, reason);
        self.trace(c as u32, TraceKind::GiveUp { reason });
        self.clients[c].give_ups += 1;
        self.finish(req);
    }

    /// The client is done with a request; a closed-loop client thinks, then starts the next.
    #[inline]
    fn finish(&mut self, req: u32) {
        let r = &mut self.reqs[req];
        r.done = true;
        r.live = 0;
        let c = r.client;
        let free = r.outstanding == 0;
        let fi = self.clients[c as usize].fleet as usize;
        if let super::ArrivalGen::Closed { think, .. } = &self.fleets[fi].arrival {
            let t = self.now + think.sample(&mut self.clients[c as usize].arrivals);
            if t < self.horizon {
                self.q.push(t, Event::Arrival { client: c });
            }
        }
        if free {
            self.reqs.free(req);
        }
    }
}
