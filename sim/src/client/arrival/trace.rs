//! A trace arrival process: each client sends its logical requests at given times, taken from
//! an access log (issue #17's closed-loop replay), instead of drawing them from a random
//! process. The rest of the way of a request is the simulator's own: a refused attempt is
//! retried as the fleet's retry policy says, so the retries a candidate limit causes are
//! generated, not copied from the log.
//!
//! Only *original* requests belong in a trace: the log also holds the retries the limit that
//! wrote it caused, and those must be dropped or the replay would count them twice (once as
//! logged, once as regenerated). [`originals`] reads a client's logged requests the way
//! `sim::retry::fit::chains` does: a request on the same route within the retry window after
//! a refusal (429 or 5xx) is that refusal's retry; every other request is an original.
//!
//! Memory: one `u64` (8 bytes) per original request and one `u64` (8 bytes) per client, in two
//! flat arrays shared by every run of the trace (an `Arc`), so replaying several candidate
//! limits holds one copy. A client's next arrival is its logical request count as an index:
//! no cursor per client.

use crate::retry::fit::{refused, Obs};
use limiters::Nanos;
use std::collections::BTreeMap;

/// Per-client arrival times, flat.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Trace {
    /// Every client's times, client after client, each client's sorted.
    times: Vec<u64>,
    /// `starts[i]..starts[i + 1]` are client `i`'s times (`clients + 1` entries).
    starts: Vec<u64>,
}

/// Bytes a trace holds per request (see the module docs).
pub const BYTES_PER_REQUEST: u64 = 8;
/// Bytes a trace holds per client.
pub const BYTES_PER_CLIENT: u64 = 8;

impl Trace {
    /// A trace of `clients`, each a list of arrival times in any order (sorted here; requests
    /// at the same instant are kept, in order).
    ///
    /// ```
    /// use limiters::Nanos;
    /// use sim::client::Trace;
    /// let t = Trace::new(vec![vec![Nanos(5), Nanos(1)], vec![], vec![Nanos(2)]]);
    /// assert_eq!((t.clients(), t.len()), (3, 3));
    /// assert_eq!(t.at(0, 0), Some(Nanos(1)));
    /// assert_eq!(t.at(0, 1), Some(Nanos(5)));
    /// assert_eq!(t.at(0, 2), None);
    /// assert_eq!(t.at(1, 0), None);
    /// assert_eq!(t.at(2, 0), Some(Nanos(2)));
    /// ```
    pub fn new(clients: Vec<Vec<Nanos>>) -> Trace {
        let mut t = Trace::default();
        t.starts.push(0);
        for mut c in clients {
            c.sort_unstable();
            t.times.extend(c.iter().map(|n| n.0));
            t.starts.push(t.times.len() as u64);
        }
        t
    }

    /// Clients in the trace.
    pub fn clients(&self) -> u32 {
        self.starts.len().saturating_sub(1) as u32
    }

    /// Requests in the trace.
    pub fn len(&self) -> usize {
        self.times.len()
    }

    /// True without a request.
    pub fn is_empty(&self) -> bool {
        self.times.is_empty()
    }

    /// Requests of client `c`.
    pub fn of(&self, c: u32) -> &[u64] {
        let c = c as usize;
        match (self.starts.get(c), self.starts.get(c + 1)) {
            (Some(&a), Some(&b)) => &self.times[a as usize..b as usize],
            _ => &[],
        }
    }

    /// The `k`-th arrival (from 0) of client `c`, if it has one.
    #[inline]
    pub fn at(&self, c: u32, k: u32) -> Option<Nanos> {
        self.of(c).get(k as usize).map(|&t| Nanos(t))
    }

    /// The last arrival of any client.
    pub fn last(&self) -> Option<Nanos> {
        (0..self.clients())
            .filter_map(|c| self.of(c).last().copied())
            .max()
            .map(Nanos)
    }

    /// Bytes the trace holds.
    pub fn bytes(&self) -> u64 {
        BYTES_PER_REQUEST * self.times.len() as u64 + BYTES_PER_CLIENT * self.starts.len() as u64
    }
}

/// The original requests among one client's logged requests `obs` (in time order): a request
/// on the same route as a refusal (429 or 5xx) and at most `window` after it is that refusal's
/// retry, and is dropped; so is every further retry of the chain (the chain goes on while the
/// retries are refused and each follows the last within `window`).
///
/// ```
/// use limiters::Nanos;
/// use sim::client::originals;
/// use sim::retry::fit::Obs;
/// let at = |s: u64, route: u32, status: u16| Obs { t: Nanos::from_secs(s), route, status, retry_after: None };
/// // 0: refused; 1: its retry (refused); 3: its second retry (ok); 5: on another route;
/// // 100: more than 60 s after the last refusal: a new request.
/// let log = [at(0, 0, 429), at(1, 0, 429), at(3, 0, 200), at(5, 1, 200), at(100, 0, 200)];
/// let o = originals(&log, Nanos::from_secs(60));
/// assert_eq!(o, vec![Nanos::from_secs(0), Nanos::from_secs(5), Nanos::from_secs(100)]);
/// ```
pub fn originals(obs: &[Obs], window: Nanos) -> Vec<Nanos> {
    // Per route: the time of the open chain's last refusal.
    let mut open: BTreeMap<u32, Nanos> = BTreeMap::new();
    let mut out = Vec::new();
    for o in obs {
        if let Some(last) = open.remove(&o.route) {
            if o.t.saturating_sub(last) <= window {
                if refused(o.status) {
                    open.insert(o.route, o.t);
                }
                continue;
            }
        }
        out.push(o.t);
        if refused(o.status) {
            open.insert(o.route, o.t);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obs(s: u64, status: u16) -> Obs {
        Obs {
            t: Nanos::from_secs(s),
            route: 7,
            status,
            retry_after: None,
        }
    }

    #[test]
    fn retries_are_dropped_only_inside_the_window() {
        let log = [
            obs(0, 200),
            obs(1, 503),
            obs(2, 503), // retry
            obs(4, 200), // retry, chain ends
            obs(5, 200), // original: the chain is closed
            obs(6, 429),
            obs(20, 200), // 14 s later: outside a 10 s window, an original
        ];
        let o: Vec<u64> = originals(&log, Nanos::from_secs(10))
            .iter()
            .map(|n| n.as_secs())
            .collect();
        assert_eq!(o, vec![0, 1, 5, 6, 20]);
        // Nothing refused: everything is original.
        let ok: Vec<Obs> = (0..5).map(|s| obs(s, 200)).collect();
        assert_eq!(originals(&ok, Nanos::from_secs(10)).len(), 5);
    }

    #[test]
    fn flat_arrays_and_their_bytes() {
        let t = Trace::new(vec![vec![Nanos(3), Nanos(3), Nanos(1)], vec![Nanos(9)]]);
        assert_eq!(t.of(0), &[1, 3, 3]);
        assert_eq!(t.of(5), &[] as &[u64]);
        assert_eq!(t.last(), Some(Nanos(9)));
        assert_eq!(t.bytes(), 4 * 8 + 3 * 8);
        assert!(!t.is_empty());
    }
}
