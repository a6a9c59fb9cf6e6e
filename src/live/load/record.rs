//! What a live run observed, turned into the simulator's own result type.
//!
//! Client tasks append timestamped observations (a logical request started, an attempt was
//! sent, a status came back, a timeout, a success, a give-up, a retry delay) to one log; the
//! wall clock is read here, at the edge, and converted to [`Nanos`] since the run's start.
//! At the end the log is sorted by time and replayed into a `sim::metrics::Recorder`, the
//! same counters, time-series buckets, latency histograms and derived figures as a simulated
//! run, and assembled into a `sim::RunResult` as `sim::run` assembles its own. Replaying at
//! the end means the recorder knows every status the run saw before it is built (it counts
//! statuses in dense columns fixed at construction), and observations at or after the horizon
//! are dropped, as the simulator drops everything after its horizon. The server's gauges
//! (queue, busy workers, limiter state) and its wasted work are not the client's to see: they
//! come from readings of the server taken during the run ([`super::gauges::Feed`]).

use limiters::Nanos;
use sim::retry::GiveUpReason;
use std::sync::Mutex;
use std::time::Instant;

/// One observation of a client.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ev {
    /// A logical request started.
    Logical,
    /// An attempt was sent (`retry`: not the first of its logical request).
    Attempt {
        /// A retry.
        retry: bool,
    },
    /// The server answered with this status.
    Response(u16),
    /// The attempt's answer shows the limiters admitted it.
    Admitted,
    /// The limiters' verdict on an attempt (admitted, or refused with `status`), logged at the
    /// moment the attempt was sent: the server decides on its arrival, a loopback hop later,
    /// where the answer comes back after the backend's work. Logged for a deployment only,
    /// whose over- and under-admission figures charge an exact limiter with each verdict at
    /// its decision time, as the simulator does.
    Verdict {
        /// Admitted by the limiters.
        admitted: bool,
        /// The answer's status.
        status: u16,
    },
    /// The client abandoned an attempt on its timeout (or got no answer).
    Timeout,
    /// The logical request succeeded after this latency (first send to final answer).
    Success(Nanos),
    /// The logical request was abandoned.
    GiveUp(GiveUpReason),
    /// The retry policy chose this wait.
    RetryDelay(Nanos),
    /// A hedge was sent: a further copy of an attempt still in flight.
    Hedge,
    /// A hedged round succeeded with a hedge's answer (not the first copy's).
    HedgeWin,
    /// A round ended (a success or a fatal failure) with this many copies still in flight.
    HedgeAbandoned(u32),
}

#[derive(Clone, Copy, Debug)]
struct Entry {
    at: Nanos,
    client: u32,
    fleet: u16,
    ev: Ev,
}

/// The shared observation log of a run.
#[derive(Debug)]
pub struct Log {
    start: Instant,
    /// Unix time of `start`, in nanoseconds.
    start_unix_ns: u64,
    horizon: Nanos,
    entries: Mutex<Vec<Entry>>,
}

impl Log {
    /// A log whose time zero is `start`; observations at or after `horizon` are dropped.
    pub fn new(start: Instant, horizon: Nanos) -> Log {
        let since = u64::try_from(start.elapsed().as_nanos()).unwrap_or(u64::MAX);
        Log {
            start,
            start_unix_ns: crate::live::respond::unix_now().0.saturating_sub(since),
            horizon,
            entries: Mutex::new(Vec::with_capacity(1 << 16)),
        }
    }

    /// The run's time of Unix time `unix_ns` (0 before the start).
    pub fn of_unix(&self, unix_ns: u64) -> Nanos {
        Nanos(unix_ns.saturating_sub(self.start_unix_ns))
    }

    /// Unix time of the run's start, in nanoseconds.
    pub fn start_unix_ns(&self) -> u64 {
        self.start_unix_ns
    }

    /// Time since the run's start.
    pub fn now(&self) -> Nanos {
        Nanos::from(self.start.elapsed())
    }

    /// Sleep until `at` since the run's start.
    pub async fn sleep_until(&self, at: Nanos) {
        tokio::time::sleep_until((self.start + std::time::Duration::from(at)).into()).await;
    }

    /// The run's horizon.
    pub fn horizon(&self) -> Nanos {
        self.horizon
    }

    /// Record `ev` of client `client` (global index) of fleet `fleet`, now.
    pub fn push(&self, client: u32, fleet: u16, ev: Ev) {
        self.push_at(self.now(), client, fleet, ev);
    }

    /// Record `ev` at `at`.
    pub(super) fn push_at(&self, at: Nanos, client: u32, fleet: u16, ev: Ev) {
        if at >= self.horizon {
            return;
        }
        self.entries
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(Entry {
                at,
                client,
                fleet,
                ev,
            });
    }

    fn take(&self) -> Vec<Entry> {
        std::mem::take(&mut *self.entries.lock().unwrap_or_else(|p| p.into_inner()))
    }
}

mod assemble;

pub use assemble::assemble;

#[cfg(test)]
mod tests;
