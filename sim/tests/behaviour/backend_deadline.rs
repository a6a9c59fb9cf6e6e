//! Seed 004's deadline: the backend's two time limits are separate knobs. `queue_timeout`
//! bounds the wait for a worker (service never starts past it); `deadline` runs from
//! admission, service included, and cancels a request still queued or in service (504,
//! not executed, its worker freed).
//!
//! Two clients fire together every second (cron, no offset) at one worker with a constant
//! service time, so the second always waits for the first: what each knob does to it is exact.

use sim::scenario::load_str;

fn scenario(service: &str, limits: &str) -> String {
    format!(
        r#"
name = "deadline"
duration = "10s"
bucket = "1s"
[server.backend]
workers = 1
queue = 10
service_time = "{service}"
{limits}
[fleet.c]
count = 2
arrival = {{ process = "cron", period = "1s", offset = "0s" }}
"#
    )
}

fn run(service: &str, limits: &str) -> sim::metrics::Summary {
    let s = load_str("deadline.toml", &scenario(service, limits)).unwrap_or_else(|e| panic!("{e}"));
    sim::run(&s, 1).unwrap().summary
}

#[test]
fn a_queue_timeout_counts_only_the_wait_for_a_worker() {
    // The second request waits 20 ms (< 30 ms) and is then served 20 ms: 40 ms in all, 200.
    let s = run("20ms", r#"queue_timeout = "30ms""#);
    assert_eq!(s.server_errors_total, 0, "{s:?}");
    assert_eq!(s.successes, s.logical_requests);
    assert!(s.successes >= 18, "{s:?}");
}

#[test]
fn a_deadline_from_admission_includes_service_and_cancels_it() {
    // The same wait under a 30 ms deadline from admission: the second request would finish at
    // 40 ms, so it is cancelled at 30 ms with 504; the first (20 ms) succeeds.
    let s = run("20ms", r#"deadline = "30ms""#);
    assert_eq!(s.successes, s.logical_requests / 2, "{s:?}");
    assert_eq!(s.server_errors.get(&504), Some(&(s.logical_requests / 2)));
    // A service longer than the deadline never completes, even with an idle worker.
    let s = run("40ms", r#"deadline = "30ms""#);
    assert_eq!(s.successes, 0, "{s:?}");
    assert_eq!(s.server_errors.get(&504), Some(&s.logical_requests));
    // ... while a queue timeout alone lets it finish (the wait is not the service).
    let s = run("40ms", r#"queue_timeout = "50ms""#);
    assert_eq!(s.successes, s.logical_requests, "{s:?}");
}

#[test]
fn both_knobs_together_the_earlier_wins() {
    // Queue timeout 10 ms: the second request (which would wait 20 ms) is dropped from the
    // queue at 10 ms, before the 30 ms deadline.
    let s = run("20ms", "queue_timeout = \"10ms\"\ndeadline = \"30ms\"");
    assert_eq!(s.successes, s.logical_requests / 2, "{s:?}");
    let lat = s.latency.as_ref().unwrap();
    assert!(lat.p99_ms <= 21.0, "{lat:?}");
}

#[test]
fn a_zero_deadline_is_refused_with_its_position() {
    let e = load_str("d.toml", &scenario("20ms", r#"deadline = "0s""#)).unwrap_err();
    let text = e.to_string();
    assert!(
        text.contains("d.toml:") && text.contains("deadline"),
        "{text}"
    );
}
