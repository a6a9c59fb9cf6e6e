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
//! `i * WAYS`), and only further ones in a chain of blocks from one shared pool (`blocks`): a
//! push is a store at an address known from a small fill counter (no `Vec` header to load
//! first), and consecutive slots are adjacent in memory, so the hardware prefetcher streams
//! them in as the window moves on. When a slot becomes current its entries are sorted and
//! popped in place, or, when it spilled, gathered into one reused buffer, sorted there by a
//! stable radix sort on the time's bits within the slot (`sort`), and their blocks returned to
//! the pool (the current slot also moves to that buffer when a push reaches it).
//!
//! Scale (issue #19): with a million clients a slot holds about 2,900 events. A `Vec` per slot
//! kept every slot's peak capacity (about 400 MB for about 30 MB pending) and a comparison sort
//! cost `log2 n` comparisons an event; the block pool follows what is pending and the radix sort
//! is two linear passes, so the cost per event stays flat as the fleet grows.
//!
//! Why: a discrete-event simulation never schedules into the past and most of its delays are
//! short (network, service, retry waits of seconds), so a slot holds a handful of events and a
//! push or pop costs a few instructions and touches a few cache lines, where a binary heap of
//! thousands of entries costs a dozen dependent comparisons per pop. Entries are 24 bytes; the
//! buffers keep their allocation, so nothing is allocated per event once they have grown.

mod blocks;
mod far;
mod slots;
mod sort;
#[cfg(test)]
mod tests;

use super::Event;
use blocks::{Blocks, Chain};
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
/// Entries a slot holds in place (192 bytes); more go to the slot's chain of blocks.
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
    /// Entries of ring index `i`: the first [`WAYS`] in place, the rest in `spill[i]`.
    fill: Box<[u32; SLOTS]>,
    /// Entries beyond the first [`WAYS`] of a ring index, in insertion order, in blocks of
    /// `blocks`.
    spill: Box<[Chain; SLOTS]>,
    /// The blocks of every slot's spill.
    blocks: Blocks,
    /// The radix sort's buffer.
    scratch: Vec<Entry>,
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
        let fill: Box<[u32]> = vec![0u32; SLOTS].into_boxed_slice();
        let spill: Box<[Chain]> = vec![Chain::EMPTY; SLOTS].into_boxed_slice();
        EventQueue {
            // Lengths are the constants: the conversions cannot fail.
            ring: ring.try_into().expect("SLOTS slots"),
            fill: fill.try_into().expect("SLOTS counters"),
            spill: spill.try_into().expect("SLOTS chains"),
            blocks: Blocks::default(),
            scratch: Vec::new(),
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

    /// An empty queue expecting about `n` pending events: the blocks of crowded slots reserve
    /// room for them.
    pub fn with_capacity(n: usize) -> EventQueue {
        let mut q = EventQueue::new();
        q.blocks.reserve(n);
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

    /// The event `k` places after the next one to pop, if it is in the current slot (the
    /// world reads it to warm the caches for it, `engine::warm`).
    #[inline]
    pub fn peek_ahead(&self, k: usize) -> Option<Event> {
        let at = self.head + k;
        if self.placed > 0 {
            let ci = (self.cur as usize) & (SLOTS - 1);
            (at < self.placed).then(|| self.ring[ci][at & (WAYS - 1)].event)
        } else {
            self.current.get(at).map(|e| e.event)
        }
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
