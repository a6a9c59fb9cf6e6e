//! The future-event list, ordered by `(time, insertion order)`: simultaneous events run in
//! the order they were scheduled, so runs are reproducible.
//!
//! It is a timing wheel, or calendar queue (R. Brown, "Calendar queues: a fast O(1) priority
//! queue implementation for the simulation event set problem", CACM 31(10), 1988; G. Varghese
//! and T. Lauck, "Hashed and hierarchical timing wheels", SOSP 1987), with a fixed slot width:
//! a ring of [`SLOTS`] slots of 2^[`SLOT_BITS`] ns (about 1 ms each, a window of about 4.4 s)
//! holds the near future, and a binary heap ordered by `(time, sequence)` holds the rest. A
//! push writes its entry into its slot and sets a bit in an occupancy map; a slot is sorted by
//! time (a stable sort, so equal times keep their insertion order) when it becomes current,
//! then popped from the front. A push into the current slot goes straight to its sorted place
//! after every entry with the same time. As the window moves on, far entries whose slot enters
//! it are moved into the ring, in `(time, sequence)` order and before any later push can reach
//! that slot, so insertion order among equal times holds across the two structures too.
//!
//! Each slot holds its first [`WAYS`] entries in place, in one flat array (slot `i` at
//! `i * WAYS`), and only further ones in a `Vec` of its own: a push is a store at an address
//! known from a small fill counter (no `Vec` header to load first), and consecutive slots are
//! adjacent in memory, so the hardware prefetcher streams them in as the window moves on. When
//! a slot becomes current its entries are sorted and popped in place (a slot that spilled, or
//! the current slot when a push reaches it, moves to one reused buffer).
//!
//! Why: a discrete-event simulation never schedules into the past and most of its delays are
//! short (network, service, retry waits of seconds), so a slot holds a handful of events and a
//! push or pop costs a few instructions and touches a few cache lines, where a binary heap of
//! thousands of entries costs a dozen dependent comparisons per pop. Entries are 24 bytes; the
//! buffers keep their allocation, so nothing is allocated per event once they have grown.

mod far;

use super::Event;
use far::FarHeap;
use limiters::Nanos;

/// 24 bytes: the time and the event of at most 16 bytes (FIFO order among equal times is kept
/// by the slots themselves; the far heap numbers its entries).
#[derive(Clone, Copy, Debug)]
struct Entry {
    time: u64,
    event: Event,
}

/// A placeholder for unused places.
const VACANT: Entry = Entry {
    time: 0,
    event: Event::CapacityChange,
};

/// A slot spans 2^`SLOT_BITS` ns (1.05 ms).
const SLOT_BITS: u32 = 20;
/// Slots in the ring (a power of two): the window is `SLOTS << SLOT_BITS` ns (4.4 s).
const SLOTS: usize = 4096;
const WORDS: usize = SLOTS / 64;
/// Entries a slot holds in place (192 bytes); more go to the slot's spill `Vec`.
const WAYS: usize = 8;

/// The event queue.
///
/// ```
/// use sim::engine::{Event, EventQueue};
/// use limiters::Nanos;
/// let mut q = EventQueue::new();
/// q.push(Nanos(5), Event::CapacityChange);
/// q.push(Nanos(1), Event::Arrival { client: 2 });
/// q.push(Nanos(1), Event::Arrival { client: 1 });
/// q.push(Nanos(3_600_000_000_000), Event::Arrival { client: 3 });
/// assert_eq!(q.pop(), Some((Nanos(1), Event::Arrival { client: 2 })));
/// assert_eq!(q.pop(), Some((Nanos(1), Event::Arrival { client: 1 })));
/// assert_eq!(q.pop(), Some((Nanos(5), Event::CapacityChange)));
/// assert_eq!(q.pop(), Some((Nanos(3_600_000_000_000), Event::Arrival { client: 3 })));
/// assert_eq!(q.pop(), None);
/// ```
#[derive(Debug)]
pub struct EventQueue {
    /// The ring: slot number `s` lives at index `s % SLOTS`, its first entries in place.
    ring: Box<[[Entry; WAYS]; SLOTS]>,
    /// Entries in place, by ring index.
    fill: Box<[u8; SLOTS]>,
    /// Entries beyond the first [`WAYS`] of a ring index, in insertion order.
    spill: Vec<Vec<Entry>>,
    /// Bit `i` set when ring index `i` holds entries of a future slot (never the current one).
    occupied: [u64; WORDS],
    /// The current slot's number (time >> `SLOT_BITS`); the window is `cur..cur + SLOTS`.
    cur: u64,
    /// The current slot's entries, sorted from `head` on (those before were popped): in its
    /// ring places up to `placed` while `placed > 0`, else in `current`.
    current: Vec<Entry>,
    head: usize,
    placed: usize,
    /// Entries beyond the window.
    far: FarHeap,
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
        let ring: Box<[[Entry; WAYS]]> = vec![[VACANT; WAYS]; SLOTS].into_boxed_slice();
        let fill: Box<[u8]> = vec![0u8; SLOTS].into_boxed_slice();
        EventQueue {
            // Lengths are the constants: the conversions cannot fail.
            ring: ring.try_into().expect("SLOTS slots"),
            fill: fill.try_into().expect("SLOTS counters"),
            spill: (0..SLOTS).map(|_| Vec::new()).collect(),
            occupied: [0; WORDS],
            cur: 0,
            current: Vec::new(),
            head: 0,
            placed: 0,
            far: FarHeap::default(),
            last: 0,
            len: 0,
        }
    }

    /// An empty queue expecting about `n` pending events: slots that will overflow their
    /// places reserve their share.
    pub fn with_capacity(n: usize) -> EventQueue {
        let mut q = EventQueue::new();
        let share = (n / SLOTS).saturating_sub(WAYS);
        if share > 0 {
            for s in &mut q.spill {
                s.reserve(share);
            }
        }
        q
    }

    /// Schedule `event` at `time`. A time before the last popped event's is treated as that
    /// time (the past cannot be scheduled).
    ///
    /// Always inlined: called, it takes the event by pointer, and loading it 8 bytes at
    /// a time from the caller's narrower stores stalls store forwarding on every push.
    #[inline(always)]
    pub fn push(&mut self, time: Nanos, event: Event) {
        let time = time.0.max(self.last);
        let e = Entry { time, event };
        self.len += 1;
        let s = time >> SLOT_BITS;
        if s <= self.cur {
            self.push_current(e);
        } else if s - self.cur < SLOTS as u64 {
            self.push_ring((s as usize) & (SLOTS - 1), e);
        } else {
            self.far.push(e);
        }
    }

    /// Into ring index `i` (a future slot).
    #[inline(always)]
    fn push_ring(&mut self, i: usize, e: Entry) {
        let n = usize::from(self.fill[i]);
        if n < WAYS {
            self.ring[i][n] = e;
            self.fill[i] = n as u8 + 1;
        } else {
            self.spill[i].push(e);
        }
        self.occupied[i >> 6] |= 1 << (i & 63);
    }

    /// Into the current slot, after every pending entry at the same or an earlier time.
    #[inline]
    fn push_current(&mut self, e: Entry) {
        if self.placed > 0 {
            // Move the pending entries out of the ring places, where there may be no room.
            let ci = (self.cur as usize) & (SLOTS - 1);
            self.current
                .extend_from_slice(&self.ring[ci][self.head..self.placed]);
            self.head = 0;
            self.placed = 0;
        }
        let slot = &mut self.current;
        match slot.last() {
            Some(l) if l.time > e.time && slot.len() > self.head => {
                let pos = self.head + slot[self.head..].partition_point(|x| x.time <= e.time);
                slot.insert(pos, e);
            }
            _ => slot.push(e),
        }
    }

    /// The earliest event (among equal times, the first scheduled).
    #[inline]
    pub fn pop(&mut self) -> Option<(Nanos, Event)> {
        loop {
            if self.head < self.placed {
                // `head < placed <= WAYS`: the mask changes nothing and spares a bounds check.
                let e = self.ring[(self.cur as usize) & (SLOTS - 1)][self.head & (WAYS - 1)];
                self.head += 1;
                self.len -= 1;
                self.last = e.time;
                return Some((Nanos(e.time), e.event));
            }
            if let Some(e) = self.current.get(self.head) {
                let e = *e;
                self.head += 1;
                self.len -= 1;
                self.last = e.time;
                return Some((Nanos(e.time), e.event));
            }
            if self.len == 0 || !self.advance() {
                return None;
            }
        }
    }

    /// The current slot is used up and entries remain: make the next non-empty slot current,
    /// moving far entries that enter the window into the ring. False if nothing is left.
    fn advance(&mut self) -> bool {
        let ci = (self.cur as usize) & (SLOTS - 1);
        self.current.clear();
        self.head = 0;
        self.placed = 0;
        let near = self.next_occupied(ci).map_or(u64::MAX, |d| self.cur + d);
        let far = self.far.min_slot(SLOT_BITS);
        if near == u64::MAX && far == u64::MAX {
            return false;
        }
        self.cur = near.min(far);
        let end = self.cur + SLOTS as u64;
        // The ring indices of the slots entering the window were the old current slot and
        // skipped empty ones: they are empty, and no push has reached them yet.
        while let Some(e) = self.far.pop_before_slot(end, SLOT_BITS) {
            self.push_ring(((e.time >> SLOT_BITS) as usize) & (SLOTS - 1), e);
        }
        let ni = (self.cur as usize) & (SLOTS - 1);
        self.occupied[ni >> 6] &= !(1 << (ni & 63));
        let n = usize::from(self.fill[ni]);
        self.fill[ni] = 0;
        if n == WAYS && !self.spill[ni].is_empty() {
            self.current.extend_from_slice(&self.ring[ni]);
            self.current.append(&mut self.spill[ni]);
            self.current.sort_by_key(|e| e.time);
        } else {
            // Popped where they are.
            self.ring[ni][..n].sort_by_key(|e| e.time);
            self.placed = n;
        }
        true
    }

    /// Distance (1..SLOTS) from ring index `ci` to the next occupied one, going round.
    fn next_occupied(&self, ci: usize) -> Option<u64> {
        let mut w = ci >> 6;
        let b = ci & 63;
        let mut bits = if b == 63 {
            0
        } else {
            self.occupied[w] & (!0u64 << (b + 1))
        };
        for _ in 0..=WORDS {
            if bits != 0 {
                let i = w * 64 + bits.trailing_zeros() as usize;
                return Some(((i + SLOTS - ci) % SLOTS) as u64);
            }
            w = (w + 1) % WORDS;
            bits = self.occupied[w];
        }
        None
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
    fn entries_are_24_bytes() {
        assert!(std::mem::size_of::<Entry>() <= 24);
    }

    /// More entries than a slot holds in place: the spill keeps insertion order among equal
    /// times, and far entries moved in land behind earlier pushes.
    #[test]
    fn a_crowded_slot_spills_in_order() {
        let w = 1u64 << SLOT_BITS;
        let mut q = EventQueue::new();
        let mut expected = Vec::new();
        for c in 0..(3 * WAYS as u32) {
            // Two times in one future slot, pushed alternately.
            let t = 5 * w + u64::from(c % 2);
            q.push(Nanos(t), arrival(c));
            expected.push((t, c));
        }
        expected.sort_by_key(|&(t, _)| t);
        let got: Vec<(u64, u32)> = std::iter::from_fn(|| q.pop())
            .map(|(t, e)| (t.0, client_of(e)))
            .collect();
        assert_eq!(got, expected);
        // Again after the queue moved on, so slots are reused.
        let base = 2 * SLOTS as u64 * w;
        for c in 0..(2 * WAYS as u32) {
            q.push(Nanos(base + u64::from(c)), arrival(c));
        }
        assert_eq!(q.len(), 2 * WAYS);
        for c in 0..(2 * WAYS as u32) {
            assert_eq!(q.pop(), Some((Nanos(base + u64::from(c)), arrival(c))));
        }
        assert!(q.is_empty());
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

    fn arrival(client: u32) -> Event {
        Event::Arrival { client }
    }

    fn client_of(e: Event) -> u32 {
        match e {
            Event::Arrival { client } => client,
            _ => u32::MAX,
        }
    }

    #[test]
    fn equal_times_keep_insertion_order_across_the_far_heap() {
        let w = 1u64 << SLOT_BITS;
        let far_t = 10 * SLOTS as u64 * w + 7;
        let mut q = EventQueue::new();
        q.push(Nanos(far_t), arrival(1)); // beyond the window: the far heap
        q.push(Nanos(far_t - 3 * w), arrival(0));
        // Step the window forward until `far_t` is inside it, then push the same time again.
        let mut t = 0;
        while t + (SLOTS as u64 - 2) * w < far_t {
            t += w * 100;
            q.push(Nanos(t), arrival(100));
            assert_eq!(q.pop(), Some((Nanos(t), arrival(100))));
        }
        q.push(Nanos(far_t), arrival(2));
        q.push(Nanos(far_t), arrival(3));
        let rest: Vec<u32> = std::iter::from_fn(|| q.pop())
            .map(|(_, e)| client_of(e))
            .collect();
        assert_eq!(rest, vec![0, 1, 2, 3]);
    }

    #[test]
    fn pushes_into_the_current_slot_land_in_time_order() {
        let mut q = EventQueue::new();
        for (t, c) in [(100, 0), (300, 1), (200, 2)] {
            q.push(Nanos(t), arrival(c));
        }
        assert_eq!(q.pop(), Some((Nanos(100), arrival(0))));
        // Now the slot is current and sorted: a push goes to its place among pending entries.
        q.push(Nanos(250), arrival(3));
        q.push(Nanos(200), arrival(4));
        q.push(Nanos(50), arrival(5)); // the past: runs now, before everything pending
        let order: Vec<(u64, u32)> = std::iter::from_fn(|| q.pop())
            .map(|(t, e)| (t.0, client_of(e)))
            .collect();
        assert_eq!(
            order,
            vec![(100, 5), (200, 2), (200, 4), (250, 3), (300, 1)]
        );
    }

    #[test]
    fn sparse_and_extreme_times() {
        let mut q = EventQueue::new();
        q.push(Nanos(u64::MAX), arrival(3));
        q.push(Nanos(u64::MAX - 1), arrival(2));
        q.push(Nanos(1 << 50), arrival(1));
        q.push(Nanos(0), arrival(0));
        let order: Vec<u32> = std::iter::from_fn(|| q.pop())
            .map(|(_, e)| client_of(e))
            .collect();
        assert_eq!(order, vec![0, 1, 2, 3]);
        assert!(q.is_empty());
        q.push(Nanos(5), arrival(9)); // the past after u64::MAX: clamped, still popped
        assert_eq!(q.pop(), Some((Nanos(u64::MAX), arrival(9))));
    }

    /// The fleet-429 pattern: events 0 to 15 s ahead of a moving present (ring and far heap).
    #[test]
    fn seconds_ahead_match_a_sorted_reference() {
        let mut rng = Stream::from_seed(9);
        let mut q = EventQueue::new();
        let (mut reference, mut popped) = (Vec::new(), Vec::new());
        let (mut now, mut seq) = (0u64, 0u32);
        for i in 0..50_000u32 {
            let t = now + rng.gen_range(0..15_000_000_000u64) / rng.gen_range(1..4u64);
            // Some ties on purpose.
            let t = if i % 7 == 0 { t - t % 1_000_000 } else { t };
            seq += 1;
            q.push(Nanos(t), arrival(seq));
            reference.push((t, seq));
            if i % 3 != 0 {
                let (t, e) = q.pop().unwrap_or((Nanos(0), arrival(0)));
                now = t.0;
                popped.push((t.0, client_of(e)));
            }
        }
        popped.extend(std::iter::from_fn(|| q.pop()).map(|(t, e)| (t.0, client_of(e))));
        reference.sort_unstable();
        assert_eq!(popped, reference);
    }

    proptest! {
        /// Gaps from nanoseconds to hours: the current slot, the ring, the far heap.
        #[test]
        fn any_monotone_schedule_at_any_scale_pops_sorted(
            steps in proptest::collection::vec((0u64..50, 0u32..44, 0usize..4), 1..300)
        ) {
            let mut q = EventQueue::new();
            let (mut now, mut seq) = (0u64, 0u32);
            let (mut expected, mut got) = (Vec::new(), Vec::new());
            for (gap, shift, pushes) in steps {
                for k in 0..pushes {
                    seq += 1;
                    let t = now + (gap << shift) * k as u64;
                    q.push(Nanos(t), arrival(seq));
                    expected.push((t, seq));
                }
                if let Some((t, e)) = q.pop() {
                    prop_assert!(t.0 >= now);
                    now = t.0;
                    got.push((t.0, client_of(e)));
                }
            }
            got.extend(std::iter::from_fn(|| q.pop()).map(|(t, e)| (t.0, client_of(e))));
            expected.sort_unstable();
            prop_assert_eq!(got, expected);
        }
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
