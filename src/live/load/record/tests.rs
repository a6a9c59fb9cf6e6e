use super::*;
use crate::live::load::gauges::Feed;
use sim::model::Scenario;
use sim::model::{Arrival, Fleet};

#[test]
fn a_replayed_log_gives_the_simulators_figures() {
    let mut s = Scenario::new("t");
    s.duration = Nanos::from_secs(10);
    s.fleets.push(Fleet::new(
        "web",
        2,
        Arrival::Poisson {
            rate: "1/s".parse().unwrap(),
        },
    ));
    let horizon = Nanos::from_secs(4);
    let log = Log::new(Instant::now(), horizon);
    let ms = Nanos::from_millis;
    // client 0: throttled once, then served; client 1: still waiting at the horizon
    log.push_at(ms(100), 0, 0, Ev::Logical);
    log.push_at(ms(100), 0, 0, Ev::Attempt { retry: false });
    log.push_at(ms(110), 0, 0, Ev::Response(429));
    log.push_at(ms(110), 0, 0, Ev::RetryDelay(ms(1000)));
    log.push_at(ms(1110), 0, 0, Ev::Attempt { retry: true });
    log.push_at(ms(1120), 0, 0, Ev::Admitted);
    log.push_at(ms(1120), 0, 0, Ev::Response(200));
    log.push_at(ms(1120), 0, 0, Ev::Success(ms(1020)));
    log.push_at(ms(2500), 1, 0, Ev::Logical);
    log.push_at(ms(2500), 1, 0, Ev::Attempt { retry: false });
    // at the horizon: not counted, as in the simulator
    log.push_at(horizon, 1, 0, Ev::Response(200));
    let r = assemble(&s, 7, horizon, &log, &mut Feed::none());
    let t = &r.summary;
    assert_eq!((t.logical_requests, t.attempts, t.retries), (2, 3, 1));
    assert_eq!(t.rejected.get(&429), Some(&1));
    assert_eq!((t.admitted, t.successes, t.in_flight_at_end), (1, 1, 1));
    assert!((t.retry_amplification - 1.5).abs() < 1e-9);
    assert!((t.goodput_rps - 0.25).abs() < 1e-9, "over the 4 s horizon");
    assert_eq!(r.series.total.len(), 4, "one row per 1 s bucket");
    assert_eq!(r.series.total[1].successes, 1);
    assert_eq!(r.series.total[0].rejected.get(&429), Some(&1));
    assert_eq!(r.clients[0].key, "web-0");
    assert_eq!((r.clients[0].attempts, r.clients[1].demand), (2, 1));
    assert_eq!(r.retry_delays["web"].count, 1);
    assert_eq!(r.duration_s, 4.0);
}
