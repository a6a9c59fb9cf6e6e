//! The future-event list, ordered by `(time, insertion order)`: simultaneous events run in
//! the order they were scheduled, so runs are reproducible.
//!
//! It is a radix heap (Ahuja, Mehlhorn, Orlin and Tarjan, "Faster algorithms for the shortest
//! path problem", J. ACM 37(2), 1990) over the integer time: a discrete-event simulation never
//! schedules into the past, so keys never fall below the last one popped, which is the
//! monotone-priority-queue setting a radix heap needs. An entry lives in bucket `i` = the
//! position of the highest bit where its time differs from the last popped time; a pop empties
//! the lowest non-empty bucket by redistributing it into lower ones. Entries with equal times
//! always share a bucket and are moved in order, and bucket 0 is first-in first-out, so no
//! sequence number is needed. Entries are 24 bytes; buckets are `Vec`s that keep their
//! allocation (nothing is allocated per event once they have grown).

use super::Event;
use limiters::Nanos;

/// 24 bytes: the time and the 12-byte event (no sequence number: FIFO order among equal times
/// is kept by the buckets themselves).
#[derive(Clone, Copy, Debug)]
struct Entry {
    time: u64,
    event: Event,
}

/// Buckets 1..=64 by the highest differing bit; bucket 0 (equal to `last`) is separate.
const BUCKETS: usize = 65;

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
#[derive(Debug)]
pub struct EventQueue {
    buckets: Vec<Vec<Entry>>,
    /// Bit `i` set when bucket `i` (1..=64) is non-empty.
    occupied: u128,
    /// Bucket 0: entries at exactly `last`, popped from `head` on (first in, first out).
    zero: Vec<Entry>,
    head: usize,
    last: u64,
    len: usize,
}

impl Default for EventQueue {
    fn default() -> Self {
        EventQueue::new()
    }
}

impl EventQueue {
    /// An empty queue.
    pub fn new() -> EventQueue {
        EventQueue {
            buckets: (0..BUCKETS).map(|_| Vec::new()).collect(),
            occupied: 0,
            zero: Vec::new(),
            head: 0,
            last: 0,
            len: 0,
        }
    }

    /// An empty queue with room for `n` events in its widest bucket.
    pub fn with_capacity(n: usize) -> EventQueue {
        let mut q = EventQueue::new();
        q.buckets[BUCKETS - 1].reserve(n);
        q
    }

    #[inline]
    fn insert(&mut self, e: Entry) {
        let x = e.time ^ self.last;
        if x == 0 {
            self.zero.push(e);
        } else {
            let b = (64 - x.leading_zeros()) as usize;
            self.buckets[b].push(e);
            self.occupied |= 1 << b;
        }
    }

    /// Schedule `event` at `time`. A time before the last popped event's is treated as that
    /// time (the past cannot be scheduled).
    #[inline]
    pub fn push(&mut self, time: Nanos, event: Event) {
        self.len += 1;
        self.insert(Entry {
            time: time.0.max(self.last),
            event,
        });
    }

    /// The earliest event (among equal times, the first scheduled).
    #[inline]
    pub fn pop(&mut self) -> Option<(Nanos, Event)> {
        if self.head == self.zero.len() {
            self.zero.clear();
            self.head = 0;
            if self.occupied == 0 {
                return None;
            }
            let i = self.occupied.trailing_zeros() as usize;
            self.occupied &= !(1 << i);
            let mut moving = std::mem::take(&mut self.buckets[i]);
            self.last = moving.iter().map(|e| e.time).min().unwrap_or(self.last);
            // In order: entries with equal times stay in scheduling order.
            for e in moving.drain(..) {
                self.insert(e);
            }
            // Keep the allocation (entries only move to lower buckets, so `i` is empty).
            self.buckets[i] = moving;
        }
        let e = *self.zero.get(self.head)?;
        self.head += 1;
        self.len -= 1;
        Some((Nanos(e.time), e.event))
    }

    /// Events pending.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when nothing is pending.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Stream;
    use proptest::prelude::*;
    use rand::Rng;

    #[test]
    fn entries_are_32_bytes() {
        assert!(std::mem::size_of::<Entry>() <= 24);
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
        assert!(q.is_empty());
    }

    #[test]
    fn interleaved_pushes_and_pops_match_a_sorted_reference() {
        let mut rng = Stream::from_seed(4);
        let mut q = EventQueue::new();
        let mut reference: Vec<(u64, u64)> = Vec::new();
        let (mut now, mut seq, mut popped) = (0u64, 0u64, Vec::new());
        for i in 0..20_000u32 {
            let n = rng.gen_range(0..3);
            for _ in 0..n {
                let t = now + rng.gen_range(0..1_000u64) * rng.gen_range(0..3u64);
                seq += 1;
                q.push(Nanos(t), Event::Arrival { client: seq as u32 });
                reference.push((t, seq));
            }
            if i % 2 == 0 {
                if let Some((t, Event::Arrival { client })) = q.pop() {
                    now = t.0;
                    popped.push((t.0, u64::from(client)));
                }
            }
        }
        while let Some((t, Event::Arrival { client })) = q.pop() {
            popped.push((t.0, u64::from(client)));
        }
        reference.sort_unstable();
        assert_eq!(popped, reference);
    }

    proptest! {
        #[test]
        fn any_monotone_schedule_pops_sorted(gaps in proptest::collection::vec((0u64..50, 0usize..4), 1..300)) {
            let mut q = EventQueue::new();
            let mut now = 0u64;
            let mut seq = 0u32;
            let mut expected = Vec::new();
            let mut got = Vec::new();
            for (gap, pushes) in gaps {
                for k in 0..pushes {
                    seq += 1;
                    let t = now + gap * k as u64;
                    q.push(Nanos(t), Event::Arrival { client: seq });
                    expected.push((t, seq));
                }
                if let Some((t, Event::Arrival { client })) = q.pop() {
                    prop_assert!(t.0 >= now);
                    now = t.0;
                    got.push((t.0, client));
                }
            }
            while let Some((t, Event::Arrival { client })) = q.pop() {
                got.push((t.0, client));
            }
            expected.sort_unstable();
            prop_assert_eq!(got, expected);
        }
    }
}
