//! The figures over time a run reports besides its counters: latency percentiles per bucket,
//! retry delays per fleet, server arrivals at a fine resolution, the limiter state of the
//! hottest key, p99.99; and the recovery figure on periodic load and on a metastable overload.

use sim::metrics::RunResult;

fn run(toml: &str, seed: u64) -> RunResult {
    let s = sim::scenario::load_str("test.toml", toml).expect("valid scenario");
    sim::run(&s, seed).expect("run")
}

/// Cron clients (every 10 s) with backoff after a 30 s outage, no limiter, ample backend.
const CRON_OUTAGE: &str = r#"
name = "cron-outage"
duration = "180s"
[[faults]]
kind = "outage"
start = "60s"
duration = "30s"
status = 503
[fleet.cron]
count = 200
arrival = { process = "cron", period = "10s", offset = "200ms" }
[fleet.cron.retry]
policy = "exponential"
base = "1s"
cap = "8s"
jitter = "full"
max_attempts = 12
"#;

/// Cron load makes 1 s goodput one tall bucket every 10 s: no single bucket is near the mean,
/// yet the clients are back at their normal rate once the backlog has drained.
#[test]
fn periodic_load_is_not_reported_as_metastable() {
    let r = run(CRON_OUTAGE, 1);
    let rec = r
        .summary
        .recovery
        .as_ref()
        .expect("a fault, goodput before it");
    assert_eq!(rec.window_s, 10.0);
    assert!((rec.pre_fault_goodput_rps - 20.0).abs() < 0.5, "{rec:?}");
    assert!(rec.recovered, "{rec:?}");
    assert!(rec.time_to_recover_s.unwrap() < 30.0, "{rec:?}");
}

/// One worker at 80% load; during a 10 s latency spike the queue grows past the clients'
/// 200 ms timeout, and every timed-out attempt is retried at once while the server still
/// executes the abandoned copy. After the spike the retries alone exceed the capacity: the
/// queue never drains and goodput stays near zero (Bronson et al., HotOS 2021).
const METASTABLE: &str = r#"
name = "metastable"
duration = "120s"
[server.backend]
workers = 1
queue = 100000
service_time = "10ms"
[[faults]]
kind = "latency_spike"
start = "30s"
duration = "10s"
extra = "20ms"
[fleet.web]
count = 80
arrival = { process = "poisson", rate = "1/s" }
timeout = "200ms"
[fleet.web.retry]
policy = "immediate"
max_attempts = 10
"#;

fn no_retries() -> String {
    METASTABLE.replace(
        "policy = \"immediate\"\nmax_attempts = 10",
        "policy = \"none\"",
    )
}

#[test]
fn retry_amplified_overload_is_reported_as_did_not_recover() {
    let r = run(METASTABLE, 3);
    let rec = r
        .summary
        .recovery
        .as_ref()
        .expect("a fault, goodput before it");
    assert!((rec.pre_fault_goodput_rps - 80.0).abs() < 8.0, "{rec:?}");
    assert!(!rec.recovered, "{rec:?}");
    assert_eq!(rec.time_to_recover_s, None);
    // The trigger is long gone, the retry load is what keeps it down.
    let late = &r.series.total[100..];
    let good: u64 = late.iter().map(|row| row.successes).sum();
    let retries: u64 = late.iter().map(|row| row.retries).sum();
    assert!(good < 20 * 80 / 2, "goodput recovered: {good} in 20 s");
    assert!(retries > 20 * 80 * 3, "retries {retries}");
    // Without retries the same spike is a blip.
    let r = run(&no_retries(), 3);
    assert!(r.summary.recovery.as_ref().unwrap().recovered);
}

#[test]
fn latency_per_bucket_rises_during_a_latency_spike() {
    // No timeout, no retries: the spike's backlog is served late rather than abandoned.
    let patient = no_retries().replace("timeout = \"200ms\"\n", "");
    let r = run(&patient, 3);
    assert_eq!(r.series.latency_bucket_s, r.series.bucket_s);
    let p = |b: usize| {
        r.series.total[b]
            .latency_p50_ms
            .expect("successes in every bucket")
    };
    // 10 ms of service (+ queueing at 80%) before; during the spike 30 ms of service at
    // 2.4 times the capacity: a backlog of seconds, drained within about 25 s.
    assert!(p(10) < 30.0, "{}", p(10));
    assert!(p(39) > 1_000.0, "{}", p(39));
    assert!(p(100) < 100.0, "{}", p(100));
    for row in &r.series.total {
        if let (Some(a), Some(b), Some(c)) =
            (row.latency_p50_ms, row.latency_p90_ms, row.latency_p99_ms)
        {
            assert!(a <= b && b <= c, "{row:?}");
        }
    }
    // The fleet's rows are the total's rows (one fleet).
    assert_eq!(
        r.series.fleets["web"][35].latency_p99_ms,
        r.series.total[35].latency_p99_ms
    );
    let l = r.summary.latency.as_ref().unwrap();
    assert!(l.p999_ms <= l.p9999_ms && l.p9999_ms <= l.max_ms, "{l:?}");
}

#[test]
fn retry_delays_spike_without_jitter_and_spread_with_it() {
    let no_jitter = CRON_OUTAGE.replace("jitter = \"full\"", "jitter = \"none\"");
    let a = run(&no_jitter, 1);
    let b = run(CRON_OUTAGE, 1);
    let (da, db) = (&a.retry_delays["cron"], &b.retry_delays["cron"]);
    // Every retry sent was chosen; a wait that outlasts the run is chosen but never sent.
    assert!(
        da.count >= a.summary.retries && da.count <= a.summary.retries + a.summary.in_flight_at_end
    );
    // Without jitter: only 1, 2, 4, 8 s (four bins).
    assert_eq!(da.bins.len(), 4, "{:?}", da.bins);
    for (bin, secs) in da.bins.iter().zip([1.0, 2.0, 4.0, 8.0]) {
        assert!(bin.lo_ms <= secs * 1e3 && secs * 1e3 < bin.hi_ms, "{bin:?}");
    }
    // Full jitter: spread over many bins below the cap.
    assert!(db.bins.len() > 20, "{:?}", db.bins);
    assert!(db.max_ms < 8_000.0);
    assert!(db.mean_ms < da.mean_ms);
}

#[test]
fn arrivals_at_100ms_show_the_cron_herd_and_add_up_to_the_attempts() {
    let r = run(CRON_OUTAGE, 1);
    assert_eq!(r.arrivals.resolution_s, 0.1);
    let bins = &r.arrivals.fleets["cron"];
    assert_eq!(bins.len(), 1_800);
    let total: u64 = bins.iter().map(|&c| u64::from(c)).sum();
    assert!(total <= r.summary.attempts && total + 200 >= r.summary.attempts);
    // Before the fault, every tick's 200 attempts land within 200 ms (two or three bins).
    let tick: u32 = bins[100..103].iter().sum();
    assert_eq!(tick, 200);
    assert_eq!(bins[105], 0);
}

#[test]
fn keyed_level_reports_the_hottest_key() {
    let toml = r#"
name = "keys"
duration = "20s"
[[server.limiters]]
scope = "key"
algorithm = "token_bucket"
rate = "10/s"
burst = 10
[fleet.heavy]
count = 1
key_prefix = "heavy"
arrival = { process = "poisson", rate = "50/s" }
[fleet.light]
count = 20
arrival = { process = "poisson", rate = "1/s" }
"#;
    let r = run(toml, 2);
    assert_eq!(r.series.limiter_scope.as_deref(), Some("hottest key"));
    // The heavy key asks 5x its rate: its bucket is empty at every bucket end.
    for row in &r.series.total[2..] {
        assert_eq!(row.limiter_limit, Some(10), "{row:?}");
        assert!(row.limiter_remaining.unwrap() <= 1, "{row:?}");
    }
    assert!(r.series.fleets["light"][5].limiter_remaining.is_none());
}
