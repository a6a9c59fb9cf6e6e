//! The storage of crowded slots: chains of fixed-size blocks drawn from one shared pool, a
//! block returned to the pool as soon as its slot has been sorted.
//!
//! Why: a slot keeps its first few entries in place and the rest elsewhere. With a `Vec` per
//! slot, every slot kept the capacity of the most it ever held: with a million clients (about
//! 2,900 events a 1 ms slot) the 4,096 slots held about 400 MB of capacity for about 30 MB of
//! pending events, 400 bytes a client. Blocks from a shared pool make the storage follow what
//! is pending (plus at most one partly filled block per slot), and a freed block is reused
//! first, while it is still in the cache (a free list, as the buckets of a ladder queue or the
//! slab of a timing wheel do).

use super::Entry;

/// Entries per block (768 bytes).
pub(super) const BLOCK: usize = 32;
/// No block.
const NONE: u32 = u32::MAX;

/// A chain of blocks: its first and last block (`NONE` when empty).
#[derive(Clone, Copy, Debug)]
pub(super) struct Chain {
    head: u32,
    tail: u32,
}

impl Chain {
    /// No blocks.
    pub const EMPTY: Chain = Chain {
        head: NONE,
        tail: NONE,
    };
}

/// The pool: block `b` is `entries[b * BLOCK..(b + 1) * BLOCK]`, followed by `next[b]`.
#[derive(Debug, Default)]
pub(super) struct Blocks {
    entries: Vec<Entry>,
    next: Vec<u32>,
    free: Option<u32>,
}

impl Blocks {
    /// Room for about `n` entries before the pool grows.
    pub fn reserve(&mut self, n: usize) {
        self.entries.reserve(n.next_multiple_of(BLOCK));
        self.next.reserve(n.div_ceil(BLOCK));
    }

    /// Append `e` to `chain`, whose entries so far are `k` (the chain's own count).
    #[inline(always)]
    pub fn push(&mut self, chain: &mut Chain, k: usize, e: Entry) {
        let at = k % BLOCK;
        if at == 0 {
            let b = self.alloc();
            if chain.tail == NONE {
                chain.head = b;
            } else {
                self.next[chain.tail as usize] = b;
            }
            chain.tail = b;
        }
        self.entries[chain.tail as usize * BLOCK + at] = e;
    }

    /// A block from the free list, or a new one.
    #[inline]
    fn alloc(&mut self) -> u32 {
        match self.free {
            Some(b) => {
                let n = self.next[b as usize];
                self.free = (n != NONE).then_some(n);
                self.next[b as usize] = NONE;
                b
            }
            None => {
                let b = self.next.len() as u32;
                self.entries
                    .resize(self.entries.len() + BLOCK, super::VACANT);
                self.next.push(NONE);
                b
            }
        }
    }

    /// Append the `k` entries of `chain` to `out`, in order, and return its blocks to the pool.
    pub fn drain_into(&mut self, chain: &mut Chain, k: usize, out: &mut Vec<Entry>) {
        let mut b = chain.head;
        let mut left = k;
        while b != NONE && left > 0 {
            let n = left.min(BLOCK);
            let start = b as usize * BLOCK;
            out.extend_from_slice(&self.entries[start..start + n]);
            left -= n;
            b = self.next[b as usize];
        }
        if chain.tail != NONE {
            self.next[chain.tail as usize] = self.free.unwrap_or(NONE);
            self.free = Some(chain.head);
        }
        *chain = Chain::EMPTY;
    }
}
