//! Hedged requests live: a round (an attempt or a retry, with its hedges) as copies of one
//! request over real HTTP, by the simulator's rules (`sim/src/client/hedge.rs`; Dean and
//! Barroso, "The Tail at Scale", CACM 2013; gRPC `hedgingPolicy`, gRFC A6).
//!
//! The decisions are the simulator's own: when the next copy is due
//! ([`HedgeRt::timer_at`]), what a failing copy means for the round
//! ([`HedgeRt::after_failure`]: wait, send the next copy at once, or end the round), and the
//! percentile delay's latency histogram ([`HedgeRt::observe`], one per fleet, shared by its
//! clients as the simulator shares it). What this module adds is the real-time part:
//!
//! - every copy is a real HTTP request in its own task with its own timeout (the fleet's,
//!   cut to the deadline and the horizon), carrying the logical request's idempotency key, as
//!   the simulator's copies carry its key;
//! - every gate is asked before each hedge, numbered after the round's first copy as in the
//!   simulator; a refused hedge is not sent and never gives up the logical request;
//! - the first success wins; copies still in flight are abandoned and counted
//!   (`hedge_abandoned`): their tasks are dropped, which closes their connections (HTTP/1.1
//!   has no other way to cancel one request; gRPC sends RST_STREAM). The server still
//!   finishes admitted work whose client has gone (`src/live/work.rs`), as the simulator's
//!   server finishes an abandoned copy, and counts it as wasted work, which the run's
//!   `wasted_attempts` / `wasted_work_s` report as the simulator's do. The client never sees
//!   the loser's answer, so unlike the simulator's recorder it does not count that answer's
//!   status (the server's own admitted count, which `check-live` compares, includes it);
//! - observations for summary.csv: `Ev::Hedge` per copy after the first, `Ev::HedgeWin`
//!   when a hedge's answer came first, `Ev::HedgeAbandoned` with the copies left in flight.

use super::attempt::{exchange, legs, limits, settle, ClientJitter, Raw, Shared, Who};
use super::record::Ev;
use limiters::Nanos;
use sim::client::hedge::{HedgeAction, HedgeRt};
use sim::retry::{AttemptResult, GateCall, GateDecision};
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::task::{JoinError, JoinSet};

/// One round of a hedging client's logical request.
pub(super) struct Round<'a> {
    /// Logical request id (the gates' `request`).
    req: u32,
    /// The round's attempt number (the retry state's `attempts`, this round included).
    n: u32,
    /// When the round's first copy was sent.
    sent: Nanos,
    /// When the logical request's first attempt was sent.
    first_sent: Nanos,
    /// The logical request's deadline.
    deadline: Nanos,
    /// The logical request's idempotency key.
    idem: Option<&'a str>,
    /// Copies sent (the first included).
    copies: u32,
    /// Copies in flight that the client still waits for.
    live: u32,
    /// The copies in flight, each `(index in the round, answer)`; dropping the set (the
    /// round is over) aborts the copies still in flight.
    set: JoinSet<(u8, Raw)>,
}

/// What the round waits for next.
enum Next {
    /// A copy's answer (`None`: no copy in flight).
    Copy(Option<Result<(u8, Raw), JoinError>>),
    /// The hedge timer fired.
    Timer,
}

fn locked(h: &Mutex<HedgeRt>) -> MutexGuard<'_, HedgeRt> {
    h.lock().unwrap_or_else(|p| p.into_inner())
}

impl<'a> Round<'a> {
    /// The round `(req, n, sent, first_sent)` (as `client::settle` takes it) of a logical
    /// request with `deadline` and idempotency key `idem`; its first copy is sent by
    /// [`Round::run`] (the gate has admitted it and the attempt is recorded).
    pub(super) fn new(
        (req, n, sent, first_sent): (u32, u32, Nanos, Nanos),
        deadline: Nanos,
        idem: Option<&'a str>,
    ) -> Round<'a> {
        Round {
            req,
            n,
            sent,
            first_sent,
            deadline,
            idem,
            copies: 1,
            live: 0,
            set: JoinSet::new(),
        }
    }

    /// Put copy `copy` on the wire at `sent`, in its own task.
    fn spawn(&mut self, shared: &Arc<Shared>, who: &Who<'_>, copy: u32, sent: Nanos) {
        let (timeout, horizon_left) = limits(who, sent, self.deadline, shared.log.horizon());
        // copies are not numbered as the simulator numbers them: their own network draws
        let marks = super::attempt::Marks {
            idem: self.idem,
            legs: legs(
                shared,
                &who.unnumbered(),
                self.req,
                self.n.wrapping_mul(256).wrapping_add(copy),
            ),
            ..Default::default()
        };
        let answer = exchange(shared, who, marks, timeout, horizon_left);
        let copy = u8::try_from(copy).unwrap_or(u8::MAX);
        self.set.spawn(async move { (copy, answer.await) });
        self.live += 1;
    }

    /// Ask the gates, then send the round's next copy. False when it was not sent.
    fn hedge(
        &mut self,
        shared: &Arc<Shared>,
        who: &Who<'_>,
        h: &Mutex<HedgeRt>,
        rng: &ClientJitter,
    ) -> bool {
        if self.copies >= locked(h).cfg.max_attempts {
            return false;
        }
        let now = shared.log.now();
        if let Some(mut g) = shared.gate(usize::from(who.fi)) {
            // Numbered after the round's first copy, so gates see a retry (number >= 2).
            let call = GateCall::admit(now, who.client, self.req, self.n + self.copies);
            if rng.with(|r| g.admit_call(&call, r)) != GateDecision::Allow {
                return false;
            }
        }
        if !shared.take_attempt() {
            return false;
        }
        self.copies += 1;
        shared.log.push(who.client, who.fi, Ev::Hedge);
        self.spawn(shared, who, self.copies - 1, now);
        true
    }

    /// Record the copies abandoned when the round ends with some still in flight.
    fn abandon(&self, shared: &Shared, who: &Who<'_>) {
        if self.live > 0 {
            let ev = Ev::HedgeAbandoned(self.live);
            shared.log.push(who.client, who.fi, ev);
        }
    }

    /// Run the round to its end: the winning success, or the failure that ended it (for the
    /// retry policy to decide on); `None` when the horizon came first.
    pub(super) async fn run(
        mut self,
        shared: &Arc<Shared>,
        who: &Who<'_>,
        h: &Mutex<HedgeRt>,
        rng: &ClientJitter,
    ) -> Option<AttemptResult> {
        let log = &shared.log;
        let horizon = log.horizon();
        self.spawn(shared, who, 0, self.sent);
        let mut timer = locked(h).timer_at(self.sent, self.copies, horizon, self.deadline);
        loop {
            let next = tokio::select! {
                j = self.set.join_next() => Next::Copy(j),
                () = log.sleep_until(timer.unwrap_or(horizon)), if timer.is_some() => Next::Timer,
            };
            let joined = match next {
                Next::Timer => {
                    // Nothing has answered since the last copy was sent.
                    timer = None;
                    if self.hedge(shared, who, h, rng) {
                        let now = log.now();
                        timer = locked(h).timer_at(now, self.copies, horizon, self.deadline);
                    }
                    continue;
                }
                Next::Copy(None) => return None,
                Next::Copy(Some(j)) => j,
            };
            self.live = self.live.saturating_sub(1);
            // A copy's task does not panic; one that did is a copy without an answer.
            let (copy, raw) = joined.unwrap_or((0, Raw::TimedOut));
            let result = settle(
                shared,
                who,
                raw,
                (self.req, self.n, self.sent, self.first_sent),
            )?;
            let now = log.now();
            if result.is_success() {
                locked(h).observe(now - self.sent);
                if self.copies > 1 {
                    if copy > 0 {
                        log.push(who.client, who.fi, Ev::HedgeWin);
                    }
                    self.abandon(shared, who);
                }
                return Some(result);
            }
            if result.status.is_none() && now >= self.deadline {
                // the deadline bounds every copy: the logical request gives up
                return Some(result);
            }
            let action = locked(h).after_failure(now, self.copies, self.live, &result);
            match action {
                HedgeAction::Wait => {}
                HedgeAction::Send { .. } => {
                    if self.hedge(shared, who, h, rng) {
                        timer = locked(h).timer_at(now, self.copies, horizon, self.deadline);
                    } else if self.live == 0 {
                        return Some(result);
                    }
                }
                HedgeAction::Failed | HedgeAction::Succeeded { .. } => {
                    self.abandon(shared, who);
                    return Some(result);
                }
            }
        }
    }
}
