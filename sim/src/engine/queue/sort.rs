//! Sorting a crowded slot: a stable least-significant-digit radix sort on the time's bits
//! within the slot (two passes of [`DIGIT_BITS`] bits), linear in the slot's entries.
//!
//! Why: a slot holds the events of about a millisecond, a handful with a small fleet but
//! thousands with a million clients (2.8 M events/s); a comparison sort of such a slot costs
//! about `log2 n` (11 to 12) comparisons and moves of 24-byte entries per event, which made it
//! the queue's largest cost at that size. Every entry of a slot shares the time's bits above
//! the slot width, so the remaining bits are a short fixed-width key: two counting passes
//! (P. M. McIlroy, K. Bostic, M. D. McIlroy, "Engineering radix sort", Computing Systems 6(1),
//! 1993; the rungs of a ladder queue, W. T. Tang, R. S. M. Goh, I. L.-J. Thng, "Ladder queue:
//! an O(1) priority queue structure for large-scale discrete event simulation", ACM TOMACS
//! 15(3), 2005, split a crowded bucket by the same bits). Counting passes are stable, so equal
//! times keep their insertion order, as the queue's `(time, sequence)` order requires.

use super::Entry;

/// Bits of one radix digit: two digits cover a slot of 2^20 ns.
const DIGIT_BITS: u32 = 10;
const DIGITS: usize = 1 << DIGIT_BITS;
/// Below this many entries the standard library's stable sort is faster than two passes over
/// 2 x 1,024 counters.
const RADIX_MIN: usize = 256;

/// Sort `v`, whose entries all lie in one slot of 2^`slot_bits` ns (`slot_bits` at most
/// `2 * DIGIT_BITS`), by time, keeping insertion order among equal times; `scratch` is a
/// reusable buffer (its contents are overwritten).
pub(super) fn sort_slot(v: &mut [Entry], scratch: &mut Vec<Entry>, slot_bits: u32) {
    debug_assert!(slot_bits <= 2 * DIGIT_BITS);
    if v.len() < RADIX_MIN {
        v.sort_by_key(|e| e.time);
        return;
    }
    let mask = (DIGITS - 1) as u64;
    let mut lo = [0u32; DIGITS];
    let mut hi = [0u32; DIGITS];
    for e in v.iter() {
        lo[(e.time & mask) as usize] += 1;
        hi[((e.time >> DIGIT_BITS) & mask) as usize] += 1;
    }
    starts(&mut lo);
    starts(&mut hi);
    scratch.clear();
    scratch.resize(v.len(), v[0]);
    for e in v.iter() {
        let d = (e.time & mask) as usize;
        scratch[lo[d] as usize] = *e;
        lo[d] += 1;
    }
    for e in scratch.iter() {
        let d = ((e.time >> DIGIT_BITS) & mask) as usize;
        v[hi[d] as usize] = *e;
        hi[d] += 1;
    }
}

/// Turn counts into start offsets.
fn starts(counts: &mut [u32; DIGITS]) {
    let mut sum = 0u32;
    for c in counts.iter_mut() {
        let n = *c;
        *c = sum;
        sum += n;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Event;
    use proptest::prelude::*;

    fn entry(time: u64, client: u32) -> Entry {
        Entry {
            time,
            event: Event::Arrival { client },
        }
    }

    proptest! {
        /// Against the standard library's stable sort, on slots small and crowded, with many
        /// equal times (insertion order among them must hold).
        #[test]
        fn radix_sort_equals_a_stable_sort(
            slot in 0u64..1_000,
            times in proptest::collection::vec(0u64..(1 << 20), 0..2_000),
            ties in 1u64..1_000_000,
        ) {
            let base = slot << 20;
            let mut v: Vec<Entry> = times
                .iter()
                .enumerate()
                .map(|(i, t)| entry(base + t - t % ties, i as u32))
                .collect();
            let mut expected = v.clone();
            expected.sort_by_key(|e| e.time);
            sort_slot(&mut v, &mut Vec::new(), 20);
            let key = |v: &[Entry]| v.iter().map(|e| (e.time, e.event)).collect::<Vec<_>>();
            prop_assert_eq!(key(&v), key(&expected));
        }
    }
}
