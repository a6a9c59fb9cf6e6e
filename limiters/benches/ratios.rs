//! Ours against governor as paired ratios that a noisy machine cannot fake (issue #19).
//!
//! Why beside the Criterion bench (`benches/limiters.rs`): Criterion times each bench alone,
//! a few seconds each, one after the other; on a shared machine the load changes between them,
//! and the ratio of two medians taken a minute apart measured the load as much as the code
//! (governor's allow check read 41-53 ns on a VM where one bare compare-and-swap cost 33-39 ns;
//! 3.6 ns on a quiet machine). So here:
//! - **interleaved**: every round runs one block of checks of every subject, in an order
//!   rotated each round, so ours and governor's alternate within milliseconds; a ratio is the
//!   median over rounds of that round's ours / governor;
//! - **two clocks**: each block is timed by the wall clock and by the thread's CPU time
//!   (`CLOCK_THREAD_CPUTIME_ID`, which leaves out the time other processes held the core);
//! - **the load average** (`/proc/loadavg`) is printed before and after the run;
//! - **a sanity row**: the bare atomic CAS and governor's allow check are compared with their
//!   quiet values, the `quiet-baseline:` line of `BENCHMARKS.md`; either more than 25% off
//!   marks the run **VOID** (the machine is being measured, not the code).
//!
//! The subjects, quotas and time schedule are those of `benches/limiters.rs` (the same
//! adapters, `benches/limiters/subjects.rs` and `keyed.rs`), and each is driven on its path
//! first and must stay on it. `cargo bench -p limiters --bench ratios` runs it (building only `limiters`
//! and governor); without `--bench`
//! (`cargo test --benches`) it runs 3 tiny rounds as a smoke test and gives no verdict.

#[path = "ratios/contention.rs"]
mod contention;
#[allow(dead_code)]
#[path = "../../benches/limiters/keyed.rs"]
mod keyed;
#[path = "ratios/stats.rs"]
mod ratio_stats;
#[allow(dead_code)]
#[path = "../../benches/limiters/subjects.rs"]
mod subjects;

use std::hint::black_box;
use std::num::NonZeroU32;

use governor::Quota as GovQuota;
use limiters::{Gcra, Nanos, Rate, TokenBucket};

use keyed::{GovernorKeyed, OursKeyedGcra, OursShardedGcra};
use ratio_stats::{Case, Run};
use subjects::{CasFloor, GovernorFake, Lane, Ours, OursShared, SharedSubject, Subject};

/// Time advances once per `BATCH` checks on the allow path (as in `benches/limiters.rs`).
pub(crate) const BATCH: u64 = 256;
const STEP_NS: u64 = 1_000;
const ALLOW_PER_SEC: u32 = 1_000_000;
const ALLOW_BURST: u32 = 1_000;
const KEYS: u64 = 100_000;
const SHARDS: usize = 16;

/// Keeps the compiler from folding a subject's answer away (used by the subjects).
#[inline(always)]
pub(crate) fn sink<T>(value: T) -> T {
    black_box(value)
}

/// A subject as a [`Case`]: driven on its path first (every check admitted, or every check
/// denied), then one block of `n` checks per call, time advancing on the allow path.
fn case<S: Subject + 'static>(name: &'static str, allow: bool, mut s: S) -> Case {
    if !allow {
        assert!((0..64).any(|_| !s.check()), "{name}: a tiny quota runs out");
    }
    for i in 1..=16 * BATCH {
        if allow && i % BATCH == 0 {
            s.advance(BATCH * STEP_NS);
        }
        assert_eq!(s.check(), allow, "{name}: check {i} left its path");
    }
    let mut i: u64 = 0;
    Case::new(
        name,
        Box::new(move |n| {
            for _ in 0..n {
                i = i.wrapping_add(1);
                if allow && i & (BATCH - 1) == 0 {
                    s.advance(BATCH * STEP_NS);
                }
                black_box(s.check());
            }
        }),
    )
}

/// Our limiters through `admit` (the verdict, its figures on demand, as governor's `NotUntil`
/// computes its wait on demand), the whole verdict through `black_box`.
trait Admits {
    fn admit_one(&mut self, now: Nanos) -> bool;
}

impl Admits for Gcra {
    #[inline(always)]
    fn admit_one(&mut self, now: Nanos) -> bool {
        sink(self.admit(now, 1)).allowed()
    }
}

impl Admits for TokenBucket {
    #[inline(always)]
    fn admit_one(&mut self, now: Nanos) -> bool {
        sink(self.admit(now, 1)).allowed()
    }
}

/// An [`Admits`] with `now` kept beside it and passed in, like `subjects::Ours`.
struct Admit<L> {
    lim: L,
    now: u64,
}

impl<L: Admits> Subject for Admit<L> {
    #[inline(always)]
    fn advance(&mut self, ns: u64) {
        self.now += ns;
    }
    #[inline(always)]
    fn check(&mut self) -> bool {
        self.lim.admit_one(Nanos(self.now))
    }
}

fn admit<L: Admits>(lim: L) -> Admit<L> {
    Admit { lim, now: 0 }
}

fn nz(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n).expect("a non-zero constant")
}

fn quotas(allow: bool) -> (Rate, u64, GovQuota) {
    if allow {
        let gov = GovQuota::per_second(nz(ALLOW_PER_SEC)).allow_burst(nz(ALLOW_BURST));
        let rate = Rate::per_second(u64::from(ALLOW_PER_SEC)).expect("a valid rate");
        (rate, u64::from(ALLOW_BURST), gov)
    } else {
        let rate = Rate::new(1, Nanos::from_secs(3_600)).expect("a valid rate");
        (rate, 1, GovQuota::per_hour(nz(1)))
    }
}

/// A shared subject driven from this thread through lane 0 (the store lives for the run).
fn lane<S: SharedSubject + 'static>(s: S) -> Lane<'static, S> {
    Lane::new(Box::leak(Box::new(s)), 0)
}

fn direct_cases(allow: bool) -> Vec<Case> {
    let (rate, burst, gov) = quotas(allow);
    let path = if allow { "allow" } else { "deny" };
    let name = |what: &str| -> &'static str { format!("{path}/{what}").leak() };
    vec![
        case(name("governor_fake_clock"), allow, GovernorFake::new(gov)),
        case(
            name("gcra"),
            allow,
            Ours::new(Gcra::new(rate, burst).expect("valid")),
        ),
        case(
            name("token_bucket"),
            allow,
            Ours::new(TokenBucket::new(rate, burst).expect("valid")),
        ),
        case(
            name("gcra_admit"),
            allow,
            admit(Gcra::new(rate, burst).expect("valid")),
        ),
        case(
            name("token_bucket_admit"),
            allow,
            admit(TokenBucket::new(rate, burst).expect("valid")),
        ),
    ]
}

fn keyed_cases() -> Vec<Case> {
    let (rate, burst, gov) = quotas(true);
    let params = Gcra::new(rate, burst).expect("valid").params();
    vec![
        case(
            "keyed100k/governor_keyed",
            true,
            lane(GovernorKeyed::new(gov, KEYS)),
        ),
        case(
            "keyed100k/keyed_gcra_cells",
            true,
            OursKeyedGcra::new(params, KEYS),
        ),
        case(
            "keyed100k/sharded_keyed_gcra_cells",
            true,
            lane(OursShardedGcra::new(params, KEYS, SHARDS)),
        ),
    ]
}

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let load_before = ratio_stats::load_average();
    let mut run = Run::new(if full { 31 } else { 3 });
    // The sanity row: the bare CAS and governor's allow check, beside the subjects.
    let mut cases = vec![case(
        "sanity/floor_atomic_u64_cas",
        true,
        CasFloor::default(),
    )];
    cases.extend(direct_cases(true));
    cases.extend(direct_cases(false));
    let block = if full { 400_000 } else { 512 };
    run.measure(&mut cases, block);
    let mut keyed = keyed_cases();
    run.measure(&mut keyed, if full { 40_000 } else { 64 });
    let load_after = ratio_stats::load_average();

    println!(
        "ratios: {} interleaved rounds; load average before: {load_before}, after: {load_after}",
        run.rounds
    );
    run.print_table();
    let ratios = [
        ("GCRA allow", "allow/gcra", "allow/governor_fake_clock"),
        (
            "token bucket allow",
            "allow/token_bucket",
            "allow/governor_fake_clock",
        ),
        ("GCRA deny", "deny/gcra", "deny/governor_fake_clock"),
        (
            "GCRA allow, admit (verdict)",
            "allow/gcra_admit",
            "allow/governor_fake_clock",
        ),
        (
            "token bucket allow, admit (verdict)",
            "allow/token_bucket_admit",
            "allow/governor_fake_clock",
        ),
        (
            "GCRA deny, admit (verdict)",
            "deny/gcra_admit",
            "deny/governor_fake_clock",
        ),
        (
            "token bucket deny, admit (verdict)",
            "deny/token_bucket_admit",
            "deny/governor_fake_clock",
        ),
        (
            "token bucket deny",
            "deny/token_bucket",
            "deny/governor_fake_clock",
        ),
        (
            "KeyedGcra 100k",
            "keyed100k/keyed_gcra_cells",
            "keyed100k/governor_keyed",
        ),
        (
            "ShardedKeyedGcra 100k (thread-safe)",
            "keyed100k/sharded_keyed_gcra_cells",
            "keyed100k/governor_keyed",
        ),
    ];
    let valid = full.then(|| {
        let quiet = ratio_stats::quiet_baseline(include_str!("../../BENCHMARKS.md"));
        let sanity = [
            ("sanity/floor_atomic_u64_cas", "cas_floor_ns"),
            ("allow/governor_fake_clock", "governor_allow_ns"),
        ];
        run.sanity(&sanity, &quiet, 0.25)
    });
    run.print_ratios(&ratios, 0.5, valid);
    two_threads(full);
    if !full {
        println!(
            "smoke run (no --bench): no verdict; `cargo bench -p limiters --bench ratios` measures"
        );
    }
}

/// The lock-free GCRA against governor's shared allow check, from 2 threads that are checked
/// to have overlapped (see [`contention`]); target: at most 1.0x.
fn two_threads(full: bool) {
    let (rate, burst, gov) = quotas(true);
    let ours = OursShared::new(limiters::AtomicGcra::new(rate, burst).expect("a valid GCRA"));
    let governor = GovernorFake::new(gov);
    let per_thread = if full { 2_000_000 } else { 10_000 };
    let ratio = contention::compare(
        "lock-free GCRA allow, 2 threads",
        if full { 21 } else { 3 },
        &|| drive(&ours, per_thread),
        &|| drive(&governor, per_thread),
    );
    if full {
        match ratio {
            Some(r) if r <= 1.0 => println!("  target <= 1.0x governor: met"),
            Some(_) => println!("  target <= 1.0x governor: not met"),
            None => println!("  target <= 1.0x governor: no verdict (the threads did not overlap)"),
        }
    }
}

/// One round of `s` from 2 threads, each advancing the shared time every [`BATCH`] of its own
/// checks (as `subjects::shared_two_threads`, statically dispatched).
fn drive<S: SharedSubject>(s: &S, per_thread: u64) -> contention::Pair {
    contention::pair(per_thread, |_, i| {
        if i & (BATCH - 1) == 0 {
            s.advance(BATCH * STEP_NS);
        }
        black_box(s.check(0));
    })
}
