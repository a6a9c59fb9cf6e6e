//! Header-driven clients in the simulator: the server speaks `x-ratelimit-epoch` with
//! `Retry-After` as an HTTP-date (seeds 002/003 style) over a fixed window of 10 requests per
//! minute per key; clients honour what they read. A correct client waits for the reset; the
//! classic bug (epoch read as a delay) waits ~56 years, i.e. gives up at its deadline; a clock
//! running ahead reads the HTTP-date as too soon and is rejected again.

use limiters::{Nanos, Params};
use sim::client::{HeaderClient, HeaderSource};
use sim::model::{
    Arrival, Fleet, HonourRetryAfter, Level, RetryAfterFormat, RetryPolicy, Scenario, Scope,
    Strategy,
};

fn scenario() -> Scenario {
    let mut s = Scenario::new("headers");
    s.duration = Nanos::from_secs(300);
    s.server.dialect = "x-ratelimit-epoch".into();
    s.server.retry_after = RetryAfterFormat::HttpDate;
    s.server.levels.push(Level::new(
        Scope::Key,
        "fixed_window",
        Params::new().with("limit", 10i64).with("period", "60s"),
    ));
    let fleet = |name: &str, headers: HeaderClient| {
        let mut f = Fleet::new(
            name,
            5,
            Arrival::Poisson {
                rate: "1/5s".parse().unwrap(),
            },
        );
        f.deadline = Some(Nanos::from_secs(120));
        f.retry = RetryPolicy::new(Strategy::RetryAfter(HonourRetryAfter::default()), 5);
        f.headers = Some(headers);
        f
    };
    s.fleets.push(fleet("correct", HeaderClient::default()));
    s.fleets
        .push(fleet("epoch_as_delay", HeaderClient::epoch_as_delay()));
    s.fleets.push(fleet(
        "ahead",
        HeaderClient {
            skew_ns: 20_000_000_000,
            source: HeaderSource::RetryAfter,
            ..HeaderClient::default()
        },
    ));
    s
}

#[test]
fn the_epoch_as_delay_bug_never_retries_and_skew_ahead_retries_too_soon() {
    let r = sim::run(&scenario(), 5).unwrap();
    let f = |n: &str| &r.fleets[n];
    let correct = f("correct");
    let bug = f("epoch_as_delay");
    let ahead = f("ahead");
    // 12 requests/min per client against 10/min: some are rejected in every fleet.
    for s in [correct, bug, ahead] {
        assert!(s.rejected_total > 0);
    }
    // The correct client waits for the reset and uses the whole capacity: 10 per minute per
    // key over 5 minutes for 5 keys = 250, and gives up nothing.
    assert!(correct.retries > 0);
    assert!(correct.successes >= 240, "{correct:?}");
    assert_eq!(correct.give_ups["deadline"], 0);
    // The bug: every 429 reads "wait 56 years": no retry, a deadline give-up instead.
    assert_eq!(bug.retries, 0);
    assert_eq!(bug.give_ups["deadline"], bug.rejected_total);
    // 20 s ahead: Retry-After dates less than 20 s away read as "now": rejected again.
    let share = |s: &sim::metrics::Summary| s.rejected_total as f64 / s.attempts as f64;
    assert!(
        share(ahead) > share(correct),
        "{} vs {}",
        share(ahead),
        share(correct)
    );
}

#[test]
fn header_tables_load_from_scenario_files() {
    let text = r#"
name = "h"
duration = "10s"
[fleet.web]
count = 1
arrival = { process = "poisson", rate = "1/s" }
headers = { reset = "delta", skew = "-1.5s", source = "reset" }
"#;
    let s = sim::scenario::load_str("h.toml", text).unwrap();
    assert_eq!(
        s.fleets[0].headers,
        Some(HeaderClient {
            reset: limiters::headers::ResetInterpretation::Delta,
            skew_ns: -1_500_000_000,
            source: HeaderSource::Reset,
        })
    );
    let e = sim::scenario::load_str("h.toml", &text.replace("\"delta\"", "\"epoc\""))
        .unwrap_err()
        .to_string();
    assert!(e.contains("unknown reset interpretation `epoc`"), "{e}");
    assert!(sim::scenario::load_str("h.toml", &text.replace("-1.5s", "soon")).is_err());
}
