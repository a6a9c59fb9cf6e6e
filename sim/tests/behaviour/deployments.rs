//! Deployments (issue #15): closed forms computed by hand.
//!
//! The workload of every case: one client sending evenly 10 requests a second for one minute
//! (600 requests), one global limit of 60 a minute (a fixed window, so the whole run is one
//! window), an instant backend. One server admits exactly 60.

use sim::metrics::RunResult;
use sim::scenario::load_str;

fn run(deployment: &str, level: &str, keys: &str) -> RunResult {
    let text = format!(
        r#"
name = "dep"
duration = "60s"
seed = 3
[[server.limiters]]
scope = "global"
algorithm = "fixed_window"
limit = 60
period = "1m"
{level}
{deployment}
[fleet.web]
count = 1
keys = {keys}
arrival = {{ process = "constant", rate = "10/s" }}
"#
    );
    let s = load_str("dep.toml", &text).unwrap_or_else(|e| panic!("{e}"));
    sim::run(&s, s.seed).unwrap()
}

fn admitted(r: &RunResult) -> u64 {
    r.summary.successes
}

fn dep(r: &RunResult) -> &sim::server::deployment::DeploymentFigures {
    r.deployment.as_ref().expect("deployment figures")
}

#[test]
fn one_server_admits_the_limit() {
    let r = run("", "", "1");
    assert_eq!(admitted(&r), 60);
    assert!(r.deployment.is_none(), "no figures without [deployment]");
}

#[test]
fn local_state_round_robin_admits_n_times_the_limit() {
    for n in [1u64, 2, 3, 5] {
        let r = run(&format!("[deployment]\nreplicas = {n}"), "", "1");
        assert_eq!(admitted(&r), 60 * n, "{n} replicas");
        let d = dep(&r);
        assert_eq!(d.admitted_over_limit, 60 * (n - 1));
        assert_eq!(d.levels[0].max_window_over_limit, Some(n as f64));
        assert_eq!(d.refused_with_room, 0);
    }
}

#[test]
fn split_state_behind_a_sticky_balancer_gives_one_key_limit_over_n() {
    // One key, hashed to one replica: it only ever gets that replica's share, 60 / 3 = 20,
    // while the global limit had room for 40 more: each of the 580 refusals had room.
    let r = run(
        "[deployment]\nreplicas = 3\nbalancer = \"hash_key\"",
        "state = \"split\"",
        "1",
    );
    assert_eq!(admitted(&r), 20);
    assert_eq!(dep(&r).refused_with_room, 580);
    // Uniform balancing spreads it: each replica's share is used, 3 x 20 = 60.
    let rr = run("[deployment]\nreplicas = 3", "state = \"split\"", "1");
    assert_eq!(admitted(&rr), 60);
}

#[test]
fn central_state_with_zero_rtt_is_one_server() {
    let one = run("", "", "1");
    let r = run("[deployment]\nreplicas = 4", "state = \"central\"", "1");
    // The same figures; the deployment's summary also lists its own statuses (500, 502) at 0.
    let mut s = r.summary.clone();
    s.server_errors.retain(|_, n| *n > 0);
    let mut o = one.summary.clone();
    o.server_errors.retain(|_, n| *n > 0);
    assert_eq!(s, o);
    let d = dep(&r);
    assert_eq!(d.admitted_over_limit, 0);
    assert_eq!(d.decision_latency_p99_ms, Some(0.0));
    assert!(
        (d.store_calls_per_s - 10.0).abs() < 1e-9,
        "one call per request"
    );
}

#[test]
fn synced_with_interval_zero_is_central() {
    let central = run("[deployment]\nreplicas = 3", "state = \"central\"", "1");
    let synced = run(
        "[deployment]\nreplicas = 3",
        "state = \"synced\"\nsync_interval = \"0s\"",
        "1",
    );
    assert_eq!(synced.summary, central.summary);
    assert_eq!(dep(&synced).admitted_over_limit, 0);
}

#[test]
fn synced_over_admission_is_bounded_by_the_others_admissions_in_one_interval() {
    // Each of the N - 1 other replicas admits at most its demand in one interval before this
    // one hears of it: (N - 1) x (10/s / 3) x 10 s = 66.7 over the limit at most.
    let r = run(
        "[deployment]\nreplicas = 3",
        "state = \"synced\"\nsync_interval = \"10s\"",
        "1",
    );
    let over = dep(&r).admitted_over_limit;
    assert!(over > 0, "a 10 s sync lets the replicas overshoot");
    assert!(admitted(&r) <= 60 + 66, "{} admitted", admitted(&r));
    assert_eq!(admitted(&r), 60 + over);
}

#[test]
fn a_store_outage_fails_open_or_closed_as_configured() {
    let outage = "[deployment]\nreplicas = 2\n[[deployment.events]]\nkind = \"store_outage\"\n\
                  start = \"0s\"\nduration = \"1m\"";
    let open = run(
        outage,
        "state = \"central\"\nstore_timeout = \"20ms\"\non_store_error = \"open\"",
        "1",
    );
    assert_eq!(admitted(&open), 600, "fail-open: no limit at all");
    let d = dep(&open);
    assert_eq!(d.store_errors, 600);
    assert_eq!(
        d.decision_latency_p50_ms.map(|x| (x - 20.0).abs() < 1.5),
        Some(true)
    );
    let closed = run(
        outage,
        "state = \"central\"\nstore_timeout = \"20ms\"\non_store_error = \"closed\"",
        "1",
    );
    assert_eq!(admitted(&closed), 0, "fail-closed: nothing");
    assert_eq!(closed.summary.server_errors_total, 600, "answered 500");
    assert_eq!(closed.summary.server_errors.get(&500), Some(&600));
    // Envoy's `status_on_error`: the refusals carry the status the level sets.
    let closed_503 = run(
        outage,
        "state = \"central\"\nstore_timeout = \"20ms\"\non_store_error = \"closed\"\n\
         status_on_error = 503",
        "1",
    );
    assert_eq!(closed_503.summary.server_errors.get(&503), Some(&600));
    assert_eq!(closed_503.summary.server_errors.get(&500), Some(&0));
    let local = run(
        outage,
        "state = \"central\"\nstore_timeout = \"20ms\"\non_store_error = \"local\"",
        "1",
    );
    assert_eq!(admitted(&local), 60, "fall back to the split limit: 2 x 30");
}

#[test]
fn a_failed_replica_gets_502_until_the_health_checks_notice() {
    let r = run(
        "[deployment]\nreplicas = 2\nhealth_check_delay = \"5s\"\n[[deployment.events]]\n\
         kind = \"fail\"\nreplica = 1\nstart = \"30s\"\nduration = \"30s\"",
        "state = \"central\"",
        "1",
    );
    // From 30 s to 35 s every other request reaches the dead replica: 25 of 50.
    assert_eq!(dep(&r).failed_replica_502, 25);
    assert_eq!(admitted(&r), 60);
}

#[test]
fn a_sync_interval_of_never_is_local_state() {
    let local = run("[deployment]\nreplicas = 3", "", "1");
    let never = run(
        "[deployment]\nreplicas = 3",
        "state = \"synced\"\nsync_interval = \"never\"",
        "1",
    );
    assert_eq!(never.summary, local.summary);
    assert_eq!(admitted(&never), 180);
}

#[test]
fn an_over_limit_cache_spares_the_store_every_refusal_but_the_first_per_replica() {
    // Central with zero rtt admits exactly the limit; with the cache each replica asks the
    // store until its first refusal, then refuses the key itself until the window ends:
    // 60 admissions + 3 first refusals = 63 store calls instead of 600.
    let r = run(
        "[deployment]\nreplicas = 3",
        "state = \"over_limit_cache\"\nstore_rtt = \"1ms\"",
        "1",
    );
    assert_eq!(admitted(&r), 60);
    let d = dep(&r);
    assert_eq!(d.admitted_over_limit, 0);
    assert!(
        (d.store_calls_per_s - 63.0 / 60.0).abs() < 1e-9,
        "{}",
        d.store_calls_per_s
    );
    // The cached refusals took no round trip: 537 of 600 decisions at 0, so p50 is 0.
    assert_eq!(d.decision_latency_p50_ms, Some(0.0));
}

#[test]
fn leases_with_one_replica_are_one_server() {
    let one = run("", "", "1");
    let r = run(
        "[deployment]\nreplicas = 1",
        "state = \"leases\"\nlease_period = \"10s\"",
        "1",
    );
    assert_eq!(admitted(&r), admitted(&one));
    assert_eq!(dep(&r).admitted_over_limit, 0);
    assert_eq!(dep(&r).refused_with_room, 0);
}

#[test]
fn leases_with_even_demand_never_exceed_the_limit_in_any_window() {
    // Round robin spreads the one client evenly: each of n replicas holds 60 / n, and no
    // window of one minute (the level's length, sliding) sees more than 60 admissions.
    for n in [2u64, 3, 4] {
        let r = run(
            &format!("[deployment]\nreplicas = {n}"),
            "state = \"leases\"\nlease_period = \"10s\"\nstore_rtt = \"1ms\"",
            "1",
        );
        let d = dep(&r);
        assert!(
            d.levels[0].max_window_over_limit.unwrap() <= 1.0,
            "{n} replicas: {:?}",
            d.levels[0]
        );
        assert_eq!(d.admitted_over_limit, 0, "{n} replicas");
        assert_eq!(
            admitted(&r),
            60 / n * n,
            "{n} replicas: the shares round down"
        );
        assert_eq!(d.levels[0].state, "leases");
    }
}

#[test]
fn leases_move_to_the_replica_with_the_demand_after_one_period() {
    // A sticky balancer sends the one key to one replica: at first it holds 60 / 3 = 20 (what
    // `split` gives it for ever); after the first renewal at 10 s the others, with no demand,
    // give theirs back and it holds the whole limit: 60 in the minute, as one server.
    let r = run(
        "[deployment]\nreplicas = 3\nbalancer = \"hash_key\"",
        "state = \"leases\"\nlease_period = \"10s\"",
        "1",
    );
    assert_eq!(admitted(&r), 60);
    // Refused while the global limit had room: the requests of seconds 2 to 10 past the first
    // lease's 20 (10/s from 2 s on), 80 of them.
    assert_eq!(dep(&r).refused_with_room, 80);
    // A lease period longer than the run never rebalances: split's figure.
    let never = run(
        "[deployment]\nreplicas = 3\nbalancer = \"hash_key\"",
        "state = \"leases\"\nlease_period = \"2m\"",
        "1",
    );
    assert_eq!(admitted(&never), 20);
}

#[test]
fn over_admission_is_broken_down_per_fleet_and_per_tenant() {
    // A per-tenant limit of 60 a minute, kept locally by 2 replicas behind round robin: the
    // heavy tenant (10/s) gets 60 from each replica, 60 over its limit; the light one (30 in
    // the minute) is never over. The breakdowns add up to the whole run's figures.
    let text = r#"
name = "groups"
duration = "60s"
[[server.limiters]]
scope = "tenant"
algorithm = "fixed_window"
limit = 60
period = "1m"
[deployment]
replicas = 2
[fleet.heavy]
count = 1
arrival = { process = "constant", rate = "10/s" }
[fleet.light]
count = 1
arrival = { process = "constant", rate = "1/2s" }
"#;
    let s = load_str("groups.toml", text).unwrap_or_else(|e| panic!("{e}"));
    let r = sim::run(&s, 1).unwrap();
    let d = dep(&r);
    let g = |v: &[sim::server::deployment::GroupFigures], name: &str| {
        v.iter().find(|g| g.name == name).cloned().unwrap()
    };
    let heavy = g(&d.per_fleet, "heavy");
    assert_eq!((heavy.admitted, heavy.admitted_over_limit), (120, 60));
    let light = g(&d.per_fleet, "light");
    assert_eq!(
        (
            light.admitted,
            light.admitted_over_limit,
            light.refused_with_room
        ),
        (30, 0, 0)
    );
    let same = |a: sim::server::deployment::GroupFigures,
                b: &sim::server::deployment::GroupFigures| {
        (a.admitted, a.admitted_over_limit, a.refused_with_room)
            == (b.admitted, b.admitted_over_limit, b.refused_with_room)
    };
    assert!(
        same(g(&d.per_tenant, "heavy-0"), &heavy),
        "{:?}",
        d.per_tenant
    );
    assert!(
        same(g(&d.per_tenant, "light-0"), &light),
        "{:?}",
        d.per_tenant
    );
    let sum = |f: fn(&sim::server::deployment::GroupFigures) -> u64| {
        d.per_fleet.iter().map(f).sum::<u64>()
    };
    assert_eq!(sum(|g| g.admitted), d.admitted);
    assert_eq!(sum(|g| g.admitted_over_limit), d.admitted_over_limit);
    assert_eq!(sum(|g| g.refused_with_room), d.refused_with_room);
    assert_eq!(d.per_tenant.len(), 2);
}

#[test]
fn the_limiter_gauge_of_a_leases_level_reads_the_leases_not_the_idle_store() {
    // Bug: the time series read the store side of a `leases` level, which decides nothing
    // (it holds no limiter): the gauge was missing while the replicas refused everything.
    // Three leases of 20 are spent by 6 s; from then on the level has no room, as one server
    // has none.
    let one = run("", "", "1");
    let r = run(
        "[deployment]\nreplicas = 3",
        "state = \"leases\"\nlease_period = \"10s\"",
        "1",
    );
    let remaining = |r: &RunResult, t: f64| {
        let row = r
            .series
            .total
            .iter()
            .find(|row| row.t_s == t)
            .expect("a bucket");
        (row.limiter_remaining, row.limiter_limit)
    };
    for t in [10.0, 30.0, 50.0] {
        assert_eq!(
            remaining(&one, t),
            (Some(0), Some(60)),
            "one server at {t} s"
        );
        assert_eq!(remaining(&r, t), (Some(0), Some(60)), "leases at {t} s");
    }
    // Before the first admission every lease is whole: the gauge is the whole limit.
    assert_eq!(r.series.total[0].limiter_limit, Some(60));
}
