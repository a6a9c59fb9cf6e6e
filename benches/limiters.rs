//! Criterion benches of the limiter hot paths, measured beside `governor` in the same run.
//!
//! Why beside governor: absolute nanoseconds on a shared, noisy 2-core machine mean little; the
//! ratio to a well-known implementation measured in the same process, a few seconds apart, does.
//! `BENCHMARKS.md` records the targets as such ratios.
//!
//! Fairness rules every subject follows (see [`drive`]):
//! - one check per iteration, its whole answer passed through `black_box`;
//! - the same quota (1,000,000/s, burst 1,000 on the allow path; 1/hour, burst 1, exhausted
//!   once, on the deny path);
//! - time advances the same way for all: by `BATCH * STEP_NS` once every `BATCH` checks (ours
//!   through the `now` it is passed, governor's through `FakeRelativeClock::advance`), so the
//!   clock's own cost is amortised alike; on the deny path time is frozen;
//! - before it is timed, each subject is driven on the same schedule and must stay on the path
//!   it claims (all admitted, or all denied): a bench that silently measured the other path
//!   fails, also under `cargo test --benches` (one run of each bench in the debug profile).

#[path = "limiters/keyed.rs"]
mod keyed;
#[path = "limiters/subjects.rs"]
mod subjects;

use std::hint::black_box;
use std::num::NonZeroU32;
use std::time::Duration;

use criterion::measurement::WallTime;
use criterion::{criterion_group, criterion_main, Bencher, BenchmarkGroup, BenchmarkId, Criterion};
use governor::Quota as GovQuota;
use limiters::adaptive::{Aimd, Gradient, GradientConfig};
use limiters::calendar::Epoch;
use limiters::quota::Period;
use limiters::{
    AtomicGcra, AtomicTokenBucket, ConcurrencyLimit, FixedWindow, Gcra, LeakyBucket, Limiter,
    LimiterError, Nanos, Quota, Rate, SlidingCounter, SlidingLog, TokenBucket,
};

use keyed::{GovernorKeyed, OursKeyed, OursKeyedGcra, OursSharded, OursShardedGcra};
use subjects::{
    shared_two_threads, CasFloor, GovernorDefault, GovernorFake, Lane, Ours, OursReleasing,
    OursShared, SharedSubject, Subject,
};

/// Simulated time per check on the allow path: the allow quota's emission interval (1 µs).
const STEP_NS: u64 = 1_000;
/// Time advances once per `BATCH` checks (a power of two, well under the burst of 1,000).
pub(crate) const BATCH: u64 = 256;
const _: () = assert!(BATCH.is_power_of_two());
/// Checks run, on the bench's own schedule, to confirm a subject stays on its path.
const VALIDATE_CHECKS: u64 = 16 * BATCH;

/// Allow-path quota: 1,000,000/s with a burst of 1,000.
const ALLOW_PER_SEC: u32 = 1_000_000;
const ALLOW_BURST: u32 = 1_000;

/// Which path a subject is benched on, and so whether time moves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Path {
    /// Every check admitted; time advances by `STEP_NS` per check, in batches.
    Allow,
    /// Every check denied; the quota is exhausted and time is frozen.
    Deny,
}

fn allow_rate() -> Rate {
    Rate::per_second(u64::from(ALLOW_PER_SEC)).expect("a valid constant rate")
}

fn deny_rate() -> Rate {
    Rate::new(1, Nanos::from_secs(3_600)).expect("a valid constant rate")
}

fn nz(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n).expect("a non-zero constant")
}

fn governor_quota(path: Path) -> GovQuota {
    match path {
        Path::Allow => GovQuota::per_second(nz(ALLOW_PER_SEC)).allow_burst(nz(ALLOW_BURST)),
        Path::Deny => GovQuota::per_hour(nz(1)),
    }
}

/// Governor's `DefaultClock` reads real time, so its allow path needs a quota that real time
/// cannot outrun: one per nanosecond, burst 1,000 (a check takes far longer than 1 ns).
fn governor_default_quota(path: Path) -> GovQuota {
    match path {
        Path::Allow => GovQuota::with_period(Duration::from_nanos(1))
            .expect("a non-zero period")
            .allow_burst(nz(ALLOW_BURST)),
        Path::Deny => GovQuota::per_hour(nz(1)),
    }
}

/// Puts a subject on the deny path: checks at time zero until the first denial (its tiny quota
/// is then used up, and time stays frozen).
fn exhaust<S: Subject>(mut s: S, path: Path) -> S {
    if path == Path::Deny {
        let denied = (0..64).any(|_| !s.check());
        assert!(denied, "a tiny quota must run out within 64 checks");
    }
    s
}

/// Time advance for check number `i` (1-based) on `path`.
#[inline(always)]
fn advance_due(path: Path, i: u64) -> bool {
    path == Path::Allow && i & (BATCH - 1) == 0
}

/// Drives `s` on `path` for `VALIDATE_CHECKS` checks and panics if any check leaves the path.
fn validate<S: Subject>(name: &str, s: &mut S, path: Path) {
    for i in 1..=VALIDATE_CHECKS {
        if advance_due(path, i) {
            s.advance(BATCH * STEP_NS);
        }
        let allowed = s.check();
        assert_eq!(
            allowed,
            path == Path::Allow,
            "{name}: check {i} left the {path:?} path"
        );
    }
}

/// The timed loop shared by every single-threaded subject: one check per iteration.
fn drive<S: Subject>(b: &mut Bencher<'_>, s: &mut S, path: Path) {
    let mut i: u64 = 0;
    b.iter(|| {
        i = i.wrapping_add(1);
        if advance_due(path, i) {
            s.advance(BATCH * STEP_NS);
        }
        s.check()
    });
}

/// Validates `s` on `path`, then benches it as `name` in `group`.
fn bench_subject<S: Subject>(
    group: &mut BenchmarkGroup<'_, WallTime>,
    name: &str,
    mut s: S,
    path: Path,
) {
    validate(name, &mut s, path);
    group.bench_function(bench_id(name), |b| drive(b, &mut s, path));
}

/// One of our direct limiters: `allow` builds it for the allow path, `deny` with a tiny quota.
fn ours<L: Limiter>(path: Path, allow: impl FnOnce() -> L, deny: impl FnOnce() -> L) -> Ours<L> {
    let lim = match path {
        Path::Allow => allow(),
        Path::Deny => deny(),
    };
    exhaust(Ours::new(lim), path)
}

/// Like [`ours`], for limiters that hold a slot per admitted request (check, then release).
fn ours_releasing<L: Limiter>(
    path: Path,
    allow: impl FnOnce() -> L,
    deny: impl FnOnce() -> L,
) -> OursReleasing<L> {
    let lim = match path {
        Path::Allow => allow(),
        Path::Deny => deny(),
    };
    // On the deny path nothing is released, so the slots fill up and stay full.
    exhaust(OursReleasing::new(lim, path == Path::Allow), path)
}

/// `r.expect(..)` for the bench's constant, known-valid parameters.
fn ok<T>(r: Result<T, LimiterError>) -> T {
    r.expect("constant, valid limiter parameters")
}

/// Single-threaded direct limiters, one group per path, baselines first.
fn direct(c: &mut Criterion) {
    let (rate, burst) = (allow_rate(), u64::from(ALLOW_BURST));
    // Window algorithms count requests per window: with time advancing in batches of 256
    // checks, a 1 ms window sees up to 1,280 requests at 1,000,000/s, so their allow-path
    // limit is 2,000 per 1 ms (the work per check does not depend on the limit).
    let (win_limit, window) = (2 * burst, Nanos::from_millis(1));
    let hour = Nanos::from_secs(3_600);
    for (group_name, path) in [("direct_allow", Path::Allow), ("direct_deny", Path::Deny)] {
        let mut g = c.benchmark_group(group_name);
        bench_subject(
            &mut g,
            "floor_atomic_u64_cas",
            CasFloor::default(),
            Path::Allow,
        );
        let gov = GovernorFake::new(governor_quota(path));
        bench_subject(&mut g, "governor_fake_clock", exhaust(gov, path), path);
        let gov = GovernorDefault::new(governor_default_quota(path));
        bench_subject(&mut g, "governor_default_clock", exhaust(gov, path), path);

        let s = ours(
            path,
            || ok(Gcra::new(rate, burst)),
            || ok(Gcra::new(deny_rate(), 1)),
        );
        bench_subject(&mut g, "gcra", s, path);
        let s = ours(
            path,
            || ok(TokenBucket::new(rate, burst)),
            || ok(TokenBucket::new(deny_rate(), 1)),
        );
        bench_subject(&mut g, "token_bucket", s, path);
        let s = ours(
            path,
            || ok(AtomicGcra::new(rate, burst)),
            || ok(AtomicGcra::new(deny_rate(), 1)),
        );
        bench_subject(&mut g, "gcra_atomic", s, path);
        let s = ours(
            path,
            || ok(AtomicTokenBucket::new(rate, burst)),
            || ok(AtomicTokenBucket::new(deny_rate(), 1)),
        );
        bench_subject(&mut g, "token_bucket_atomic", s, path);
        let s = ours(
            path,
            || ok(LeakyBucket::new(rate, burst, None)),
            || ok(LeakyBucket::new(deny_rate(), 1, None)),
        );
        bench_subject(&mut g, "leaky_bucket_nodelay", s, path);
        let s = ours(
            path,
            || ok(FixedWindow::new(win_limit, window, Nanos::ZERO)),
            || ok(FixedWindow::new(1, hour, Nanos::ZERO)),
        );
        bench_subject(&mut g, "fixed_window", s, path);
        let s = ours(
            path,
            || ok(SlidingLog::new(win_limit, window)),
            || ok(SlidingLog::new(1, hour)),
        );
        bench_subject(&mut g, "sliding_log", s, path);
        let s = ours(
            path,
            || ok(SlidingCounter::new(win_limit, window)),
            || ok(SlidingCounter::new(1, hour)),
        );
        bench_subject(&mut g, "sliding_counter", s, path);
        let s = ours(
            path,
            || {
                ok(Quota::new(
                    u64::MAX / 2,
                    Period::Day,
                    Epoch::default(),
                    false,
                ))
            },
            || ok(Quota::new(1, Period::Day, Epoch::default(), false)),
        );
        bench_subject(&mut g, "quota_day", s, path);
        let retry = Nanos::from_secs(1);
        let s = ours_releasing(
            path,
            || ok(ConcurrencyLimit::new(burst, retry)),
            || ok(ConcurrencyLimit::new(1, retry)),
        );
        bench_subject(&mut g, "concurrency_check_release", s, path);
        let s = ours_releasing(
            path,
            || ok(Aimd::new(100, 1, burst, 0.9, retry, retry)),
            || ok(Aimd::new(1, 1, 1, 0.9, retry, retry)),
        );
        bench_subject(&mut g, "aimd_check_release", s, path);
        let s = ours_releasing(
            path,
            || ok(Gradient::new(GradientConfig::default())),
            || ok(Gradient::new(GradientConfig::default())),
        );
        bench_subject(&mut g, "gradient_check_release", s, path);
        g.finish();
    }
}

/// Shared (thread-safe) limiters, checked from 2 threads at once; time per check, wall clock.
fn shared(c: &mut Criterion) {
    let mut g = c.benchmark_group("shared_2_threads");
    bench_shared(&mut g, "floor_atomic_u64_cas", CasFloor::default());
    bench_shared(
        &mut g,
        "governor_fake_clock",
        GovernorFake::new(governor_quota(Path::Allow)),
    );
    let (rate, burst) = (allow_rate(), u64::from(ALLOW_BURST));
    let s = OursShared::new(ok(AtomicGcra::new(rate, burst)));
    bench_shared(&mut g, "gcra_atomic", s);
    let s = OursShared::new(ok(AtomicTokenBucket::new(rate, burst)));
    bench_shared(&mut g, "token_bucket_atomic", s);
    g.finish();
}

fn bench_shared<S: SharedSubject>(group: &mut BenchmarkGroup<'_, WallTime>, name: &str, s: S) {
    validate(name, &mut Lane::new(&s, 0), Path::Allow);
    group.bench_function(bench_id(name), |b| {
        b.iter_custom(|iters| shared_two_threads(&s, iters, BATCH * STEP_NS))
    });
}

/// Key counts of the keyed benches.
const KEY_COUNTS: [u64; 4] = [1, 1_000, 100_000, 1_000_000];
/// Shards of our thread-safe keyed store.
const SHARDS: usize = 16;

/// False (with a note) for the 1,000,000-key case in the debug profile, where filling the
/// stores would dominate `cargo test --benches`.
fn keys_wanted(group: &str, n: u64) -> bool {
    let skip = n >= 1_000_000 && cfg!(debug_assertions);
    if skip {
        println!("{group}/*/{n}: skipped in the debug profile (slow setup); `cargo bench` runs it");
    }
    !skip
}

/// Keyed limiters over 1 to 1,000,000 keys, pre-populated, then checked in one fixed
/// pseudo-random order (the same for all); GCRA per key, allow quota.
fn keyed(c: &mut Criterion) {
    let proto = || ok(Gcra::new(allow_rate(), u64::from(ALLOW_BURST)));
    let mut g = c.benchmark_group("keyed_allow");
    for n in KEY_COUNTS {
        if !keys_wanted("keyed_allow", n) {
            continue;
        }
        let gov = GovernorKeyed::new(governor_quota(Path::Allow), n);
        bench_lane(&mut g, &format!("governor_keyed/{n}"), &gov);
        drop(gov);
        bench_subject(
            &mut g,
            &format!("keyed_gcra/{n}"),
            OursKeyed::new(proto(), n),
            Path::Allow,
        );
        let sharded = OursSharded::new(proto(), n, SHARDS);
        bench_lane(&mut g, &format!("sharded_keyed_gcra/{n}"), &sharded);
        drop(sharded);
        bench_subject(
            &mut g,
            &format!("keyed_gcra_cells/{n}"),
            OursKeyedGcra::new(proto().params(), n),
            Path::Allow,
        );
        let cells = OursShardedGcra::new(proto().params(), n, SHARDS);
        bench_lane(&mut g, &format!("sharded_keyed_gcra_cells/{n}"), &cells);
    }
    g.finish();

    let mut g = c.benchmark_group("keyed_2_threads");
    for n in [1_000, 100_000] {
        let gov = GovernorKeyed::new(governor_quota(Path::Allow), n);
        bench_shared(&mut g, &format!("governor_keyed/{n}"), gov);
        let sharded = OursSharded::new(proto(), n, SHARDS);
        bench_shared(&mut g, &format!("sharded_keyed_gcra/{n}"), sharded);
        let cells = OursShardedGcra::new(proto().params(), n, SHARDS);
        bench_shared(&mut g, &format!("sharded_keyed_gcra_cells/{n}"), cells);
    }
    g.finish();
}

/// A shared subject driven from this thread alone, through lane 0.
fn bench_lane<S: SharedSubject>(group: &mut BenchmarkGroup<'_, WallTime>, name: &str, s: &S) {
    bench_subject(group, name, Lane::new(s, 0), Path::Allow);
}

/// `"function/parameter"` as a Criterion id with a parameter (so the keyed benches land in
/// `target/criterion/<group>/<function>/<keys>/`), a plain name as it is.
fn bench_id(name: &str) -> BenchmarkId {
    match name.split_once('/') {
        Some((function, parameter)) => BenchmarkId::new(function, parameter),
        None => BenchmarkId::from_parameter(name),
    }
}

/// Keeps the compiler from folding a subject's answer away; used by the subjects.
#[inline(always)]
pub(crate) fn sink<T>(value: T) -> T {
    black_box(value)
}

criterion_group!(benches, direct, shared, keyed);
criterion_main!(benches);
