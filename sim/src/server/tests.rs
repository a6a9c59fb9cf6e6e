use super::*;
use crate::model::{Level, Scope};
use limiters::Params;

fn server(algorithm: &str, params: Params, instant: bool) -> Server {
    let cfg = ServerCfg {
        levels: vec![Level::new(Scope::Global, algorithm, params)],
        ..ServerCfg::default()
    };
    let mut s = Server::new(&cfg, &Registry::builtin(), &[], 1)
        .unwrap_or_else(|(i, e)| panic!("level {i}: {e}"));
    assert!(
        s.instant && s.direct,
        "unlimited workers, zero service, no fault, one level"
    );
    s.instant = instant;
    s.direct = instant;
    s
}

/// The direct and instant paths (no job slot) answer exactly what the backend's job path
/// answers, and leave the limiter in the same state: a token bucket (time-based), and a
/// concurrency cap, which denies everything after its first `max` if a completion is not
/// released.
#[test]
fn an_instant_backend_answers_as_the_job_path_does() {
    let limits = [
        (
            "token_bucket",
            Params::new().with("rate", "5/s").with("burst", 3i64),
        ),
        ("concurrency", Params::new().with("max", 2i64)),
    ];
    for (algorithm, params) in limits {
        let mut fast = server(algorithm, params.clone(), true);
        let mut slow = server(algorithm, params, false);
        let mut q = EventQueue::new();
        let mut admitted = 0;
        for i in 0..400u32 {
            let now = Nanos::from_millis(u64::from(i) * 30);
            let meta = JobMeta {
                req: i,
                token: i,
                client: i % 7,
                fleet: 0,
                key: i % 7,
                tenant: 0,
                cost: 1,
                upstream: 0,
                id: crate::engine::AttemptId::new(0, i % 7, i, 1),
            };
            let answer = |s: &mut Server, q: &mut EventQueue| {
                // A response left over from an earlier attempt: every field is rewritten.
                let mut r = Response::rejected(503, None);
                r.work = Nanos(7);
                s.receive(now, q, meta, &mut r).unwrap().then_some(r)
            };
            let a = answer(&mut fast, &mut q);
            let b = answer(&mut slow, &mut q);
            assert_eq!(a, b, "{algorithm}: attempt {i}");
            admitted += u32::from(a.is_some_and(|r| r.admitted));
            let state = |s: &Server| s.limiter_state(now, None);
            assert_eq!(state(&fast), state(&slow), "{algorithm}: attempt {i}");
        }
        assert!(q.is_empty(), "an instant backend schedules nothing");
        assert!(admitted > 10, "{algorithm}: {admitted} admitted");
    }
}
