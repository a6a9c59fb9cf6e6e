//! Each limiter level in its own header dialect (issue #13, seed 004): the per-second bucket
//! answers `X-RateLimit-*` with Reset in seconds while the monthly quota answers
//! `X-Quota-Monthly-*` with Reset in epoch seconds, on the same response; a simulated client
//! that reads headers parses those bytes, every level's numbers in their own fields.

use limiters::calendar::UnixTime;
use limiters::headers::render_levels;
use limiters::{Decision, Nanos, Params};
use sim::client::HeaderClient;
use sim::engine::{AttemptId, EventQueue};
use sim::model::{Level, Scenario, Scope};
use sim::server::{JobMeta, Response, Server};
use std::path::PathBuf;

fn seed_004() -> Scenario {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../scenarios/seeds/004-noxdren.toml");
    sim::scenario::load_file(&p).unwrap()
}

fn server(s: &Scenario) -> Server {
    let mut srv = Server::new(&s.server, &limiters::Registry::builtin(), &[], 1)
        .unwrap_or_else(|(i, e)| panic!("level {i}: {e}"));
    srv.keep_shown(true);
    srv
}

fn meta(req: u32) -> JobMeta {
    JobMeta {
        req,
        token: 0,
        client: 0,
        fleet: 0,
        key: 0,
        tenant: 0,
        cost: 1,
        upstream: 0,
        id: AttemptId::default(),
    }
}

/// The fields the server renders for attempt `req`'s response at scenario time `now`.
fn rendered(srv: &mut Server, epoch: u64, req: u32) -> Vec<(&'static str, String)> {
    let shown = srv
        .take_shown(req, 0)
        .expect("every level's decision is kept");
    let parts: Vec<(&Decision, &limiters::headers::HeaderStyle)> = shown
        .levels
        .iter()
        .map(|(i, d)| (d, &srv.styles[usize::from(*i)]))
        .collect();
    render_levels(&parts, UnixTime::from_secs(epoch))
}

fn field<'a>(h: &'a [(&'static str, String)], name: &str) -> Option<&'a str> {
    h.iter().find(|(n, _)| *n == name).map(|(_, v)| v.as_str())
}

#[test]
fn seed_004_renders_the_bucket_and_the_monthly_quota_each_in_its_dialect() {
    let s = seed_004();
    let mut srv = server(&s);
    let mut q = EventQueue::new();
    let mut resp = Response::rejected(0, None);
    srv.receive(Nanos::ZERO, &mut q, meta(0), &mut resp)
        .unwrap();
    let h = rendered(&mut srv, s.epoch, 0);
    assert_eq!(field(&h, "X-RateLimit-Limit"), Some("10"), "{h:?}");
    assert_eq!(field(&h, "X-RateLimit-Remaining"), Some("9"));
    assert_eq!(
        field(&h, "X-RateLimit-Reset"),
        Some("1"),
        "seconds until refill"
    );
    assert_eq!(field(&h, "X-Quota-Monthly-Limit"), Some("50000"));
    assert_eq!(field(&h, "X-Quota-Monthly-Remaining"), Some("49999"));
    // 2026-02-01T00:00:00Z, the rollover, in epoch seconds
    assert_eq!(field(&h, "X-Quota-Monthly-Reset"), Some("1769904000"));
    // a burst of 10 more: the bucket denies with Retry-After: 1, the quota still shows its own
    for i in 1..=10 {
        srv.receive(Nanos::ZERO, &mut q, meta(i), &mut resp)
            .unwrap();
    }
    assert_eq!(resp.status, 429);
    let h = rendered(&mut srv, s.epoch, 10);
    assert_eq!(field(&h, "X-RateLimit-Remaining"), Some("0"));
    assert_eq!(field(&h, "Retry-After"), Some("1"));
    // the quota's peek: what would remain had this request been charged (10 were)
    assert_eq!(field(&h, "X-Quota-Monthly-Remaining"), Some("49989"));
}

/// A client that reads headers learns that the month is spent from the response that spent
/// it (`X-Quota-Monthly-Remaining: 0`), and waits for the rollover instead of retrying into
/// `QUOTA_EXCEEDED`: only one level's fields on the response (the old single dialect) would
/// show the bucket's numbers, with units to spare.
#[test]
fn a_header_reading_client_sees_the_spent_month_on_an_admitted_response() {
    let mut s = Scenario::new("month-spent");
    s.duration = Nanos::from_secs(60);
    let bucket = Level::new(
        Scope::Key,
        "token_bucket",
        Params::new().with("rate", "10/s").with("burst", 10i64),
    );
    let mut quota = Level::new(
        Scope::Tenant,
        "quota",
        Params::new()
            .with("limit", 3i64)
            .with("period", "month")
            .with("epoch", s.epoch as i64),
    );
    quota.dialect = Some(limiters::headers::Dialect::XQuotaMonthly);
    s.server.levels = vec![bucket, quota];
    let mut srv = server(&s);
    let mut q = EventQueue::new();
    let mut resp = Response::rejected(0, None);
    for i in 0..3 {
        srv.receive(Nanos::from_secs(u64::from(i)), &mut q, meta(i), &mut resp)
            .unwrap();
        assert_eq!(resp.status, 200);
    }
    let shown = srv.take_shown(2, 0).unwrap();
    let now = UnixTime::from_secs(s.epoch + 2);
    let hints = HeaderClient::default().sim_hints(
        resp.decision.as_ref(),
        Some(&shown.levels),
        &srv.styles,
        now,
        now,
    );
    let month = Nanos::from_secs(31 * 86_400 - 2);
    assert_eq!(hints.retry_after, Some(month), "wait for the rollover");
}

/// Fixed windows sit on the calendar clock: with time 0 at 00:00:45 (the scenario's `epoch`),
/// a minute window ends 15 s into the run, at the top of the minute, as live on either store.
#[test]
fn fixed_windows_start_at_the_top_of_the_minute_of_the_scenario_epoch() {
    let text = r#"
name = "aligned"
duration = "30s"
epoch = 1767225645
[[server.limiters]]
scope = "key"
algorithm = "fixed_window"
limit = 1
period = "60s"
[fleet.a]
count = 1
arrival = { process = "constant", rate = "1/s" }
"#;
    let s = sim::scenario::load_str("aligned.toml", text).unwrap();
    let r = sim::run(&s, 1).unwrap();
    let a = &r.fleets["a"];
    assert_eq!(a.successes, 2, "t = 0 s and t = 15 s (00:01:00): {a:?}");
}
