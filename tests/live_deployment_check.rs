//! `check-live` on deployments (issue #15): the scenario simulated and run live as replica
//! processes behind HAProxy must agree on goodput and on the over-admission figures
//! (`admitted over limit`, the most admitted in a window / limit), for `local`, `split`,
//! `central` and `synced` at 2 replicas and `synced` at 4, in short CI runs. This fails if the
//! live replicas, the balancer, the synced store or the simulator's deployment model drift
//! apart. What live cannot run is refused with exit code 2 and a reason.
//!
//! Requires HAProxy (/usr/sbin/haproxy) and redis-server: `.ci/run` installs both.

// live mode: built with the `live` feature (the default)
#![cfg(feature = "live")]

mod live_common;

use serde_json::Value;
use std::path::PathBuf;
use std::process::{Command, Output};
use std::sync::Mutex;

/// Live runs one at a time: on a loaded machine two at once disturb each other's timing.
static LIVE: Mutex<()> = Mutex::new(());

fn scenario(tag: &str, state: &str, extra: &str, replicas: u32) -> PathBuf {
    let path = live_common::temp_path(&format!("{tag}.toml"));
    let text = format!(
        "name = \"dep-{tag}\"\nseed = 7\nduration = \"5s\"\n\
         [[server.limiters]]\nscope = \"key\"\nalgorithm = \"fixed_window\"\nlimit = 12\n\
         period = \"1s\"\nstate = \"{state}\"\n{extra}\n\
         [deployment]\nreplicas = {replicas}\nbalancer = \"round_robin\"\n\
         [fleet.api]\ncount = 4\nkeys = \"per-client\"\n\
         arrival = {{ process = \"poisson\", rate = \"36/s\" }}\n"
    );
    std::fs::write(&path, text).expect("write scenario");
    path
}

fn check_live(file: &PathBuf, extra: &[&str]) -> (Output, PathBuf) {
    let out = live_common::temp_path("check-out");
    let o = Command::new(env!("CARGO_BIN_EXE_throttlelab"))
        .arg("check-live")
        .arg(file)
        .args(["--duration", "5s", "--quiet", "--out"])
        .arg(&out)
        .args(extra)
        .output()
        .expect("run check-live");
    (o, out)
}

/// Run check-live and return the deployment rows of its comparison (it must agree).
fn agreeing(tag: &str, state: &str, extra: &str, replicas: u32, redis: bool) -> Vec<Value> {
    let _one = LIVE.lock().unwrap_or_else(|p| p.into_inner());
    let r = redis.then(|| {
        assert!(
            live_common::Redis::available(),
            "redis-server is not installed (apt-get install -y redis-server; .ci/run does)"
        );
        live_common::Redis::start()
    });
    let url = r.as_ref().map(|r| r.url());
    let mut args = Vec::new();
    if let Some(u) = &url {
        args.extend(["--store", u.as_str()]);
    }
    let f = scenario(tag, state, extra, replicas);
    let (o, out) = check_live(&f, &args);
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success(),
        "check-live {tag} disagrees:\n{stdout}\n{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let json: Value = serde_json::from_str(
        &std::fs::read_to_string(out.join(format!("dep-{tag}/check-live/comparison.json")))
            .expect("comparison.json"),
    )
    .expect("json");
    let rows: Vec<Value> = json["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .filter(|r| r["fleet"] == "deployment")
        .cloned()
        .collect();
    assert!(rows.len() >= 2, "deployment rows: {stdout}");
    rows
}

fn figure<'a>(rows: &'a [Value], name: &str) -> &'a Value {
    rows.iter()
        .find(|r| r["figure"].as_str().is_some_and(|f| f.starts_with(name)))
        .unwrap_or_else(|| panic!("no row {name}: {rows:?}"))
}

#[test]
fn local_at_two_replicas_agrees_and_admits_twice_the_limit() {
    let rows = agreeing("local-2", "local", "", 2, false);
    // 36/s against 12/s per key: each replica lets its whole limit through
    let w = figure(&rows, "level 0 (local) max in a window");
    assert!(w["live"].as_f64().unwrap() > 1.9, "{w}");
}

#[test]
fn split_at_two_replicas_agrees() {
    let rows = agreeing("split-2", "split", "", 2, false);
    assert_eq!(figure(&rows, "admitted over limit")["live"], 0.0);
    // measured live too: refusals while the exact limiter had room (a replica's half of the
    // limit used up while the other's was not), and the balancer's spread from each
    // replica's /metrics (round robin: even)
    assert!(figure(&rows, "refused with room")["live"].as_f64().unwrap() > 0.0);
    let jain = figure(&rows, "replicas: Jain's index of attempts");
    assert!(jain["live"].as_f64().unwrap() > 0.95, "{jain}");
}

#[test]
fn central_at_two_replicas_agrees() {
    let rows = agreeing("central-2", "central", "", 2, true);
    assert_eq!(figure(&rows, "admitted over limit")["live"], 0.0);
}

#[test]
fn synced_at_two_replicas_agrees() {
    let rows = agreeing("synced-2", "synced", "sync_interval = \"250ms\"", 2, true);
    // between syncs the replicas decide alone: some over the limit, on both sides
    assert!(
        figure(&rows, "admitted over limit")["sim"]
            .as_f64()
            .unwrap()
            > 0.0
    );
}

#[test]
fn synced_at_four_replicas_agrees() {
    agreeing("synced-4", "synced", "sync_interval = \"250ms\"", 4, true);
}

#[test]
fn what_live_cannot_run_is_refused_with_exit_2() {
    let cases = [
        (
            "fallback",
            "central",
            "on_store_error = \"local\"",
            "on_store_error",
        ),
        ("olc", "over_limit_cache", "", "over-limit cache"),
        ("central-no-store", "central", "", "give --store redis://"),
    ];
    for (tag, state, extra, said) in cases {
        let f = scenario(tag, state, extra, 2);
        let (o, _) = check_live(&f, &[]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{tag}: {err}");
        assert!(err.contains(said), "{tag}: {err}");
        // `serve` refuses the same, before starting anything
        let o = Command::new(env!("CARGO_BIN_EXE_throttlelab"))
            .args(["serve", "--port", "0", "--scenario"])
            .arg(&f)
            .output()
            .expect("run serve");
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "serve {tag}: {err}");
        assert!(err.contains(said), "serve {tag}: {err}");
    }
    // --store means nothing without a deployment: refused, not ignored
    let plain = live_common::temp_path("plain.toml");
    std::fs::write(
        &plain,
        "name = \"p\"\nduration = \"5s\"\n[fleet.a]\ncount = 1\n\
         arrival = { process = \"constant\", rate = \"1/s\" }\n",
    )
    .unwrap();
    let (o, _) = check_live(&plain, &["--store", "redis://127.0.0.1:1"]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("--store is for a scenario with a [deployment]"),
        "{err}"
    );
    // one metrics address cannot serve N replica processes
    let f = scenario("metrics", "local", "", 2);
    let o = Command::new(env!("CARGO_BIN_EXE_throttlelab"))
        .args([
            "serve",
            "--port",
            "0",
            "--metrics-addr",
            "127.0.0.1:0",
            "--scenario",
        ])
        .arg(&f)
        .output()
        .expect("run serve");
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("--metrics-addr names one address"), "{err}");
    // a malformed deployment is the scenario loader's error, with its place in the file
    let f = live_common::temp_path("bad.toml");
    std::fs::write(
        &f,
        "name = \"b\"\nduration = \"5s\"\n[deployment]\nreplicas = 0\n[fleet.a]\ncount = 1\n\
         arrival = { process = \"constant\", rate = \"1/s\" }\n",
    )
    .unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_throttlelab"))
        .args(["serve", "--port", "0", "--scenario"])
        .arg(&f)
        .output()
        .expect("run serve");
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains(":4:12: `replicas` must be at least 1"),
        "file:line:col expected: {err}"
    );
}
