//! Hedged requests in the engine: several copies of one attempt in flight, the first success
//! wins (Dean and Barroso, "The Tail at Scale", CACM 2013; gRPC `hedgingPolicy`, gRFC A6).
//!
//! A *round* is a first attempt or a retry, plus the hedges sent for it. The rules:
//!
//! - **Timer.** Each copy arms a hedge timer `delay` later; when it fires and nothing has
//!   answered (some copy still in flight) and no copy was sent since, the next copy is sent,
//!   up to `max_hedges` per round (gRFC A6 `hedgingDelay`, `maxAttempts`).
//! - **Gates.** Every gate is asked before each hedge, as for a retry (gRFC A6: while retry
//!   throttling is engaged "hedged RPCs are not sent"). A refused hedge is not sent and the
//!   round sends no further hedge; a gate asking it to wait also refuses it (a hedge is
//!   opportunistic and never blocks). A refused hedge never gives up the logical request.
//! - **First success wins.** The round's first successful response completes the logical
//!   request once (latency from its first send: the minimum over the copies that answered);
//!   the copies still in flight are abandoned: counted, and their server work counted as wasted
//!   when it finishes later.
//! - **Failures.** A failure of one copy while another is in flight does not reach the retry
//!   policy. A non-fatal failure (a status in `non_fatal`, default 5xx, or the client's attempt
//!   timeout) sends the next copy at once if the round may send one (gRFC A6: "the next hedged
//!   request in line is sent immediately"), otherwise waits for the others. A fatal status
//!   (anything else, e.g. a 429 or a 400) cancels the other copies and ends the round. When the
//!   round ends without a success, the retry policy decides on the failure that ended it, and a
//!   retry starts a new round. `retry.max_attempts` counts rounds, not copies; the request's
//!   deadline bounds every copy.
//!
//! gRPC does not allow a retry policy and a hedging policy on one method; here they compose
//! as above, so hedging can be compared with and combined with the retry strategies.

use crate::client::hedge::HedgeAction;
use crate::engine::{Event, TraceKind, World};
use crate::retry::{AttemptResult, GateCall, GateDecision};

impl World {
    /// Arm the hedge timer for the latest copy (`token`) of `req`, if the fleet hedges, its
    /// delay is known and the round may send another copy.
    pub(in crate::client) fn arm_hedge(&mut self, req: u32, token: u32, fi: usize) {
        let Some(h) = &self.fleets[fi].hedge else {
            return;
        };
        let r = &self.reqs[req];
        if let Some(at) = h.timer_at(self.now, u32::from(r.copies), self.horizon, r.deadline) {
            self.q.push(at, Event::Hedge { req, token });
        }
    }

    /// A hedge timer fired.
    pub(crate) fn on_hedge(&mut self, req: u32, token: u32) {
        let r = &self.reqs[req];
        if r.done || r.token != token || r.live == 0 {
            return;
        }
        self.send_hedge(req);
    }

    /// Ask the gates, then send the round's next copy. False when it was not sent.
    fn send_hedge(&mut self, req: u32) -> bool {
        let c = self.reqs[req].client;
        let fi = self.clients[c as usize].fleet as usize;
        let Some(h) = &self.fleets[fi].hedge else {
            return false;
        };
        let r = &self.reqs[req];
        if u32::from(r.copies) >= h.cfg.max_attempts {
            return false;
        }
        if let Some(g) = self.fleets[fi].gate.as_mut() {
            // Numbered after the round's first copy, so gates see a retry (number >= 2).
            let n = r.retry.attempts + u32::from(r.copies);
            let call = GateCall::admit(self.now, c, req, n);
            if g.admit_call(&call, &mut self.clients[c as usize].jitter) != GateDecision::Allow {
                return false;
            }
        }
        let r = &mut self.reqs[req];
        r.token = r.token.wrapping_add(1);
        r.live = (r.live << 1) | 1;
        r.copies += 1;
        r.outstanding = r.outstanding.saturating_add(1);
        let token = r.token;
        let n = u32::from(r.copies);
        self.trace(c, TraceKind::Hedge { n });
        self.rec.hedge(fi);
        self.clients[c as usize].attempts += 1;
        self.arm_hedge(req, token, fi);
        self.transmit(req, token, fi);
        true
    }

    /// A copy of `req` failed (its bit already cleared). True when the round goes on (other
    /// copies in flight, or the next copy sent at once); false when it is over and the retry
    /// policy decides.
    pub(in crate::client) fn hedge_failed(
        &mut self,
        req: u32,
        fi: usize,
        result: &AttemptResult,
    ) -> bool {
        let Some(h) = &self.fleets[fi].hedge else {
            return false;
        };
        let r = &self.reqs[req];
        match h.after_failure(self.now, u32::from(r.copies), r.live.count_ones(), result) {
            HedgeAction::Wait => true,
            HedgeAction::Send { .. } => self.send_hedge(req) || self.reqs[req].live != 0,
            HedgeAction::Failed | HedgeAction::Succeeded { .. } => {
                let r = &mut self.reqs[req];
                let cancelled = r.live.count_ones();
                r.live = 0;
                if cancelled > 0 {
                    self.rec.hedge_abandoned(fi, cancelled);
                }
                false
            }
        }
    }

    /// Copy number `copy` (0 = the round's first) of `req` succeeded: feed a percentile delay,
    /// count a hedge win and the copies abandoned.
    pub(in crate::client) fn hedge_succeeded(&mut self, req: u32, fi: usize, copy: u8) {
        let r = &self.reqs[req];
        let round = self.now - r.attempt_sent;
        let copies = r.copies;
        let abandoned = r.live.count_ones();
        if let Some(h) = self.fleets[fi].hedge.as_mut() {
            h.observe(round);
        }
        if copies > 1 {
            self.rec.hedge_won(fi, copy > 0);
            if abandoned > 0 {
                self.rec.hedge_abandoned(fi, abandoned);
            }
        }
    }
}
