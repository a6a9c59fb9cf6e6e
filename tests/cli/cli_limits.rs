//! Issue #14 through the real binary: nothing `validate` accepts hangs or eats memory. Files
//! that cannot advance time, runs too large for `--max-memory`, endless files, huge sweeps and
//! `serve --keys` are refused with exit code 2 in well under a second of work; a run that stalls
//! anyway stops with exit code 1. Each child is killed after a deadline, so a regression fails
//! the test instead of hanging it.

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("cli-limits-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Run the binary with `args`, killing it after `secs` (then the test fails).
fn run(args: &[&str], secs: u64) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_throttlelab"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > Duration::from_secs(secs) {
            child.kill().unwrap();
            panic!("throttlelab {args:?} still running after {secs} s");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

fn expect(out: &Output, code: i32, words: &[&str]) {
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(code), "{err}");
    for w in words {
        assert!(err.contains(w), "missing {w:?} in:\n{err}");
    }
}

fn scenario(d: &std::path::Path, name: &str, body: &str) -> String {
    let p = d.join(format!("{name}.toml"));
    std::fs::write(&p, format!("name = \"{name}\"\n{body}")).unwrap();
    p.display().to_string()
}

#[test]
fn files_that_cannot_advance_time_are_refused_by_validate_and_run() {
    let d = dir("stall");
    let closed = scenario(
        &d,
        "closed",
        "duration = \"10s\"\n[fleet.web]\ncount = 1\narrival = { process = \"closed\" }\n",
    );
    let fast = scenario(
        &d,
        "fast",
        "duration = \"10s\"\n[fleet.web]\ncount = 1\narrival = { process = \"poisson\", rate = \"10000000000/s\" }\n",
    );
    let out = d.join("out").display().to_string();
    for f in [&closed, &fast] {
        expect(&run(&["validate", f], 30), 2, &[&format!("{f}:5:")]);
        expect(&run(&["run", f, "--out", &out], 30), 2, &["advance"]);
    }
}

#[test]
fn a_run_that_stalls_anyway_stops_with_exit_1() {
    let d = dir("guard");
    // Think time almost always zero (mean 1 ns): passes the load check, loops at t = 0. Its
    // request estimate (a 1 ns cycle for 10 s) is refused by default; raised here, the guard
    // in the engine is what stops it.
    let f = scenario(
        &d,
        "guard",
        "duration = \"10s\"\n[fleet.web]\ncount = 1\narrival = { process = \"closed\", think = { dist = \"bimodal\", low = \"0s\", high = \"1s\", p_high = 1e-9 } }\n",
    );
    let out = d.join("out").display().to_string();
    expect(&run(&["validate", &f], 30), 2, &["--max-requests"]);
    let raised = ["--max-requests", "100000000000"];
    expect(&run(&["validate", &f, raised[0], raised[1]], 30), 0, &[]);
    expect(
        &run(&["run", &f, "--out", &out, raised[0], raised[1]], 120),
        1,
        &["simulated time stopped advancing at 0s"],
    );
}

#[test]
fn runs_larger_than_the_memory_limit_are_refused_before_allocating() {
    let d = dir("memory");
    let buckets = scenario(
        &d,
        "buckets",
        "duration = \"2h\"\nbucket = \"1ms\"\n[fleet.web]\ncount = 1\narrival = { process = \"poisson\", rate = \"1/s\" }\n",
    );
    let clients = scenario(
        &d,
        "clients",
        "duration = \"10s\"\n[fleet.a]\ncount = 10000000\narrival = { process = \"poisson\", rate = \"1/h\" }\n[fleet.b]\ncount = 10000000\narrival = { process = \"poisson\", rate = \"1/h\" }\n",
    );
    // A closed loop keeps count x concurrency requests in flight: 24 million workers were
    // "~34.7 MiB" to validate and took gigabytes to run (found by the scenario fuzz).
    let workers = scenario(
        &d,
        "workers",
        "duration = \"10s\"\n[server.backend]\nservice_time = \"10ms\"\n[fleet.a]\ncount = 24\narrival = { process = \"closed\", concurrency = 1000000, think = \"1s\" }\n",
    );
    let out = d.join("out").display().to_string();
    for f in [&buckets, &clients, &workers] {
        expect(
            &run(&["validate", f], 30),
            2,
            &["more than the limit of 4.0 GiB", "--max-memory"],
        );
        expect(&run(&["run", f, "--out", &out], 30), 2, &["--max-memory"]);
        expect(
            &run(
                &["sweep", f, "--seeds", "2", "--out", &out, "--dry-run"],
                30,
            ),
            2,
            &["--max-memory"],
        );
    }
    expect(
        &run(&["validate", &buckets], 30),
        2,
        &["7200000 time buckets"],
    );
    // The limit is an override, not a ban.
    let ok = run(&["validate", &buckets, "--max-memory", "64G"], 30);
    expect(&ok, 0, &[]);
    assert!(String::from_utf8_lossy(&ok.stdout).contains("GiB of memory"));
}

#[test]
fn runs_that_would_take_hours_are_refused_before_they_start() {
    let d = dir("requests");
    // Small in memory, enormous in work: 1,000 clients at 10^6/s for an hour is 3.6 x 10^12
    // requests (days of CPU), and a closed loop with a 1 us cycle and 10^5 workers per client.
    let open = scenario(
        &d,
        "open",
        "duration = \"1h\"\nbucket = \"1m\"\narrival_resolution = \"1m\"\n[fleet.web]\ncount = 1000\narrival = { process = \"poisson\", rate = \"1000000/s\" }\n",
    );
    let closed = scenario(
        &d,
        "closed",
        "duration = \"10m\"\nbucket = \"1m\"\n[network]\ndelay = \"500ns\"\n[fleet.a]\ncount = 2\narrival = { process = \"closed\", concurrency = 1000, think = \"0s\" }\n",
    );
    let out = d.join("out").display().to_string();
    for f in [&open, &closed] {
        let words = [
            "first requests",
            "more than the limit of 1.00 G",
            "--max-requests",
        ];
        expect(&run(&["validate", f], 30), 2, &words);
        expect(&run(&["run", f, "--out", &out], 30), 2, &words);
        expect(
            &run(
                &["sweep", f, "--seeds", "2", "--out", &out, "--dry-run"],
                30,
            ),
            2,
            &words,
        );
        expect(&run(&["compare", f, f, "--out", &out], 30), 2, &words);
    }
    expect(
        &run(&["validate", &open], 30),
        2,
        &["about 3.60 T first requests"],
    );
    // The limit is an override, not a ban; validate shows the estimate of a file it accepts.
    let ok = run(&["validate", &open, "--max-requests", "4000000000000"], 30);
    expect(&ok, 0, &[]);
    assert!(String::from_utf8_lossy(&ok.stdout).contains("~3.60 T first requests"));
}

#[test]
fn endless_files_huge_sweeps_and_key_counts_are_refused() {
    let d = dir("huge");
    if std::path::Path::new("/dev/zero").exists() {
        expect(&run(&["validate", "/dev/zero"], 30), 2, &["larger than"]);
        expect(&run(&["run", "/dev/zero"], 30), 2, &["larger than"]);
    }
    let f = scenario(
        &d,
        "tiny",
        "duration = \"1s\"\n[fleet.web]\ncount = 1\narrival = { process = \"poisson\", rate = \"1/s\" }\n",
    );
    let out = d.join("out").display().to_string();
    expect(
        &run(
            &[
                "sweep",
                &f,
                "--seeds",
                "4294967295",
                "--dry-run",
                "--out",
                &out,
            ],
            30,
        ),
        2,
        &["more than 1000000 runs"],
    );
    expect(
        &run(
            &["compare", &f, &f, "--seeds", "4294967295", "--out", &out],
            30,
        ),
        2,
        &["--seeds"],
    );
    // without live mode, `serve` refuses whatever it is given, also exit 2
    let serve_words: &[&str] = if cfg!(feature = "live") {
        &["--keys"]
    } else {
        &["live mode"]
    };
    expect(
        &run(&["serve", "--keys", "100000000", "--port", "0"], 30),
        2,
        serve_words,
    );
}

#[test]
#[cfg(feature = "live")]
fn report_check_live_and_load_are_memory_checked_too() {
    let d = dir("memory-more");
    // 20 M clients: too large at any horizon (check-live and load cut the duration).
    let clients = scenario(
        &d,
        "clients",
        "duration = \"10s\"\n[fleet.a]\ncount = 10000000\narrival = { process = \"poisson\", rate = \"1/h\" }\n[fleet.b]\ncount = 10000000\narrival = { process = \"poisson\", rate = \"1/h\" }\n",
    );
    let out = d.join("out").display().to_string();
    let limit = ["more than the limit of 4.0 GiB", "--max-memory"];
    let check_live = ["check-live", &clients, "--duration", "1s", "--out", &out];
    expect(&run(&check_live, 30), 2, &limit);
    // Refused before anything is sent (nothing listens on port 9).
    let target = "http://127.0.0.1:9";
    let load = [
        "load",
        "--target",
        target,
        "--scenario",
        &clients,
        "--out",
        &out,
    ];
    expect(&run(&load, 30), 2, &limit);

    // `report` re-simulates a run directory: it takes the same limit.
    let small = scenario(
        &d,
        "small",
        "seed = 7\nduration = \"2s\"\n[fleet.web]\ncount = 2\narrival = { process = \"poisson\", rate = \"1/s\" }\n",
    );
    expect(&run(&["--quiet", "run", &small, "--out", &out], 60), 0, &[]);
    let run_dir = d.join("out/small/7").display().to_string();
    let refused = run(&["report", &run_dir, "--max-memory", "1K"], 30);
    expect(&refused, 2, &["more than the limit of 1.0 KiB"]);
    expect(&run(&["--quiet", "report", &run_dir], 60), 0, &[]);
}
