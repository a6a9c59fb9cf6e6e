//! Limiter hierarchies: an org (tenant) limit binds across every credential of the org; a
//! request denied at any level is charged nowhere; the denying level's status and decision
//! reach the client.

use limiters::{Nanos, Params, Registry};
use sim::model::{Arrival, Fleet, Keys, Level, Scenario, Scope};
use sim::server::{Admission, Levels};

fn levels() -> Vec<Level> {
    vec![
        // Per key: 5 requests, refilled very slowly.
        Level::new(
            Scope::Key,
            "token_bucket",
            Params::new().with("rate", "1/h").with("burst", 5i64),
        ),
        // Per org: 8 requests, refilled at 10/s; denials say 402 to tell them apart.
        Level {
            status: 402,
            ..Level::new(
                Scope::Tenant,
                "token_bucket",
                Params::new().with("rate", "10/s").with("burst", 8i64),
            )
        },
    ]
}

fn statuses(levels: &mut Levels, now: Nanos, key: u32, n: usize) -> Vec<u16> {
    (0..n)
        .map(|_| match levels.admit(now, key, 0, 1).unwrap() {
            Admission::Allowed { .. } => 200,
            Admission::Denied { status, .. } => status,
        })
        .collect()
}

#[test]
fn org_limit_binds_across_keys_and_denials_charge_nothing() {
    let mut l = Levels::build(&levels(), &Registry::builtin()).unwrap();
    let t0 = Nanos::ZERO;
    assert_eq!(statuses(&mut l, t0, 0, 5), vec![200; 5]);
    // Key 1 has its own 5, but the org has only 3 left.
    assert_eq!(statuses(&mut l, t0, 1, 5), vec![200, 200, 200, 402, 402]);
    // One second later the org is full again. Key 1 was charged 3 (not 5): 2 remain.
    let t1 = Nanos::from_secs(1);
    assert_eq!(statuses(&mut l, t1, 1, 3), vec![200, 200, 429]);
    // Key 0 is exhausted at its own level; the org still has room, and is not charged for it.
    assert_eq!(statuses(&mut l, t1, 0, 2), vec![429, 429]);
    // The org has 8 - 2 = 6 left (had it been charged for key 0's denials: 4).
    assert_eq!(statuses(&mut l, t1, 2, 5), vec![200; 5]);
    assert_eq!(statuses(&mut l, t1, 3, 2), vec![200, 402]);
}

#[test]
fn denials_carry_the_denying_levels_decision() {
    let mut l = Levels::build(&levels(), &Registry::builtin()).unwrap();
    statuses(&mut l, Nanos::ZERO, 0, 5);
    statuses(&mut l, Nanos::ZERO, 1, 3);
    match l.admit(Nanos::ZERO, 1, 0, 1).unwrap() {
        Admission::Denied { status, decision } => {
            assert_eq!(status, 402);
            assert_eq!(decision.limit, 8);
            // The org bucket refills one token every 100 ms.
            assert_eq!(decision.retry_after, Some(Nanos::from_millis(100)));
        }
        other => panic!("expected a denial, got {other:?}"),
    }
}

#[test]
fn org_limit_binds_across_credentials_in_a_run() {
    let mut s = Scenario::new("org");
    s.duration = Nanos::from_secs(100);
    s.server.levels = vec![
        Level::new(
            Scope::Key,
            "token_bucket",
            Params::new().with("rate", "2/s").with("burst", 2i64),
        ),
        Level::new(
            Scope::Tenant,
            "token_bucket",
            Params::new().with("rate", "5/s").with("burst", 5i64),
        ),
    ];
    // 10 keys of one org, each offering 1/s (under its 2/s key limit): the org's 5/s binds.
    let mut f = Fleet::new(
        "org",
        10,
        Arrival::Poisson {
            rate: "1/s".parse().unwrap(),
        },
    );
    f.keys = Keys::PerClient;
    s.fleets.push(f);
    let r = sim::run(&s, 9).unwrap();
    assert!(r.summary.goodput_rps <= 5.1 && r.summary.goodput_rps > 4.5);
    assert!(r.summary.rejected[&429] > 300);
    assert_eq!(r.tenants.len(), 1);
}

/// While set, the `contrary` level's `check` denies although its `peek` admitted (a custom
/// limiter breaking the contract): the commit phase meets a denial after the levels before it
/// were charged.
static ARMED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

struct Contrary;

impl limiters::Limiter for Contrary {
    fn check(&mut self, now: Nanos, cost: u32) -> limiters::Decision {
        if ARMED.load(std::sync::atomic::Ordering::Relaxed) {
            limiters::Decision::deny(1, 0, Nanos::ZERO, Nanos::from_secs(1))
        } else {
            self.peek(now, cost)
        }
    }
    fn peek(&self, _now: Nanos, _cost: u32) -> limiters::Decision {
        limiters::Decision::allow(u64::MAX, u64::MAX, Nanos::ZERO)
    }
    fn name(&self) -> &'static str {
        "contrary"
    }
}

/// The undo path: a key bucket, a tenant window and a tenant quota admit, the last level
/// denies; every one of them must be refunded exactly (before, buckets, windows and quotas
/// kept the charge: a release as "dropped" gives nothing back to them).
#[test]
fn a_later_denial_refunds_the_levels_that_admitted() {
    let mut registry = Registry::builtin();
    registry.register(limiters::Entry {
        name: "contrary",
        summary: "peek admits, check denies while armed",
        params: &[],
        factory: |_| Ok(Box::new(Contrary)),
    });
    let mut levels = Vec::new();
    for (algorithm, params) in [
        (
            "token_bucket",
            Params::new().with("rate", "1/h").with("burst", 2i64),
        ),
        (
            "fixed_window",
            Params::new().with("limit", 2i64).with("period", "1h"),
        ),
        (
            "quota",
            Params::new().with("limit", 2i64).with("period", "month"),
        ),
    ] {
        levels.push(Level::new(Scope::Tenant, algorithm, params));
        let mut with_contrary = levels.clone();
        with_contrary.push(Level::new(Scope::Global, "contrary", Params::new()));
        let mut l = Levels::build(&with_contrary, &registry).unwrap();
        ARMED.store(true, std::sync::atomic::Ordering::Relaxed);
        for _ in 0..5 {
            let a = l.admit(Nanos::ZERO, 0, 0, 1).unwrap();
            assert!(matches!(a, Admission::Denied { .. }), "{algorithm}");
        }
        ARMED.store(false, std::sync::atomic::Ordering::Relaxed);
        // As if the five were never asked: each level still admits its two.
        assert_eq!(
            statuses(&mut l, Nanos::from_secs(1), 0, 3),
            [200, 200, 429],
            "{algorithm}"
        );
    }
}
