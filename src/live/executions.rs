//! Duplicate executions, counted by the server as the simulator counts them: a load client
//! of a fleet whose requests are not idempotent (`idempotent = false`) tags every attempt of a
//! logical request with the same `X-Throttlelab-Request` value; each time the backend executes
//! an attempt to completion (the simulator's `executed`: not an injected error, not cut by the
//! deadline), the tag is looked up, and an execution of a tag already executed is a duplicate
//! (seed 004's SDK without an Idempotency-Key: a timed-out analysis "runs twice").
//!
//! Memory is bounded: at most [`CAPACITY`] tags are remembered, the oldest forgotten first (a
//! logical request older than a million others no longer retries).

use std::collections::{HashSet, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::Mutex;

/// The request header carrying a logical request's tag.
pub const HEADER: &str = "x-throttlelab-request";

/// Tags remembered at most.
pub const CAPACITY: usize = 1_000_000;

/// The tags executed so far and the duplicates.
#[derive(Debug, Default)]
pub struct Executions {
    seen: Mutex<(HashSet<String>, VecDeque<String>)>,
    duplicates: AtomicU64,
}

impl Executions {
    /// The backend executed an attempt tagged `tag`: true when it is a duplicate.
    pub fn executed(&self, tag: &str) -> bool {
        let mut g = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        let (set, order) = &mut *g;
        if set.contains(tag) {
            self.duplicates.fetch_add(1, Relaxed);
            return true;
        }
        if set.len() >= CAPACITY {
            if let Some(old) = order.pop_front() {
                set.remove(&old);
            }
        }
        set.insert(tag.to_string());
        order.push_back(tag.to_string());
        false
    }

    /// Duplicate executions so far.
    pub fn duplicates(&self) -> u64 {
        self.duplicates.load(Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_execution_of_a_tag_is_a_duplicate() {
        let e = Executions::default();
        assert!(!e.executed("0.1.7"));
        assert!(!e.executed("0.1.8"));
        assert!(e.executed("0.1.7"));
        assert!(e.executed("0.1.7"));
        assert_eq!(e.duplicates(), 2);
    }
}
