//! The things the limiter benches time, behind two small traits so that ours and governor's
//! run through the very same loop.
//!
//! A [`Subject`] is driven from one thread; a [`SharedSubject`] from several at once
//! ([`shared_two_threads`]). Each adapter does one check per call and passes the whole answer
//! (our `Decision`, governor's `Result`) through `black_box`, so no field is computed for free.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Barrier;
use std::time::{Duration, Instant};

use governor::clock::{DefaultClock, FakeRelativeClock};
use governor::state::{InMemoryState, NotKeyed};
use governor::{Quota, RateLimiter};
use limiters::{AtomicGcra, AtomicTokenBucket, Decision, Limiter, Nanos, Outcome};

use crate::keyed::KeyOrder;
use crate::{sink, BATCH};

/// Something checked from one thread.
pub trait Subject {
    /// Move the subject's time forward by `ns` nanoseconds.
    fn advance(&mut self, ns: u64);
    /// One check; true when admitted.
    fn check(&mut self) -> bool;
}

/// Something checked from several threads at once, through a shared reference.
pub trait SharedSubject: Sync {
    /// True for keyed subjects: each check draws its key from the thread's own [`KeyOrder`]
    /// (for the others no key is drawn at all).
    const KEYED: bool = false;
    /// Keys the subject was populated with (1 for direct ones).
    fn keys(&self) -> u64 {
        1
    }
    /// Move the shared time forward by `ns` nanoseconds (called by each thread in turn).
    fn advance(&self, ns: u64);
    /// One check of `key` (ignored by direct subjects); true when admitted.
    fn check(&self, key: u64) -> bool;
}

/// One thread's view of a shared subject: the subject and the thread's own key order.
#[derive(Debug)]
pub struct Lane<'a, S> {
    s: &'a S,
    keys: KeyOrder,
}

impl<'a, S: SharedSubject> Lane<'a, S> {
    /// Lane number `lane` (each lane draws keys in its own fixed order).
    pub fn new(s: &'a S, lane: u64) -> Lane<'a, S> {
        Lane {
            s,
            keys: KeyOrder::with_stream(s.keys(), lane),
        }
    }
}

impl<S: SharedSubject> Subject for Lane<'_, S> {
    fn advance(&mut self, ns: u64) {
        self.s.advance(ns)
    }
    #[inline(always)]
    fn check(&mut self) -> bool {
        let key = if S::KEYED { self.keys.next_key() } else { 0 };
        self.s.check(key)
    }
}

/// One of our single-threaded limiters, with `now` kept beside it and passed in.
#[derive(Debug)]
pub struct Ours<L> {
    lim: L,
    now: u64,
}

impl<L: Limiter> Ours<L> {
    pub fn new(lim: L) -> Ours<L> {
        Ours { lim, now: 0 }
    }
}

impl<L: Limiter> Subject for Ours<L> {
    #[inline(always)]
    fn advance(&mut self, ns: u64) {
        self.now += ns;
    }
    #[inline(always)]
    fn check(&mut self) -> bool {
        sink(self.lim.check(Nanos(self.now), 1)).allowed
    }
}

/// One of our limiters that holds a slot per admitted request (concurrency, adaptive): each
/// step is a check and, when admitted, the matching `release` (a success after 1 µs), so the
/// allow path can go on forever. Denied checks release nothing; built with `release: false`
/// it never releases (how the deny path fills every slot and keeps them full).
#[derive(Debug)]
pub struct OursReleasing<L> {
    lim: L,
    now: u64,
    release: bool,
}

impl<L: Limiter> OursReleasing<L> {
    pub fn new(lim: L, release: bool) -> OursReleasing<L> {
        OursReleasing {
            lim,
            now: 0,
            release,
        }
    }
}

impl<L: Limiter> Subject for OursReleasing<L> {
    #[inline(always)]
    fn advance(&mut self, ns: u64) {
        self.now += ns;
    }
    #[inline(always)]
    fn check(&mut self) -> bool {
        let now = Nanos(self.now);
        let allowed = sink(self.lim.check(now, 1)).allowed;
        if allowed && self.release {
            let latency = Nanos::from_micros(1);
            self.lim.release(now, 1, Outcome::success(latency));
        }
        allowed
    }
}

/// Our lock-free limiters' `check(&self, ..)`, which is inherent, not part of [`Limiter`].
pub trait SharedCheck: Sync {
    fn check_at(&self, now: Nanos) -> Decision;
}

impl SharedCheck for AtomicGcra {
    #[inline(always)]
    fn check_at(&self, now: Nanos) -> Decision {
        self.check(now, 1)
    }
}

impl SharedCheck for AtomicTokenBucket {
    #[inline(always)]
    fn check_at(&self, now: Nanos) -> Decision {
        self.check(now, 1)
    }
}

/// The simulated time our shared subjects read: an `AtomicU64` read (relaxed) on every check
/// and advanced with an atomic add, as governor's `FakeRelativeClock` is. It has a cache line
/// of its own (governor's lives in its own `Arc` allocation): beside the limiter's state it
/// would be invalidated by every compare-exchange on that state, and every check would miss.
#[derive(Debug, Default)]
#[repr(align(64))]
pub struct SharedClock(AtomicU64);

impl SharedClock {
    /// The current simulated time.
    #[inline(always)]
    pub fn now(&self) -> Nanos {
        Nanos(self.0.load(Ordering::Relaxed))
    }
    /// Move the time forward by `ns`.
    pub fn advance(&self, ns: u64) {
        self.0.fetch_add(ns, Ordering::Release);
    }
}

/// One of our lock-free limiters with a [`SharedClock`] beside it.
#[derive(Debug)]
pub struct OursShared<L> {
    lim: L,
    clock: SharedClock,
}

impl<L: SharedCheck> OursShared<L> {
    pub fn new(lim: L) -> OursShared<L> {
        OursShared {
            lim,
            clock: SharedClock::default(),
        }
    }
}

impl<L: SharedCheck> SharedSubject for OursShared<L> {
    fn advance(&self, ns: u64) {
        self.clock.advance(ns);
    }
    #[inline(always)]
    fn check(&self, _key: u64) -> bool {
        sink(self.lim.check_at(self.clock.now())).allowed
    }
}

/// The floor: a bare `AtomicU64` compare-exchange loop (load, add one, CAS until it sticks).
/// No limiter can do less than one successful CAS on shared state per check.
#[derive(Debug, Default)]
pub struct CasFloor {
    cell: AtomicU64,
}

impl SharedSubject for CasFloor {
    fn advance(&self, _ns: u64) {}
    #[inline(always)]
    fn check(&self, _key: u64) -> bool {
        let mut cur = self.cell.load(Ordering::Acquire);
        loop {
            match self.cell.compare_exchange_weak(
                cur,
                cur.wrapping_add(1),
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(prev) => return sink(prev) != u64::MAX,
                Err(seen) => cur = seen,
            }
        }
    }
}

impl Subject for CasFloor {
    fn advance(&mut self, ns: u64) {
        SharedSubject::advance(&*self, ns)
    }
    #[inline(always)]
    fn check(&mut self) -> bool {
        SharedSubject::check(&*self, 0)
    }
}

type GovDirect<C> = RateLimiter<
    NotKeyed,
    InMemoryState,
    C,
    governor::middleware::NoOpMiddleware<<C as governor::clock::Clock>::Instant>,
>;

/// Governor's direct limiter on its `FakeRelativeClock`.
#[derive(Debug)]
pub struct GovernorFake {
    lim: GovDirect<FakeRelativeClock>,
    clock: FakeRelativeClock,
}

impl GovernorFake {
    pub fn new(quota: Quota) -> GovernorFake {
        let clock = FakeRelativeClock::default();
        GovernorFake {
            lim: RateLimiter::direct_with_clock(quota, clock.clone()),
            clock,
        }
    }
}

impl SharedSubject for GovernorFake {
    fn advance(&self, ns: u64) {
        self.clock.advance(Duration::from_nanos(ns));
    }
    #[inline(always)]
    fn check(&self, _key: u64) -> bool {
        sink(self.lim.check()).is_ok()
    }
}

impl Subject for GovernorFake {
    fn advance(&mut self, ns: u64) {
        SharedSubject::advance(&*self, ns)
    }
    #[inline(always)]
    fn check(&mut self) -> bool {
        SharedSubject::check(&*self, 0)
    }
}

/// Governor's direct limiter on its `DefaultClock` (real time): `advance` does nothing.
#[derive(Debug)]
pub struct GovernorDefault {
    lim: GovDirect<DefaultClock>,
}

impl GovernorDefault {
    pub fn new(quota: Quota) -> GovernorDefault {
        GovernorDefault {
            lim: RateLimiter::direct_with_clock(quota, DefaultClock::default()),
        }
    }
}

impl Subject for GovernorDefault {
    fn advance(&mut self, _ns: u64) {}
    #[inline(always)]
    fn check(&mut self) -> bool {
        sink(self.lim.check()).is_ok()
    }
}

/// Runs `iters` checks of `s` split over 2 threads, each advancing the shared time by
/// `advance_ns` every [`BATCH`] of its own checks; returns the wall time from the moment both
/// threads are released to the moment the last one finishes, so Criterion's time per
/// iteration is the wall time per check.
pub fn shared_two_threads<S: SharedSubject>(s: &S, iters: u64, advance_ns: u64) -> Duration {
    let barrier = Barrier::new(3);
    let halves = [iters / 2, iters - iters / 2];
    std::thread::scope(|scope| {
        for (lane, half) in (0u64..).zip(halves) {
            let barrier = &barrier;
            scope.spawn(move || {
                let mut lane = Lane::new(s, lane);
                barrier.wait();
                for i in 1..=half {
                    if i & (BATCH - 1) == 0 {
                        lane.advance(advance_ns);
                    }
                    lane.check();
                }
                barrier.wait();
            });
        }
        barrier.wait();
        let start = Instant::now();
        barrier.wait();
        start.elapsed()
    })
}
