use super::*;

#[test]
fn service_time_flags_become_simulator_distributions() {
    assert_eq!(
        parse_service_time("5ms").unwrap(),
        Distribution::Constant(Nanos::from_millis(5))
    );
    assert_eq!(
        parse_service_time("exponential 20ms").unwrap(),
        Distribution::Exponential {
            mean: Nanos::from_millis(20)
        }
    );
    assert!(parse_service_time("lognormal 50ms 400ms").is_ok());
    assert!(parse_service_time("lognormal 50ms 40ms").is_err());
    assert!(parse_service_time("uniform 5ms 1ms").is_err());
    assert!(parse_service_time("exponential 0s").is_err());
    assert!(parse_service_time("lognormal").is_err());
    assert!(parse_service_time("").is_err());
}

/// Regression: a zero service time went through `sleep(0)`, which parks the request until
/// the timer's next tick (about 1 ms) and halved the allow path's throughput (33k -> 68k
/// requests/s, BENCHMARKS.md). It must answer on its first poll.
#[tokio::test]
async fn a_zero_service_time_answers_on_the_first_poll() {
    struct NoWake;
    impl std::task::Wake for NoWake {
        fn wake(self: std::sync::Arc<Self>) {}
    }
    let config = super::super::config::BackendConfig {
        workers: 4,
        queue: 0,
        queue_timeout: None,
        deadline: Some(Duration::from_secs(1)),
        service_time: Distribution::Constant(Nanos::ZERO),
        faults: Vec::new(),
        upstreams: Vec::new(),
        seed: 0,
    };
    let m = Metrics::default();
    let b = Backend::new(&config).unwrap();
    let waker = std::task::Waker::from(std::sync::Arc::new(NoWake));
    let mut cx = std::task::Context::from_waker(&waker);
    let mut serve = std::pin::pin!(b.serve(&m, 0, None));
    let polled = std::future::Future::poll(serve.as_mut(), &mut cx);
    assert!(matches!(polled, std::task::Poll::Ready(Served::Ok { .. })));
}

#[tokio::test]
async fn a_full_queue_refuses_and_a_slow_worker_misses_the_deadline() {
    let config =
        |workers, queue, service: u64, deadline: u64| super::super::config::BackendConfig {
            workers,
            queue,
            queue_timeout: None,
            deadline: Some(Duration::from_millis(deadline)),
            service_time: Distribution::Constant(Nanos::from_millis(service)),
            faults: Vec::new(),
            upstreams: Vec::new(),
            seed: 0,
        };
    let m = Metrics::default();
    let b = Backend::new(&config(1, 0, 200, 5_000)).unwrap();
    let (first, second) = tokio::join!(b.serve(&m, 0, None), async {
        tokio::time::sleep(Duration::from_millis(50)).await;
        b.serve(&m, 0, None).await
    });
    assert!(matches!(first, Served::Ok { .. }));
    assert_eq!(second, Served::QueueFull);
    let b = Backend::new(&config(1, 4, 1_000, 100)).unwrap();
    assert_eq!(b.serve(&m, 0, None).await, Served::DeadlineExceeded);
    assert_eq!(m.queue_depth(), 0);
    assert!(Backend::new(&config(0, 0, 0, 1)).is_err());
}

/// As in the simulator: a queue timeout bounds the wait only (a long service still
/// completes), a deadline bounds wait plus service (and cancels the service).
#[tokio::test]
async fn queue_timeout_and_deadline_are_separate_knobs() {
    let config =
        |queue_timeout: Option<u64>, deadline: Option<u64>| super::super::config::BackendConfig {
            workers: 1,
            queue: 4,
            queue_timeout: queue_timeout.map(Duration::from_millis),
            deadline: deadline.map(Duration::from_millis),
            service_time: Distribution::Constant(Nanos::from_millis(60)),
            faults: Vec::new(),
            upstreams: Vec::new(),
            seed: 0,
        };
    let m = Metrics::default();
    let two = |b: Backend| async move {
        let m = Metrics::default();
        let (a, b2) = tokio::join!(b.serve(&m, 0, None), async {
            tokio::time::sleep(Duration::from_millis(5)).await;
            b.serve(&m, 0, None).await
        });
        (a, b2)
    };
    // queue timeout 100 ms: the second waits ~55 ms, then is served 60 ms: 200
    let (a, b) = two(Backend::new(&config(Some(100), None)).unwrap()).await;
    assert!(matches!(a, Served::Ok { .. }) && matches!(b, Served::Ok { .. }));
    // deadline 100 ms from admission: the second would answer at ~115 ms: 504
    let (a, b) = two(Backend::new(&config(None, Some(100))).unwrap()).await;
    assert!(matches!(a, Served::Ok { .. }), "{a:?}");
    assert_eq!(b, Served::DeadlineExceeded);
    // a service longer than the deadline is cut even with an idle worker
    let b = Backend::new(&config(None, Some(30))).unwrap();
    assert_eq!(b.serve(&m, 0, None).await, Served::DeadlineExceeded);
    // neither knob: everything completes
    let (a, b) = two(Backend::new(&config(None, None)).unwrap()).await;
    assert!(matches!(a, Served::Ok { .. }) && matches!(b, Served::Ok { .. }));
}
