//! `throttlelab atlas` as a user runs it, on a reduced grid: the files it writes, facts about
//! deployments that must hold whatever the seed (local behind a uniform balancer lets up to N
//! limits through, a central store with a tiny round trip is exact, split never goes over),
//! byte-identical files on one thread and on several, and bad flags exit with code 2.

use report::tables::table_files;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn throttlelab(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_throttlelab"))
        .args(args)
        .output()
        .expect("the binary runs")
}

fn out_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("cli-atlas-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

/// The small grid of these tests: three designs, one balancer, replicas 1, 2, 4, 8.
const GRID: &[&str] = &[
    "atlas",
    "--designs",
    "local,split,central",
    "--replicas",
    "1,2,4,8",
    "--rtts",
    "50us",
    "--balancers",
    "round_robin",
    "--seeds",
    "2",
    "--duration",
    "30s",
];

fn run_grid(name: &str, threads: &str) -> PathBuf {
    let out = out_dir(name);
    let mut args = GRID.to_vec();
    args.extend(["--threads", threads, "--out", out.to_str().expect("UTF-8")]);
    let o = throttlelab(&args);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    out.join("atlas")
}

/// `atlas.csv` as (design, replicas) -> column -> value.
fn points(dir: &Path) -> HashMap<(String, u32), HashMap<String, String>> {
    let text = std::fs::read_to_string(dir.join("atlas.csv")).expect("atlas.csv");
    let mut lines = text.lines();
    let head: Vec<&str> = lines.next().expect("a header").split(',').collect();
    lines
        .map(|l| {
            let row: HashMap<String, String> = head
                .iter()
                .zip(l.split(','))
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
            let key = (
                row["design"].clone(),
                row["replicas"].parse().expect("replicas"),
            );
            (key, row)
        })
        .collect()
}

fn window(p: &HashMap<(String, u32), HashMap<String, String>>, d: &str, r: u32) -> f64 {
    p[&(d.to_string(), r)]["max_window_over_limit_mean"]
        .parse()
        .expect("a number")
}

#[test]
fn the_atlas_writes_its_files_and_its_facts_hold() {
    let dir = run_grid("facts", "2");
    // the tables as this build writes them: no .parquet without the `parquet` feature
    let tables = [table_files("atlas"), table_files("runs")].concat();
    for f in tables.iter().map(String::as_str).chain([
        "report.html",
        "charts/over_vs_replicas_round_robin.svg",
        "charts/over_vs_replicas_round_robin.png",
        "charts/latency_vs_over.svg",
        "charts/latency_vs_over.png",
    ]) {
        assert!(dir.join(f).is_file(), "{f} missing in {}", dir.display());
    }
    let p = points(&dir);
    assert_eq!(p.len(), 3 * 4, "3 designs x 4 replica counts");
    // local behind round robin: each replica the whole limit, demand 10x the limit, so the
    // worst window is close to N limits (closed form: min(N, demand / limit))
    let mut last = 0.0;
    for n in [1, 2, 4, 8] {
        let w = window(&p, "local", n);
        assert!(
            w >= last,
            "local must grow with replicas: {w} after {last} at {n}"
        );
        assert!(
            (w - f64::from(n)).abs() <= 0.05 * f64::from(n),
            "local x{n}: {w}"
        );
        last = w;
    }
    for n in [1, 2, 4, 8] {
        let c = window(&p, "central", n);
        assert!(
            (c - 1.0).abs() < 0.01,
            "central x{n} with a 50us store: {c}"
        );
        let s = window(&p, "split", n);
        assert!(s <= 1.0 + 1e-9, "split x{n} goes over the limit: {s}");
        let rtt: f64 = p[&("central".to_string(), n)]["decision_latency_p99_ms_mean"]
            .parse()
            .expect("p99");
        assert!(
            (rtt - 0.05).abs() < 0.01,
            "central adds its round trip: {rtt}"
        );
    }
    let html = std::fs::read_to_string(dir.join("report.html")).expect("report.html");
    let answer = html
        .lines()
        .find(|l| l.contains("class=\"answer\""))
        .expect("an answer line");
    assert!(
        answer.contains("Under 5% over the limit at 1 to 8 replicas")
            && answer.contains("central at rtt 50us (+0.050 ms p99)")
            && answer.contains("Over 5%: local"),
        "{answer}"
    );
    let _ = std::fs::remove_dir_all(dir.parent().expect("out"));
}

#[test]
fn the_files_are_the_same_bytes_on_one_thread_and_on_two() {
    let one = run_grid("t1", "1");
    let two = run_grid("t2", "2");
    let tables = [table_files("atlas"), table_files("runs")].concat();
    for f in tables.iter().map(String::as_str).chain(["report.html"]) {
        let a = std::fs::read(one.join(f)).expect(f);
        let b = std::fs::read(two.join(f)).expect(f);
        assert!(a == b, "{f} differs between 1 and 2 threads");
    }
    for d in [one, two] {
        let _ = std::fs::remove_dir_all(d.parent().expect("out"));
    }
}

#[test]
fn bad_flags_exit_2_with_a_sentence() {
    for (args, says) in [
        (vec!["--designs", "redis"], "`redis` is not one of local"),
        (vec!["--replicas", "0"], "--replicas: 0 is not 1 to 256"),
        (vec!["--balancers", "sticky"], "round_robin, hash_key"),
        (vec!["--rtts", "fast"], "--rtts: fast"),
        (vec!["--duration", "soon"], "--duration soon"),
        (vec!["--seeds", "0"], "--seeds: 1 to 100"),
    ] {
        let mut a = vec!["atlas", "--quick", "--dry-run"];
        a.extend(args);
        let o = throttlelab(&a);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{a:?}: {err}");
        assert!(err.contains(says), "{a:?}: {err}");
    }
}

#[test]
fn a_dry_run_lists_the_full_grid() {
    let o = throttlelab(&["atlas", "--dry-run"]);
    assert!(o.status.success());
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.starts_with("atlas: 276 points x 3 seeds = 828 runs"),
        "{text}"
    );
    // --quick: replicas 1,4,16 x 2 balancers = 6 per variant; local, split, central,
    // over_limit_cache, synced every request and every 1 s, leases of 1 s: 7 variants
    let o = throttlelab(&["atlas", "--quick", "--dry-run"]);
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.starts_with("atlas: 42 points x 2 seeds = 84 runs"),
        "{text}"
    );
    // a flag given with --quick still applies
    let o = throttlelab(&[
        "atlas",
        "--quick",
        "--replicas",
        "2",
        "--seeds",
        "5",
        "--dry-run",
    ]);
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.starts_with("atlas: 14 points x 5 seeds = 70 runs"),
        "{text}"
    );
}
