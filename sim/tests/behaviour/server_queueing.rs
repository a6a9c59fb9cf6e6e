//! The backend as a queueing system: one worker, constant 10 ms service (M/D/1), a bounded
//! FIFO queue (full -> 503) and a queue timeout (waited too long -> 504).

use limiters::Nanos;
use sim::model::{Arrival, Backend, Distribution, Fleet, Scenario};

fn md1(rate: &str, queue: u32, queue_timeout: Option<Nanos>, secs: u64) -> Scenario {
    let mut s = Scenario::new("md1");
    s.duration = Nanos::from_secs(secs);
    s.server.backend = Backend {
        workers: Some(1),
        queue,
        queue_timeout,
        deadline: None,
        service_time: Distribution::Constant(Nanos::from_millis(10)),
    };
    s.fleets.push(Fleet::new(
        "c",
        1,
        Arrival::Poisson {
            rate: rate.parse().unwrap(),
        },
    ));
    s
}

#[test]
fn half_loaded_md1_matches_pollaczek_khinchine() {
    // rho = 0.5: mean wait = rho * S / (2 (1 - rho)) = 5 ms, so mean latency = 15 ms.
    let r = sim::run(&md1("50/s", 10_000, None, 1200), 1).unwrap();
    let s = &r.summary;
    assert_eq!(s.server_errors_total, 0);
    assert_eq!(s.successes + s.in_flight_at_end, s.logical_requests);
    let lat = s.latency.as_ref().unwrap();
    assert!((lat.mean_ms - 15.0).abs() < 0.6, "mean {}", lat.mean_ms);
    assert!(lat.p50_ms >= 10.0);
    // The queue does form at times even at half load.
    assert!(r
        .series
        .total
        .iter()
        .any(|row| row.queue_len.unwrap_or(0) > 0));
}

#[test]
fn a_short_queue_timeout_produces_504s_even_at_half_load() {
    let r = sim::run(&md1("50/s", 10_000, Some(Nanos::from_millis(15)), 600), 2).unwrap();
    let n504 = r.summary.server_errors[&504];
    assert!(n504 > 0);
    assert!((n504 as f64) < 0.2 * r.summary.logical_requests as f64);
    // A served request waited at most the queue timeout.
    assert!(r.summary.latency.as_ref().unwrap().max_ms <= 25.1);
}

#[test]
fn overload_fills_the_queue_and_sheds_with_503() {
    // 150/s offered to a 100/s server with a 20-deep queue.
    let r = sim::run(&md1("150/s", 20, None, 300), 3).unwrap();
    let s = &r.summary;
    assert!(s.server_errors[&503] > 0);
    assert_eq!(s.server_errors.get(&504).copied().unwrap_or(0), 0);
    assert!(
        (s.goodput_rps - 100.0).abs() < 1.5,
        "goodput {}",
        s.goodput_rps
    );
    let max_q = r
        .series
        .total
        .iter()
        .filter_map(|row| row.queue_len)
        .max()
        .unwrap();
    assert_eq!(max_q, 20);
    // Waits are bounded by the queue: at most 20 ahead + own service.
    assert!(s.latency.as_ref().unwrap().max_ms <= 210.1);
    // Only admitted requests reach the backend, and with no limiter every attempt is admitted.
    assert_eq!(s.admitted, s.attempts);
}

#[test]
fn overload_with_a_long_queue_times_out_with_504() {
    let r = sim::run(
        &md1("150/s", 100_000, Some(Nanos::from_millis(200)), 300),
        4,
    )
    .unwrap();
    let s = &r.summary;
    assert!(s.server_errors[&504] > 0);
    assert_eq!(s.server_errors[&503], 0);
    assert!(
        (s.goodput_rps - 100.0).abs() < 1.5,
        "goodput {}",
        s.goodput_rps
    );
    assert!(s.latency.as_ref().unwrap().max_ms <= 210.1);
}
