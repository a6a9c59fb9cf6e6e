//! The future-event list: a binary heap ordered by `(time, sequence)`. The sequence number is
//! the insertion order, so simultaneous events run in the order they were scheduled and runs
//! are reproducible. Entries are 32 bytes and `Copy`; nothing is allocated per event beyond the
//! heap's amortised growth.

use super::Event;
use limiters::Nanos;
use std::cmp::Ordering;
use std::collections::BinaryHeap;

#[derive(Clone, Copy, Debug)]
struct Entry {
    time: u64,
    seq: u64,
    event: Event,
}

impl PartialEq for Entry {
    fn eq(&self, other: &Self) -> bool {
        self.time == other.time && self.seq == other.seq
    }
}
impl Eq for Entry {}
impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Entry {
    /// Reversed, so the max-heap pops the earliest `(time, seq)`.
    fn cmp(&self, other: &Self) -> Ordering {
        (other.time, other.seq).cmp(&(self.time, self.seq))
    }
}

/// The event queue.
///
/// ```
/// use sim::engine::{Event, EventQueue};
/// use limiters::Nanos;
/// let mut q = EventQueue::new();
/// q.push(Nanos(5), Event::CapacityChange);
/// q.push(Nanos(1), Event::Arrival { client: 2 });
/// q.push(Nanos(1), Event::Arrival { client: 1 });
/// assert_eq!(q.pop(), Some((Nanos(1), Event::Arrival { client: 2 })));
/// assert_eq!(q.pop(), Some((Nanos(1), Event::Arrival { client: 1 })));
/// assert_eq!(q.pop(), Some((Nanos(5), Event::CapacityChange)));
/// assert_eq!(q.pop(), None);
/// ```
#[derive(Debug, Default)]
pub struct EventQueue {
    heap: BinaryHeap<Entry>,
    seq: u64,
}

impl EventQueue {
    /// An empty queue.
    pub fn new() -> EventQueue {
        EventQueue::default()
    }

    /// An empty queue with room for `n` events.
    pub fn with_capacity(n: usize) -> EventQueue {
        EventQueue {
            heap: BinaryHeap::with_capacity(n),
            seq: 0,
        }
    }

    /// Schedule `event` at `time`.
    #[inline]
    pub fn push(&mut self, time: Nanos, event: Event) {
        self.seq += 1;
        self.heap.push(Entry {
            time: time.0,
            seq: self.seq,
            event,
        });
    }

    /// The earliest event.
    #[inline]
    pub fn pop(&mut self) -> Option<(Nanos, Event)> {
        self.heap.pop().map(|e| (Nanos(e.time), e.event))
    }

    /// The time of the earliest event.
    pub fn peek_time(&self) -> Option<Nanos> {
        self.heap.peek().map(|e| Nanos(e.time))
    }

    /// Events pending.
    pub fn len(&self) -> usize {
        self.heap.len()
    }

    /// True when nothing is pending.
    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_are_32_bytes() {
        assert!(std::mem::size_of::<Entry>() <= 32);
    }

    #[test]
    fn pops_in_time_then_insertion_order() {
        let mut q = EventQueue::new();
        for (t, c) in [(3, 0), (1, 1), (2, 2), (1, 3), (3, 4)] {
            q.push(Nanos(t), Event::Arrival { client: c });
        }
        let order: Vec<u32> = std::iter::from_fn(|| q.pop())
            .map(|(_, e)| match e {
                Event::Arrival { client } => client,
                _ => u32::MAX,
            })
            .collect();
        assert_eq!(order, vec![1, 3, 2, 0, 4]);
    }
}
