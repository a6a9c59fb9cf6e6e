//! The trace arrival process (issue #17's closed-loop replay): clients send their logical
//! requests exactly at the trace's times, and the retries a limit causes are the fleet's policy's,
//! not the trace's.

use limiters::{Nanos, Params};
use sim::client::Trace;
use sim::model::{Arrival, Backend, Fleet, Level, RetryPolicy, Scenario, Scope, Strategy};
use std::sync::Arc;

fn traced(times: Vec<Vec<Nanos>>, retry: RetryPolicy, limit: Option<&str>) -> Scenario {
    let mut s = Scenario::new("trace");
    s.duration = Nanos::from_secs(60);
    s.server.backend = Backend::instant();
    if let Some(rate) = limit {
        s.server.levels.push(Level::new(
            Scope::Key,
            "token_bucket",
            Params::new().with("rate", rate).with("burst", 1i64),
        ));
    }
    let n = times.len() as u32;
    let mut f = Fleet::new("log", n, Arrival::Trace(Arc::new(Trace::new(times))));
    f.retry = retry;
    s.fleets.push(f);
    s
}

fn secs(v: &[u64]) -> Vec<Nanos> {
    v.iter().map(|&s| Nanos::from_secs(s)).collect()
}

#[test]
fn clients_arrive_at_the_trace_times_and_nowhere_else() {
    let times = vec![secs(&[1, 2, 2, 30]), secs(&[]), secs(&[5])];
    let (r, trace) = sim::Simulation::new(&traced(times, RetryPolicy::none(), None), 1)
        .run_traced()
        .unwrap();
    let arrivals: Vec<(u32, u64)> = trace
        .iter()
        .filter(|e| matches!(e.kind, sim::engine::TraceKind::Arrival))
        .map(|e| (e.client, e.at.as_secs()))
        .collect();
    assert_eq!(arrivals, vec![(0, 1), (0, 2), (0, 2), (2, 5), (0, 30)]);
    assert_eq!(r.summary.logical_requests, 5);
    assert_eq!(r.summary.successes, 5);
    // Times at or past the horizon are not sent.
    let late = traced(vec![secs(&[10, 60, 61])], RetryPolicy::none(), None);
    assert_eq!(sim::run(&late, 1).unwrap().summary.logical_requests, 1);
}

#[test]
fn a_tighter_limit_makes_the_policy_retry_and_the_retries_meet_it_again() {
    // Ten requests in the same second against 1/s with burst 1: nine refused at once; a
    // fixed 1 s retry comes back into the same bucket.
    let times = vec![vec![Nanos::from_secs(1); 10]];
    let retry = RetryPolicy::new(
        Strategy::Fixed {
            delay: Nanos::from_secs(1),
        },
        4,
    );
    let r = sim::run(&traced(times.clone(), retry, Some("1/s")), 3).unwrap();
    let s = &r.summary;
    assert_eq!(s.logical_requests, 10);
    assert!(s.retries > 9, "the refused nine retry: {}", s.retries);
    // Each retry wave of nine meets a bucket that refills one per second: at most 4 succeed.
    assert_eq!(s.successes, 4);
    assert_eq!(s.attempts, 10 + 9 + 8 + 7);
    // Without retries the same trace gives one success and nothing more.
    let r = sim::run(&traced(times, RetryPolicy::none(), Some("1/s")), 3).unwrap();
    assert_eq!((r.summary.successes, r.summary.attempts), (1, 10));
}

#[test]
fn a_trace_must_have_one_list_per_client() {
    let mut s = traced(vec![secs(&[1])], RetryPolicy::none(), None);
    s.fleets[0].count = 2;
    let e = sim::run(&s, 1).unwrap_err().to_string();
    assert!(e.contains("the trace has 1 clients and the fleet 2"), "{e}");
}

mod props {
    use limiters::Nanos;
    use proptest::prelude::*;
    use sim::client::{originals, Trace};
    use sim::retry::fit::{refused, Obs};

    fn log() -> impl Strategy<Value = Vec<Obs>> {
        proptest::collection::vec((1u64..5_000, 0u32..3, prop::bool::ANY), 0..60).prop_map(|v| {
            let mut t = 0;
            v.into_iter()
                .map(|(gap, route, bad)| {
                    t += gap;
                    Obs {
                        t: Nanos::from_millis(t),
                        route,
                        status: if bad { 429 } else { 200 },
                        retry_after: None,
                    }
                })
                .collect()
        })
    }

    proptest! {
        /// Every original is a logged request, in order; a request is dropped only if an
        /// earlier request on its route was refused at most a window before it.
        #[test]
        fn originals_drop_only_retries(obs in log(), window_ms in 1u64..10_000) {
            let window = Nanos::from_millis(window_ms);
            let kept = originals(&obs, window);
            prop_assert!(kept.len() <= obs.len());
            let mut k = 0;
            for (i, o) in obs.iter().enumerate() {
                let after_refusal = obs[..i].iter().any(|p| {
                    p.route == o.route && refused(p.status) && o.t.saturating_sub(p.t) <= window
                });
                // times are distinct (gaps of at least 1 ms): a kept request is found by its time
                let is_kept = k < kept.len() && kept[k] == o.t;
                if !after_refusal {
                    prop_assert!(is_kept, "request {i} at {:?} must be an original", o.t);
                }
                if is_kept {
                    k += 1;
                }
            }
            prop_assert_eq!(k, kept.len(), "every original is a logged request, in order");
        }

        /// A trace gives back each client's times sorted, and nothing past them.
        #[test]
        fn a_trace_gives_back_each_clients_times(
            clients in proptest::collection::vec(proptest::collection::vec(0u64..1_000, 0..20), 0..8)
        ) {
            let t = Trace::new(clients.iter().map(|c| c.iter().map(|&n| Nanos(n)).collect()).collect());
            prop_assert_eq!(t.clients() as usize, clients.len());
            for (i, c) in clients.iter().enumerate() {
                let mut sorted = c.clone();
                sorted.sort_unstable();
                let got: Vec<u64> = (0..).map_while(|k| t.at(i as u32, k)).map(|n| n.0).collect();
                prop_assert_eq!(got, sorted);
            }
        }
    }
}
