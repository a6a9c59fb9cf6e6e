//! The queue's order, `(time, insertion order)`, against references, at every scale.

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

proptest! {
    /// Pop for pop against a reference `BinaryHeap` of `(time, push number)`: pushes from the
    /// present to hours ahead, interleaved with pops, crowding slots at times (many pushes
    /// into a short span), must come out in exactly the reference's order.
    #[test]
    fn pops_match_a_reference_binary_heap(
        steps in proptest::collection::vec((0u64..1_000, 0u32..40, 0usize..40, 0usize..3), 1..200)
    ) {
        use std::cmp::Reverse;
        use std::collections::BinaryHeap;
        let mut q = EventQueue::new();
        let mut reference = BinaryHeap::new();
        let (mut now, mut seq) = (0u64, 0u32);
        for (gap, shift, pushes, pops) in steps {
            for k in 0..pushes {
                seq += 1;
                let t = now + ((gap * k as u64) << shift) % (1 << 42);
                q.push(Nanos(t), arrival(seq));
                reference.push(Reverse((t, seq)));
            }
            for _ in 0..pops {
                let expected = reference.pop().map(|Reverse((t, c))| (t, c));
                let got = q.pop().map(|(t, e)| (t.0, client_of(e)));
                prop_assert_eq!(got, expected);
                if let Some((t, _)) = got {
                    now = t;
                }
            }
            prop_assert_eq!(q.len(), reference.len());
        }
        while let Some(Reverse((t, c))) = reference.pop() {
            prop_assert_eq!(q.pop().map(|(t, e)| (t.0, client_of(e))), Some((t, c)));
        }
        prop_assert_eq!(q.pop(), None);
    }
}

/// A million-client slot: thousands of entries in one slot (block chains, the radix sort),
/// many at equal times, some pushed into the slot while it is current, slots reused as the
/// window moves: the order is exactly a reference `BinaryHeap`'s `(time, push number)`.
#[test]
fn crowded_slots_pop_in_reference_order() {
    use std::cmp::Reverse;
    use std::collections::BinaryHeap;
    let mut rng = Stream::from_seed(19);
    let mut q = EventQueue::new();
    let mut reference = BinaryHeap::new();
    let (mut now, mut seq) = (0u64, 0u32);
    for round in 0..40u64 {
        // 3,000 pushes over the next 2 ms (about 3 slots), a third of them on a 1 us grid.
        for i in 0..3_000u64 {
            let d = rng.gen_range(0..2_000_000u64);
            let t = now + if i % 3 == 0 { d - d % 1_000 } else { d };
            seq += 1;
            q.push(Nanos(t), arrival(seq));
            reference.push(Reverse((t, seq)));
        }
        // Pop half, pushing a few into the present as we go.
        for k in 0..1_500u32 {
            let Reverse((t, c)) = reference.pop().expect("pending");
            assert_eq!(q.pop(), Some((Nanos(t), arrival(c))), "round {round}");
            now = t;
            if k % 100 == 0 {
                seq += 1;
                let t = now + rng.gen_range(0..3_000u64);
                q.push(Nanos(t), arrival(seq));
                reference.push(Reverse((t, seq)));
            }
        }
    }
    while let Some(Reverse((t, c))) = reference.pop() {
        assert_eq!(q.pop(), Some((Nanos(t), arrival(c))));
    }
    assert!(q.is_empty());
}
