//! The far future of the event queue: events beyond the wheel's window, in a binary heap
//! ordered by `(time, sequence number)`. They are few when the wheel's window covers the usual
//! delays, and they leave the heap in order, so moving them into the wheel keeps insertion
//! order among equal times.

use super::Entry;
use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// An entry with its sequence number (ties on time resolve in insertion order).
#[derive(Clone, Copy, Debug)]
struct Far {
    time: u64,
    seq: u64,
    entry: Entry,
}

impl PartialEq for Far {
    fn eq(&self, other: &Far) -> bool {
        (self.time, self.seq) == (other.time, other.seq)
    }
}

impl Eq for Far {}

impl PartialOrd for Far {
    fn partial_cmp(&self, other: &Far) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Far {
    /// Reversed: `BinaryHeap` is a max-heap and the earliest entry must come out first.
    fn cmp(&self, other: &Far) -> Ordering {
        (other.time, other.seq).cmp(&(self.time, self.seq))
    }
}

/// The far-future heap.
#[derive(Debug, Default)]
pub(super) struct FarHeap {
    heap: BinaryHeap<Far>,
    seq: u64,
}

impl FarHeap {
    pub fn push(&mut self, entry: Entry) {
        self.seq += 1;
        self.heap.push(Far {
            time: entry.time,
            seq: self.seq,
            entry,
        });
    }

    /// The slot number (`time >> bits`) of the earliest entry (`u64::MAX` when empty).
    pub fn min_slot(&self, bits: u32) -> u64 {
        self.heap.peek().map_or(u64::MAX, |f| f.time >> bits)
    }

    /// Take the earliest entry if its slot number (`time >> bits`) is before `end`.
    pub fn pop_before_slot(&mut self, end: u64, bits: u32) -> Option<Entry> {
        if self.min_slot(bits) < end {
            self.heap.pop().map(|f| f.entry)
        } else {
            None
        }
    }
}
