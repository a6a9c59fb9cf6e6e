//! Each arrival process, run end to end, offers the configured rate (within a few percent
//! over a long run); the closed loop offers what its concurrency and think time allow.

use limiters::Nanos;
use sim::model::{Arrival, Backend, Distribution, Fleet, Scenario};

fn offered(arrival: Arrival, clients: u32, secs: u64) -> f64 {
    let mut s = Scenario::new("arrivals");
    s.duration = Nanos::from_secs(secs);
    s.fleets.push(Fleet::new("f", clients, arrival));
    let r = sim::run(&s, 21).unwrap();
    r.summary.offered_rps / f64::from(clients)
}

fn close(got: f64, want: f64, tol: f64) {
    assert!((got / want - 1.0).abs() < tol, "got {got}, want {want}");
}

#[test]
fn poisson_rate() {
    close(
        offered(
            Arrival::Poisson {
                rate: "5/s".parse().unwrap(),
            },
            20,
            1000,
        ),
        5.0,
        0.02,
    );
}

#[test]
fn constant_rate() {
    close(
        offered(
            Arrival::Constant {
                rate: "3/s".parse().unwrap(),
            },
            10,
            1000,
        ),
        3.0,
        0.005,
    );
}

#[test]
fn on_off_rate_is_the_duty_cycle() {
    let a = Arrival::OnOff {
        rate: "10/s".parse().unwrap(),
        on: Nanos::from_secs(5),
        off: Nanos::from_secs(15),
    };
    close(offered(a, 20, 2000), 2.5, 0.03);
}

#[test]
fn cron_fires_once_per_period_per_client() {
    let a = Arrival::Cron {
        period: Nanos::from_secs(60),
        offset: Nanos::from_millis(100),
    };
    // 30 minutes: fires at 0, 60, ..., 1740 s = 30 times.
    let mut s = Scenario::new("cron");
    s.duration = Nanos::from_secs(1800);
    s.fleets.push(Fleet::new("cron", 100, a));
    let r = sim::run(&s, 1).unwrap();
    assert_eq!(r.summary.logical_requests, 3000);
    // Every firing lands in the first bucket of its minute.
    for (i, row) in r.series.total.iter().enumerate() {
        let expect = if i % 60 == 0 { 100 } else { 0 };
        assert_eq!(row.first_attempts, expect, "bucket {i}");
    }
}

#[test]
fn diurnal_rate_averages_the_cycle() {
    let a = Arrival::Diurnal {
        low: "1/s".parse().unwrap(),
        high: "9/s".parse().unwrap(),
        period: Nanos::from_secs(200),
    };
    close(offered(a, 20, 2000), 5.0, 0.02);
}

#[test]
fn piecewise_rate_follows_its_steps() {
    let a = Arrival::Piecewise {
        points: vec![
            (Nanos::ZERO, Some("2/s".parse().unwrap())),
            (Nanos::from_secs(500), Some("6/s".parse().unwrap())),
        ],
    };
    close(offered(a, 20, 1000), 4.0, 0.02);
}

#[test]
fn closed_loop_throughput_is_concurrency_over_cycle_time() {
    let mut s = Scenario::new("closed");
    s.duration = Nanos::from_secs(600);
    s.server.backend = Backend {
        workers: None,
        queue: 0,
        queue_timeout: None,
        deadline: None,
        service_time: Distribution::Constant(Nanos::from_millis(50)),
    };
    s.fleets.push(Fleet::new(
        "closed",
        10,
        Arrival::Closed {
            concurrency: 2,
            think: Distribution::Constant(Nanos::from_millis(150)),
        },
    ));
    let r = sim::run(&s, 1).unwrap();
    // Each of 2 x 10 loops completes one request per 200 ms: 100/s.
    close(r.summary.goodput_rps, 100.0, 0.01);
    assert!(r.summary.in_flight_at_end <= 20);
}
