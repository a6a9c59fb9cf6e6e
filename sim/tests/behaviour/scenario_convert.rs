//! Spec -> model conversion: units are parsed exactly, defaults are applied, every section of
//! the format reaches the model.

use limiters::{Nanos, ParamValue, Rate};
use sim::model::{
    Arrival, Distribution, FaultKind, Keys, RetryAfterFormat, Scope, Strategy, DEFAULT_EPOCH,
};
use sim::retry::Jitter;
use sim::scenario::{load_str, DEFAULT_BUCKET, DEFAULT_SEED};

const MINIMAL: &str = r#"
name = "min"
duration = "90s"
[fleet.web]
count = 3
arrival = { process = "poisson", rate = "60/min" }
"#;

#[test]
fn a_minimal_file_gets_documented_defaults() {
    let s = load_str("min.toml", MINIMAL).unwrap();
    assert_eq!(s.duration, Nanos::from_secs(90));
    assert_eq!(s.bucket, DEFAULT_BUCKET);
    assert_eq!(s.seed, DEFAULT_SEED);
    assert_eq!(s.epoch, DEFAULT_EPOCH);
    assert!(s.server.levels.is_empty());
    assert_eq!(s.server.dialect, "x-ratelimit-delta");
    assert_eq!(s.server.retry_after, RetryAfterFormat::Seconds);
    assert!(s.network.delay.is_zero());
    let f = &s.fleets[0];
    assert_eq!(
        (f.name.as_str(), f.count, f.tenants, f.cost),
        ("web", 3, 1, 1)
    );
    assert_eq!(f.keys, Keys::PerClient);
    assert_eq!((f.timeout, f.deadline), (None, None));
    assert!(f.idempotent);
    assert_eq!(f.retry.strategy, Strategy::None);
    // `60/min` is kept as the exact pair (not normalised to 1/s): same interval, no rounding.
    match f.arrival {
        Arrival::Poisson { rate } => {
            assert_eq!((rate.count, rate.period), (60, Nanos::from_secs(60)));
            assert_eq!(rate.interval(), Nanos::from_secs(1));
        }
        ref other => panic!("{other:?}"),
    }
}

#[test]
fn every_section_reaches_the_model() {
    let text = r#"
name = "full"
seed = 7
duration = "10m"
bucket = "250ms"
epoch = 1700000000
[server]
dialect = "ietf"
retry_after = "http-date"
[[server.limiters]]
scope = "org"
algorithm = "quota"
status = 402
limit = 1000
period = "day"
[[server.limiters]]
scope = "key"
algorithm = "gcra"
rate = "5/250ms"
burst = 3
[server.backend]
workers = 8
queue = 16
queue_timeout = "30s"
service_time = { dist = "bimodal", low = "10ms", high = "1s", p_high = 0.05 }
[network]
delay = { dist = "uniform", low = "1ms", high = "3ms" }
[[faults]]
kind = "latency_spike"
start = "1m"
duration = "1m"
extra = "2s"
[[faults]]
kind = "capacity_drop"
start = "3m"
duration = "30s"
workers = 2
[fleet.batch]
count = 4
keys = 2
tenants = 2
key_prefix = "shared"
arrival = { process = "closed", concurrency = 2, think = { dist = "exponential", mean = "1s" } }
timeout = "2s"
deadline = "1m"
cost = 5
idempotent = false
[fleet.batch.retry]
policy = "retry_after"
jitter = "500ms"
cap = "30s"
use_reset = true
max_attempts = 3
retry_on = [429, 503]
retry_timeouts = false
fallback = { base = "200ms", cap = "2s", jitter = "equal" }
[fleet.cron]
count = 10
arrival = { process = "piecewise", points = [{ from = "0s", rate = "2/s" }, { from = "5m", rate = "off" }] }
[fleet.cron.retry]
policy = "fixed"
delay = "1.5s"
"#;
    let s = load_str("full.toml", text).unwrap();
    assert_eq!((s.seed, s.epoch), (7, 1_700_000_000));
    assert_eq!(s.bucket, Nanos::from_millis(250));
    assert_eq!(s.server.retry_after, RetryAfterFormat::HttpDate);
    let quota = &s.server.levels[0];
    assert_eq!((quota.scope, quota.status), (Scope::Tenant, 402));
    // The scenario epoch is handed to algorithms that take one.
    assert_eq!(
        quota.params.get("epoch"),
        Some(&ParamValue::Int(1_700_000_000))
    );
    assert_eq!(
        s.server.levels[1].params.get("rate"),
        Some(&ParamValue::Str("5/250ms".into()))
    );
    assert!(s.server.levels[1].params.get("epoch").is_none());
    let b = &s.server.backend;
    assert_eq!(
        (b.workers, b.queue, b.queue_timeout),
        (Some(8), 16, Some(Nanos::from_secs(30)))
    );
    assert!(matches!(b.service_time, Distribution::Bimodal { p_high, .. } if p_high == 0.05));
    assert_eq!(
        s.network.delay,
        Distribution::Uniform {
            low: Nanos::from_millis(1),
            high: Nanos::from_millis(3)
        }
    );
    assert_eq!(
        s.faults[0].kind,
        FaultKind::LatencySpike {
            extra: Distribution::Constant(Nanos::from_secs(2))
        }
    );
    assert_eq!(s.faults[1].kind, FaultKind::CapacityDrop { workers: 2 });
    // Fleets are ordered by name.
    let batch = s.fleet("batch").unwrap();
    assert_eq!(s.fleets[0].name, "batch");
    assert_eq!(
        (
            batch.keys.clone(),
            batch.key_prefix.as_str(),
            batch.tenant_prefix.as_str()
        ),
        (Keys::Shared(2), "shared", "batch")
    );
    assert_eq!((batch.cost, batch.idempotent), (5, false));
    assert_eq!(batch.deadline, Some(Nanos::from_secs(60)));
    assert!(matches!(
        batch.arrival,
        Arrival::Closed {
            concurrency: 2,
            think: Distribution::Exponential { .. }
        }
    ));
    let r = &batch.retry;
    assert_eq!(r.max_attempts, 3);
    assert!(r.retry_on.contains(503) && !r.retry_on.contains(500));
    assert!(!r.retry_timeouts);
    match r.strategy {
        Strategy::RetryAfter(h) => {
            assert_eq!(
                (h.jitter, h.cap, h.use_reset),
                (Nanos::from_millis(500), Some(Nanos::from_secs(30)), true)
            );
            assert_eq!(
                (h.fallback.base, h.fallback.jitter),
                (Nanos::from_millis(200), Jitter::Equal)
            );
        }
        other => panic!("{other:?}"),
    }
    let cron = s.fleet("cron").unwrap();
    match &cron.arrival {
        Arrival::Piecewise { points } => {
            assert_eq!(points.len(), 2);
            assert_eq!(points[1], (Nanos::from_secs(300), None));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        cron.retry.strategy,
        Strategy::Fixed {
            delay: Nanos::from_millis(1500)
        }
    );
    assert_eq!(cron.retry.max_attempts, sim::scenario::DEFAULT_MAX_ATTEMPTS);
}

#[test]
fn exponential_defaults_follow_the_backoff_defaults() {
    let text = format!("{MINIMAL}[fleet.web.retry]\npolicy = \"exponential\"\n");
    let s = load_str("x.toml", &text).unwrap();
    match s.fleets[0].retry.strategy {
        Strategy::Exponential(b) => assert_eq!(b, sim::retry::Backoff::default()),
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_reference_scenario_matches_the_reference_model() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios/fleet-429.toml");
    let s = sim::scenario::load_file(&path).unwrap();
    assert_eq!(s.duration, Nanos::from_secs(3600));
    let f = &s.fleets[0];
    assert_eq!(f.count, 1000);
    assert_eq!(
        f.arrival,
        Arrival::Poisson {
            rate: Rate::per_second(1).unwrap()
        }
    );
    assert_eq!(f.retry.max_attempts, 4, "at most 3 retries");
    match f.retry.strategy {
        Strategy::RetryAfter(h) => assert_eq!((h.jitter, h.cap), (Nanos::from_secs(1), None)),
        other => panic!("{other:?}"),
    }
    let l = &s.server.levels[0];
    assert_eq!(
        (l.scope, l.algorithm.as_str(), l.status),
        (Scope::Global, "token_bucket", 429)
    );
    assert_eq!(l.params.get("burst"), Some(&ParamValue::Int(500)));
    assert!(s.network.delay.is_zero() && s.server.backend.service_time.is_zero());
}
