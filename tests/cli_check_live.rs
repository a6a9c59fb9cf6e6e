//! `throttlelab check-live` through the real binary: the calm scenario, and a scenario whose
//! limiter rejects a third of the attempts, simulated and run live on loopback for a few
//! seconds must agree within the tolerance on every headline figure (this fails if the live
//! server, the load fleet or the simulator drift apart), and the comparison files must be
//! written. The backend's deadline and changed-body idempotency retries (seeds 004 and 002)
//! must mean the same on both sides. Bad input exits with code 2.

// live mode: built with the `live` feature (the default)
#![cfg(feature = "live")]

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Mutex;

/// Live runs one at a time: on a loaded machine two at once disturb each other's timing.
static LIVE: Mutex<()> = Mutex::new(());

fn tmp(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!(
        "throttlelab-check-live-{}-{tag}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&d);
    d
}

fn check_live(args: &[&str], out: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_throttlelab"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .arg("check-live")
        .args(args)
        .arg("--out")
        .arg(out)
        .output()
        .unwrap()
}

#[test]
fn calm_agrees_live_and_simulated_within_the_tolerance() {
    let _one = LIVE.lock().unwrap_or_else(|p| p.into_inner());
    let out = tmp("calm");
    let o = check_live(
        &[
            "scenarios/calm.toml",
            "--duration",
            "6s",
            "--tolerance",
            "5%",
        ],
        &out,
    );
    let stdout = String::from_utf8_lossy(&o.stdout);
    let stderr = String::from_utf8_lossy(&o.stderr);
    let dir = out.join("calm").join("check-live");
    for f in [
        "comparison.csv",
        "comparison.json",
        "sim.json",
        "live.json",
        "sim/summary.json",
        "live/summary.json",
        "live/manifest.json",
    ] {
        assert!(dir.join(f).is_file(), "{f} missing\n{stdout}\n{stderr}");
    }
    // The report opens with the verdict (issue #12: every report leads with its answer).
    let html = std::fs::read_to_string(dir.join("report.html")).expect("check-live report.html");
    let answer = html.find("live agrees with the simulation within 5%");
    let table = html.find("Every figure");
    assert!(
        matches!((answer, table), (Some(a), Some(t)) if a < t),
        "the verdict leads the report\n{stdout}"
    );
    let json: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("comparison.json")).unwrap())
            .unwrap();
    let rows = json["rows"].as_array().unwrap();
    let row = |figure: &str| {
        rows.iter()
            .find(|r| r["fleet"] == "total" && r["figure"] == figure)
            .unwrap_or_else(|| panic!("no row `{figure}`\n{stdout}"))
    };
    // 200 clients at 1/s for 6 s: about 1,200 requests on each side, all admitted
    let admitted = row("admitted");
    let sim = admitted["sim"].as_f64().unwrap();
    assert!((1000.0..1400.0).contains(&sim), "{stdout}");
    for figure in [
        "admitted",
        "retry amplification",
        "goodput /s",
        "rejected (all)",
    ] {
        let r = row(figure);
        let d = r["rel_diff"].as_f64();
        assert!(
            d.is_some_and(|d| d.abs() <= 0.05),
            "{figure}: sim {} live {} diff {d:?}\n{stdout}\n{stderr}",
            r["sim"],
            r["live"]
        );
    }
    assert_eq!(json["agree"], true, "{stdout}\n{stderr}");
    assert!(o.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("retry amplification"), "{stdout}");
    let csv = std::fs::read_to_string(dir.join("comparison.csv")).unwrap();
    assert!(csv.starts_with("scenario,seed,duration_s,fleet,figure,sim,live,rel_diff,verdict\n"));
    assert_eq!(csv.lines().count(), rows.len() + 1);
    // Staged and sealed whole, each side on its own (issue #14): `report` takes either side.
    for d in [dir.clone(), dir.join("sim"), dir.join("live")] {
        report::files::complete::check(&d).unwrap_or_else(|e| panic!("{e}"));
    }
    let live = dir.join("live").display().to_string();
    let r = Command::new(env!("CARGO_BIN_EXE_throttlelab"))
        .args(["--quiet", "report", &live])
        .output()
        .unwrap();
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn bad_input_exits_with_code_2() {
    let out = tmp("bad");
    for args in [
        &["scenarios/calm.toml", "--tolerance", "five"][..],
        &["scenarios/calm.toml", "--duration", "soon"][..],
        &["scenarios/does-not-exist.toml"][..],
    ] {
        let o = check_live(args, &out);
        assert_eq!(
            o.status.code(),
            Some(2),
            "{args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
    assert!(!out.exists());
}

/// The comparison rows of `check-live` on `text` (written to a file) for `duration`.
fn rows_of(tag: &str, text: &str, duration: &str) -> (Output, Vec<Value>, String) {
    let _one = LIVE.lock().unwrap_or_else(|p| p.into_inner());
    let out = tmp(tag);
    std::fs::create_dir_all(&out).unwrap();
    let file = out.join(format!("{tag}.toml"));
    std::fs::write(&file, text).unwrap();
    let o = check_live(
        &[
            file.to_str().unwrap(),
            "--duration",
            duration,
            "--tolerance",
            "5%",
        ],
        &out,
    );
    let report = format!(
        "{}\n{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    let path = out.join(tag).join("check-live").join("comparison.json");
    let json: Value = serde_json::from_str(
        &std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{e}\n{report}")),
    )
    .unwrap();
    let rows = json["rows"].as_array().unwrap().clone();
    let _ = std::fs::remove_dir_all(&out);
    (o, rows, report)
}

fn figure(rows: &[Value], fleet: &str, figure: &str) -> (f64, f64) {
    let r = rows
        .iter()
        .find(|r| r["fleet"] == fleet && r["figure"] == figure)
        .unwrap_or_else(|| panic!("no row {fleet} `{figure}`"));
    (r["sim"].as_f64().unwrap(), r["live"].as_f64().unwrap())
}

/// A limiter that rejects (CI ran only `calm`, where nothing is): 20 clients on 2 keys at
/// 1/s each against 5/s per key (burst 5), a fixed `Retry-After: 1` and retries without
/// jitter. Admissions are fixed by the buckets, 429s by the arrival schedule: both sides must
/// agree within 5 % on every headline figure.
#[test]
fn a_rejecting_limiter_agrees_live_and_simulated_within_the_tolerance() {
    let text = r#"
name = "rejecting"
duration = "8s"
bucket = "1s"
[[server.limiters]]
scope = "key"
algorithm = "token_bucket"
rate = "5/s"
burst = 5
retry_after = "1s"
[fleet.web]
count = 20
keys = 2
arrival = { process = "poisson", rate = "1/s" }
[fleet.web.retry]
policy = "retry_after"
fallback = { base = "1s", cap = "1s", jitter = "none" }
max_attempts = 3
retry_on = [429]
"#;
    let (o, rows, report) = rows_of("rejecting", text, "8s");
    let (sim_429, live_429) = figure(&rows, "total", "rejected 429");
    assert!(sim_429 >= 50.0, "a third or more rejected: {report}");
    for f in [
        "admitted",
        "rejected 429",
        "retry amplification",
        "goodput /s",
    ] {
        let (a, b) = figure(&rows, "total", f);
        assert!(
            (b - a).abs() <= 0.05 * a,
            "{f}: sim {a} live {b} (429s {sim_429} / {live_429})\n{report}"
        );
    }
    assert!(o.status.success(), "{report}");
}

/// Seed 004's deadline (from admission, service included) and seed 002's changed-body 409,
/// live as simulated. `patient` waits for every answer: a service over the 300 ms deadline is a
/// 504 on both sides (before, check-live ran the live backend without a deadline: 0 504s).
/// `rebuilds` gives up after 150 ms and retries 400 ms later with a rebuilt body under the
/// same key: a first attempt that completed (150-300 ms of service) is stored, and the retry
/// meets it with 409 (before, live clients never changed the body: replays, no 409).
/// `again` does the same without a key: an attempt executed after its client gave up, then
/// its retry executed too, is a duplicate, counted by the live server as by the simulator
/// (before, not counted live).
#[test]
fn the_deadline_and_changed_bodies_mean_the_same_live() {
    let text = r#"
name = "deadline-bodies"
duration = "6s"
bucket = "1s"
[server.backend]
service_time = { dist = "uniform", low = "100ms", high = "500ms" }
deadline = "300ms"
[fleet.patient]
count = 10
arrival = { process = "poisson", rate = "2/s" }
[fleet.rebuilds]
count = 10
arrival = { process = "poisson", rate = "2/s" }
timeout = "150ms"
idempotent = false
idempotency_key = true
[fleet.rebuilds.idempotency]
changed_body_probability = 1.0
[fleet.rebuilds.retry]
policy = "fixed"
delay = "400ms"
max_attempts = 2
retry_on = [409, 504]
[fleet.again]
count = 20
arrival = { process = "poisson", rate = "2/s" }
timeout = "150ms"
idempotent = false
[fleet.again.retry]
policy = "fixed"
delay = "400ms"
max_attempts = 2
retry_on = [504]
"#;
    let (_, rows, report) = rows_of("deadline-bodies", text, "6s");
    let (sim, live) = figure(&rows, "patient", "server errors 504");
    assert!(sim >= 30.0, "{report}");
    assert!(
        (live - sim).abs() <= 0.25 * sim,
        "504s {sim} / {live}\n{report}"
    );
    let (sim, live) = figure(&rows, "rebuilds", "rejected 409");
    assert!(sim >= 15.0, "{report}");
    assert!(
        (live - sim).abs() <= 0.35 * sim,
        "409s {sim} / {live}\n{report}"
    );
    let (sim, live) = figure(&rows, "total", "duplicates executed");
    assert!(sim >= 10.0, "{report}");
    assert!(
        (live - sim).abs() <= 0.4 * sim,
        "duplicates {sim} / {live}\n{report}"
    );
}

/// Seed 003's fail-over, live as simulated: two upstreams, the primary failing every request
/// with 502 for the whole run; `fails_over` moves to the secondary after one 502 (and
/// succeeds), `stays` retries the primary (and never does). The live server serves both upstreams (`X-Upstream`) with
/// their own faults and the load clients fail over as the simulated ones do (before, live
/// ignored the upstreams: no 502 at all, and `stays` did as well as `fails_over`).
#[test]
fn failing_over_between_upstreams_agrees_live_and_simulated() {
    let text = r#"
name = "failover"
duration = "6s"
bucket = "1s"
[[server.upstreams]]
name = "primary"
[[server.upstreams.faults]]
kind = "error_rate"
start = "0s"
duration = "6s"
status = 502
rate = 1.0
[[server.upstreams]]
name = "secondary"
[fleet.fails_over]
count = 20
arrival = { process = "poisson", rate = "2/s" }
[fleet.fails_over.failover]
on = [502]
[fleet.fails_over.retry]
policy = "fixed"
delay = "100ms"
max_attempts = 3
retry_on = [502]
[fleet.stays]
count = 20
arrival = { process = "poisson", rate = "2/s" }
[fleet.stays.retry]
policy = "fixed"
delay = "100ms"
max_attempts = 3
retry_on = [502]
"#;
    let (o, rows, report) = rows_of("failover", text, "6s");
    for side in [0, 1] {
        let pick = |(a, b): (f64, f64)| if side == 0 { a } else { b };
        let over = pick(figure(&rows, "fails_over", "goodput /s"));
        let stays = pick(figure(&rows, "stays", "goodput /s"));
        assert!(
            over > 1.5 * stays,
            "side {side}: {over} vs {stays}\n{report}"
        );
        assert!(
            pick(figure(&rows, "stays", "server errors 502")) > 200.0,
            "{report}"
        );
    }
    assert!(o.status.success(), "{report}");
}
