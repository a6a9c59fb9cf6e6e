//! Retry behaviour fitted from what a log shows (issue #17): pure functions over one client's
//! requests in time order, no I/O and no clock.
//!
//! A refusal (429 or 5xx) opens a *chain* on its route; the client's next request on that
//! route within a window is read as its retry, the gap between them as the retry delay. A
//! chain ends at a success (the client recovered) or when no request follows within the window
//! (the client gave up, or stopped: a log cannot tell the two apart). From the chains of a
//! client, [`fit_client`] names the policy class (none, fixed, exponential, exponential with
//! jitter, Retry-After honoured) with its base delay, delay cap and attempt cap, as
//! [`crate::retry::RetryPolicy`] models them.
//!
//! What a log cannot show: a fresh request on the same route inside the window looks like a
//! retry (choose the route and window so that this is rare), and a chain still open when the
//! log ends is left out (censored, neither a give-up nor a recovery).

mod classify;

pub use classify::{fit_client, Class, FitParams, Fitted};

use limiters::Nanos;
use std::collections::BTreeMap;

/// One logged request of a client.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Obs {
    /// When it arrived.
    pub t: Nanos,
    /// Its route (any id the caller chose: a path template, a method and path).
    pub route: u32,
    /// The status the client got.
    pub status: u16,
    /// The `Retry-After` it was given, where the log records it.
    pub retry_after: Option<Nanos>,
}

/// Whether a status is a refusal a client may retry: 429 and 5xx.
pub fn refused(status: u16) -> bool {
    status == 429 || (500..=599).contains(&status)
}

/// One refusal chain.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Chain {
    /// The gap before each retry (retry `k` follows the `k`-th refusal of the chain).
    pub gaps: Vec<Nanos>,
    /// The `Retry-After` of the refusal before each gap.
    pub hints: Vec<Option<Nanos>>,
    /// True if the chain ended with a success, false if the client gave up.
    pub recovered: bool,
}

impl Chain {
    /// Attempts in the chain, the first (refused) one included.
    pub fn attempts(&self) -> u32 {
        self.gaps.len() as u32 + 1
    }
}

/// The chains of one client's requests `obs` (in time order); a request more than `window`
/// after a refusal on its route is not its retry.
///
/// ```
/// use limiters::Nanos;
/// use sim::retry::fit::{chains, Obs};
/// let at = |s: u64, status: u16| Obs { t: Nanos::from_secs(s), route: 0, status, retry_after: None };
/// // refused at 0, retried at 1 (refused), at 3 (ok): one recovered chain, gaps 1 s and 2 s;
/// // refused at 100, nothing follows within 60 s: a give-up; refused at 1,000: censored.
/// let log = [at(0, 429), at(1, 429), at(3, 200), at(100, 429), at(1000, 503)];
/// let c = chains(&log, Nanos::from_secs(60));
/// assert_eq!(c.len(), 2);
/// assert_eq!(c[0].gaps, vec![Nanos::from_secs(1), Nanos::from_secs(2)]);
/// assert!(c[0].recovered);
/// assert_eq!((c[1].attempts(), c[1].recovered), (1, false));
/// ```
pub fn chains(obs: &[Obs], window: Nanos) -> Vec<Chain> {
    // Per route: the time and hint of the chain's last refusal, and the chain so far.
    let mut open: BTreeMap<u32, (Nanos, Option<Nanos>, Chain)> = BTreeMap::new();
    let mut out = Vec::new();
    for o in obs {
        if let Some((last, hint, mut chain)) = open.remove(&o.route) {
            let gap = o.t.saturating_sub(last);
            if gap <= window {
                chain.gaps.push(gap);
                chain.hints.push(hint);
                if refused(o.status) {
                    open.insert(o.route, (o.t, o.retry_after, chain));
                } else {
                    chain.recovered = true;
                    out.push(chain);
                }
                continue;
            }
            out.push(chain); // nothing within the window: gave up
        }
        if refused(o.status) {
            open.insert(o.route, (o.t, o.retry_after, Chain::default()));
        }
    }
    // Chains still open at the end: given up if the log runs a window past their last
    // refusal, else censored.
    let end = obs.last().map_or(Nanos::ZERO, |o| o.t);
    for (_, (last, _, chain)) in open {
        if end.saturating_sub(last) > window {
            out.push(chain);
        }
    }
    out
}
