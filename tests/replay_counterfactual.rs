//! The counterfactual check of the closed-loop replay (issue #17): `load` against `serve` under
//! limit A writes an access log (`serve --access-log`); replaying that log under limit B
//! predicts, per tenant, the refusals and the admitted requests of a live run under B (same
//! fleets, same seed) within 5%. On short versions of the retry-storm and fairness
//! experiments. The static answer's error is measured beside it: with retries (the storm) it
//! misses by far more than 5%.

// live mode: built with the `live` feature (the default)
#![cfg(feature = "live")]

mod live_common;

use live_common::Server;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

const STORM: &str = r#"
name = "storm-LIMIT"
seed = 42
duration = "25s"
[server]
dialect = "x-ratelimit-delta"
[[server.limiters]]
scope = "tenant"
algorithm = "token_bucket"
RATE
[server.backend]
service_time = { dist = "exponential", mean = "20ms" }
[network]
delay = "5ms"
[[faults]]
kind = "outage"
start = "5s"
duration = "6s"
status = 503
[fleet.nojitter]
count = 120
arrival = { process = "cron", period = "5s", offset = "200ms" }
timeout = "5s"
deadline = "120s"
[fleet.nojitter.retry]
policy = "exponential"
base = "1s"
cap = "16s"
jitter = "none"
max_attempts = 20
[fleet.jitter]
count = 120
arrival = { process = "cron", period = "5s", offset = "200ms" }
timeout = "5s"
deadline = "120s"
[fleet.jitter.retry]
policy = "exponential"
base = "1s"
cap = "16s"
jitter = "full"
max_attempts = 20
"#;

const FAIRNESS: &str = r#"
name = "fair-LIMIT"
seed = 1
duration = "10s"
[[server.limiters]]
RATE
[fleet.quiet]
count = 30
tenants = 3
arrival = { process = "poisson", rate = "1/s" }
[fleet.noisy]
count = 10
arrival = { process = "poisson", rate = "20/s" }
"#;

/// One live pair at a time: the two checks' servers and fleets would share the machine's
/// cores, and a late request in the log under A moves the prediction (CI once missed by 5.3%).
static LIVE: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_throttlelab"))
}

fn tmp(tag: &str) -> PathBuf {
    let p = std::env::temp_dir().join(format!("replay-cf-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&p);
    std::fs::create_dir_all(&p).unwrap();
    p
}

/// Per tenant: (refused, successes) from a CSV with a `tenant` column.
fn tenants(csv: &Path, refused: &str, ok: &str) -> BTreeMap<String, (u64, u64)> {
    let text = std::fs::read_to_string(csv).unwrap_or_else(|e| panic!("{}: {e}", csv.display()));
    let mut lines = text.lines();
    let head: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |n: &str| head.iter().position(|h| *h == n).unwrap();
    let (t, r, s) = (col("tenant"), col(refused), col(ok));
    lines
        .map(|l| {
            let v: Vec<&str> = l.split(',').collect();
            (
                v[t].to_string(),
                (v[r].parse().unwrap(), v[s].parse().unwrap()),
            )
        })
        .collect()
}

/// A live run of `scenario` (with an access log if `log`): per tenant (refused, successes).
fn live(
    dir: &Path,
    name: &str,
    scenario: &Path,
    log: Option<&Path>,
) -> BTreeMap<String, (u64, u64)> {
    let mut args = vec!["--scenario".to_string(), scenario.display().to_string()];
    if let Some(l) = log {
        args.extend(["--access-log".to_string(), l.display().to_string()]);
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let srv = Server::start(&args);
    let out = dir.join(format!("live-{name}"));
    let o = bin()
        .args(["load", "--target", &srv.base, "--scenario"])
        .arg(scenario)
        .arg("--out")
        .arg(&out)
        .arg("--keys-file")
        .arg(&srv.keys_file)
        .arg("--no-report")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    drop(srv);
    let run = std::fs::read_dir(&out)
        .unwrap()
        .filter_map(Result::ok)
        .next()
        .unwrap()
        .path();
    let seed = std::fs::read_dir(&run)
        .unwrap()
        .filter_map(Result::ok)
        .next()
        .unwrap()
        .path();
    tenants(&seed.join("tenants.csv"), "rejected_total", "successes")
}

/// Replay `log` under `scenario` for `secs`: per tenant (refused, successes) of the closed
/// loop, and per tenant the static answer's refusals.
fn replay(
    dir: &Path,
    log: &Path,
    scenario: &Path,
    secs: u64,
) -> (BTreeMap<String, (u64, u64)>, BTreeMap<String, u64>) {
    let out = dir.join("replay");
    let o = bin()
        .arg("replay")
        .arg(log)
        .args([
            "--format",
            "json",
            "--client",
            "field:key",
            "--tenant",
            "field:tenant",
        ])
        .args(["--retry-key", "field:request_id", "--closed-loop"])
        .args(["--duration", &format!("{secs}s")])
        .arg("--limits")
        .arg(scenario)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let closed = tenants(&out.join("closed_tenants.csv"), "refused", "successes");
    let st = tenants(
        &out.join("closed_tenants.csv"),
        "static_refused",
        "successes",
    );
    (closed, st.into_iter().map(|(k, v)| (k, v.0)).collect())
}

fn within(pred: u64, live: u64, tol: f64) -> bool {
    (pred as f64 - live as f64).abs() <= tol * (live as f64).max(20.0)
}

/// Run A with a log, B live, replay A's log under B; compare per tenant. Returns the worst
/// relative error of the static answer's and of the closed loop's refusals.
fn check(tag: &str, template: &str, a: &str, b: &str, secs: u64) -> (f64, f64) {
    let _alone = LIVE.lock().unwrap_or_else(|e| e.into_inner());
    let dir = tmp(tag);
    let write = |name: &str, rate: &str| {
        let p = dir.join(format!("{name}.toml"));
        std::fs::write(&p, template.replace("LIMIT", name).replace("RATE", rate)).unwrap();
        p
    };
    let (sa, sb) = (write("a", a), write("b", b));
    let log = dir.join("a.jsonl");
    live(&dir, "a", &sa, Some(&log));
    let under_b = live(&dir, "b", &sb, None);
    let (pred, st) = replay(&dir, &log, &sb, secs);
    let (mut worst_static, mut worst_closed) = (0.0f64, 0.0f64);
    for (tenant, (refused, ok)) in &under_b {
        let (p_refused, p_ok) = pred[tenant];
        eprintln!(
            "{tag} {tenant}: live refused {refused} admitted {ok}; closed loop {p_refused} {p_ok}; \
             static {}",
            st[tenant]
        );
        assert!(
            within(p_refused, *refused, 0.05) && within(p_ok, *ok, 0.05),
            "{tenant}: predicted refused {p_refused} admitted {p_ok}, live refused {refused} \
             admitted {ok} (static {})",
            st[tenant]
        );
        if *refused > 0 {
            let err = |v: u64| (v as f64 - *refused as f64).abs() / *refused as f64;
            worst_static = worst_static.max(err(st[tenant]));
            worst_closed = worst_closed.max(err(p_refused));
        }
    }
    std::fs::remove_dir_all(&dir).unwrap();
    (worst_static, worst_closed)
}

#[test]
fn retry_storm_replayed_under_a_tighter_limit_predicts_the_live_run() {
    // 120 clients per fleet (40 moved by a few percent with the wall clock alone). A: 240/s,
    // burst 660 per tenant (only the outage refuses); B: 12/s, burst 90.
    let (static_error, closed_error) = check(
        "storm",
        STORM,
        "rate = \"240/s\"\nburst = 660",
        "rate = \"12/s\"\nburst = 90",
        25,
    );
    // The static answer counts only the logged requests: it misses the retries B causes.
    assert!(
        static_error > 2.0 * closed_error && static_error > 0.05,
        "static error {static_error}, closed loop {closed_error}"
    );
}

#[test]
fn fairness_replayed_under_a_per_tenant_limit_predicts_the_live_run() {
    // A: a global 100/s; B: 25/s per tenant. No client retries: the static answer is right
    // too, and the closed loop must not be worse.
    check(
        "fair",
        FAIRNESS,
        "scope = \"global\"\nalgorithm = \"token_bucket\"\nrate = \"100/s\"\nburst = 100",
        "scope = \"tenant\"\nalgorithm = \"token_bucket\"\nrate = \"25/s\"\nburst = 25",
        10,
    );
}
