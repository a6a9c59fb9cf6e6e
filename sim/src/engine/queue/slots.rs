//! Where an entry goes and how the next slot becomes current: the ring's slots, the current
//! slot's sorted entries, and the window's move over the far heap.

use super::{sort, Entry, EventQueue, SLOTS, SLOT_BITS, WAYS, WORDS};

impl EventQueue {
    /// Into ring index `i` (a future slot).
    #[inline(always)]
    pub(super) fn push_ring(&mut self, i: usize, e: Entry) {
        let n = self.fill[i] as usize;
        if n < WAYS {
            self.ring[i][n] = e;
        } else {
            self.blocks.push(&mut self.spill[i], n - WAYS, e);
        }
        self.fill[i] = n as u32 + 1;
        self.occupied[i >> 6] |= 1 << (i & 63);
    }

    /// Into the current slot, after every pending entry at the same or an earlier time.
    #[inline]
    pub(super) fn push_current(&mut self, e: Entry) {
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

    /// The current slot is used up and entries remain: make the next non-empty slot current,
    /// moving far entries that enter the window into the ring. False if nothing is left.
    pub(super) fn advance(&mut self) -> bool {
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
        let n = self.fill[ni] as usize;
        self.fill[ni] = 0;
        if n > WAYS {
            self.current.extend_from_slice(&self.ring[ni]);
            self.blocks
                .drain_into(&mut self.spill[ni], n - WAYS, &mut self.current);
            sort::sort_slot(&mut self.current, &mut self.scratch, SLOT_BITS);
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
}
