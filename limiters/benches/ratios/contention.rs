//! Two threads on one shared limiter, and proof that they really ran at the same time.
//!
//! Why: on a 2-core VM the OS may time-slice the two threads on one core, and then a "2-thread"
//! figure measures a single thread with context switches, where a lock-free limiter's CAS never
//! meets the other thread's. Each thread here records its own start, end and CPU time; a round
//! counts only when the two threads' spans overlap by at least [`MIN_OVERLAP`] of the round and
//! each thread was on a core for at least [`MIN_ON_CORE`] of its span (CPU time / wall time).
//! The ratio is the median over counted rounds of ours / governor's wall time per check, the
//! subjects alternating round by round; fewer than half the rounds counted marks it VOID.

use crate::ratio_stats::{cpu_ns, median};
use std::sync::Barrier;
use std::time::Instant;

/// Least share of the round during which both threads were running.
pub const MIN_OVERLAP: f64 = 0.9;
/// Least share of its span a thread spent on a core.
pub const MIN_ON_CORE: f64 = 0.9;

/// One thread's span and CPU time.
#[derive(Clone, Copy, Debug)]
struct Span {
    start: Instant,
    end: Instant,
    cpu_ns: u64,
}

/// One round of two threads.
#[derive(Clone, Copy, Debug)]
pub struct Pair {
    /// Wall ns per check, over both threads' checks.
    pub ns_per_check: f64,
    /// Share of the round during which both threads ran.
    pub overlap: f64,
    /// The smaller of the two threads' CPU time / wall time.
    pub on_core: f64,
}

impl Pair {
    /// Whether the two threads truly ran at the same time.
    pub fn overlapped(&self) -> bool {
        self.overlap >= MIN_OVERLAP && self.on_core >= MIN_ON_CORE
    }
}

/// `per_thread` calls of `check(thread, i)` on each of 2 threads released together.
pub fn pair<F: Fn(u64, u64) + Sync>(per_thread: u64, check: F) -> Pair {
    let barrier = Barrier::new(2);
    let spans: Vec<Span> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..2u64)
            .map(|t| {
                let (barrier, check) = (&barrier, &check);
                scope.spawn(move || {
                    barrier.wait();
                    let (start, cpu0) = (Instant::now(), cpu_ns());
                    for i in 0..per_thread {
                        check(t, i);
                    }
                    let cpu_ns = cpu_ns().saturating_sub(cpu0);
                    Span {
                        start,
                        end: Instant::now(),
                        cpu_ns,
                    }
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("a contention thread panicked"))
            .collect()
    });
    let (a, b) = (spans[0], spans[1]);
    let first = a.start.min(b.start);
    let last = a.end.max(b.end);
    let both = a
        .end
        .min(b.end)
        .saturating_duration_since(a.start.max(b.start));
    let round = last.duration_since(first).as_nanos().max(1) as f64;
    let on_core =
        |s: &Span| s.cpu_ns as f64 / s.end.duration_since(s.start).as_nanos().max(1) as f64;
    Pair {
        ns_per_check: round / (2 * per_thread) as f64,
        overlap: both.as_nanos() as f64 / round,
        on_core: on_core(&a).min(on_core(&b)),
    }
}

/// Ours against governor over `rounds` alternating rounds; prints the rounds that counted and
/// the ratio (VOID below half of them).
pub fn compare(
    name: &str,
    rounds: usize,
    ours: &dyn Fn() -> Pair,
    base: &dyn Fn() -> Pair,
) -> Option<f64> {
    let mut ratios = Vec::new();
    let mut counted = 0;
    for r in 0..rounds {
        let (o, g) = if r % 2 == 0 {
            let o = ours();
            (o, base())
        } else {
            let g = base();
            (ours(), g)
        };
        if o.overlapped() && g.overlapped() {
            counted += 1;
            ratios.push(o.ns_per_check / g.ns_per_check);
        }
    }
    let verdict = if counted * 2 < rounds {
        println!(
            "{name}: VOID: the two threads truly overlapped in {counted} of {rounds} rounds \
             (overlap >= {MIN_OVERLAP}, each on a core >= {MIN_ON_CORE} of its span)"
        );
        None
    } else {
        let m = median(ratios);
        println!(
            "{name}: {m:.3}x governor, 2 overlapping threads (median of {counted} of {rounds} rounds that overlapped)"
        );
        Some(m)
    };
    verdict
}
