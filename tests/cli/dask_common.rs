//! Shared helpers of `tests/cli/dask_sweep.rs`: the scenario, a loopback Dask cluster (a
//! scheduler and two single-threaded workers as separate processes), a throttlelab wrapper
//! that fails once, and waits on shard folders. Every process started here is killed when its
//! handle drops, and every wait is bounded.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// Shard tasks of the sweep: many more than the 2 workers.
pub const SHARDS: usize = 24;

pub const SCENARIO: &str = r#"name = "dask-sweep"
seed = 5
duration = "120s"

[sweep]
seeds = 6
[sweep.params]
"fleet.web.retry.jitter" = ["none", "full"]

[[server.limiters]]
scope = "global"
algorithm = "token_bucket"
rate = "30/s"
burst = 10

[fleet.web]
count = 40
arrival = { process = "poisson", rate = "2/s" }
timeout = "2s"
[fleet.web.retry]
policy = "exponential"
base = "100ms"
cap = "2s"
jitter = "full"
max_attempts = 4
"#;

pub const FILES: [&str; 8] = [
    "runs.parquet",
    "runs.csv",
    "points.parquet",
    "points.csv",
    "timeseries.parquet",
    "timeseries.csv",
    "sweep.json",
    "report.html",
];

pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_throttlelab")
}

pub fn driver() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/dask_sweep.py")
}

/// Processes this test started, killed (SIGKILL, by their own handle) when it ends.
pub struct Procs(pub Vec<Child>);

impl Drop for Procs {
    fn drop(&mut self) {
        for c in &mut self.0 {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

pub fn dask_available() -> bool {
    let ok = Command::new("python3")
        .args(["-c", "import distributed"])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok && std::env::var_os("THROTTLELAB_REQUIRE_DASK").is_some() {
        panic!("THROTTLELAB_REQUIRE_DASK is set but `python3 -c 'import distributed'` fails: pip install -r scripts/requirements-dask.txt");
    }
    if !ok {
        eprintln!(
            "\n!!!!!!!! SKIPPED tests/cli/dask_sweep.rs: python3 cannot import dask distributed \
             (pip install -r scripts/requirements-dask.txt; set THROTTLELAB_REQUIRE_DASK=1 to \
             make this a failure) !!!!!!!!\n"
        );
    }
    ok
}

pub fn ok(o: &Output, what: &str) {
    assert_eq!(
        o.status.code(),
        Some(0),
        "{what}\nstdout: {}\nstderr: {}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
}

pub fn wait_for(what: &str, secs: u64, mut cond: impl FnMut() -> bool) {
    let end = Instant::now() + Duration::from_secs(secs);
    while !cond() {
        assert!(
            Instant::now() < end,
            "timed out after {secs} s waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

pub fn dirs(p: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(p)
        .map(|r| r.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    v.sort();
    v
}

/// An attempt folder's shard, when it was written whole (sealed).
pub fn sealed(attempt: &Path) -> bool {
    dirs(attempt).iter().any(|scen| {
        dirs(scen).iter().any(|sweep| {
            dirs(sweep)
                .iter()
                .any(|s| s.join("complete.json").is_file())
        })
    })
}

/// `--binary` for the driver: throttlelab, except that the first run of shard 5 fails.
pub fn flaky_binary(dir: &Path) -> PathBuf {
    let script = dir.join("throttlelab-flaky.sh");
    let mark = dir.join("shard-5-failed-once");
    let text = format!(
        "#!/bin/sh\ncase \" $* \" in *\" --shard 5/{SHARDS} \"*)\n  if mkdir '{}' 2>/dev/null; then echo 'injected failure' >&2; exit 1; fi;;\nesac\nexec '{}' \"$@\"\n",
        mark.display(),
        bin()
    );
    std::fs::write(&script, text).unwrap();
    let mut perm = std::fs::metadata(&script).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perm, 0o755);
    std::fs::set_permissions(&script, perm).unwrap();
    script
}

/// A scheduler and two workers (`w1`, `w2`: `--nthreads 1 --no-nanny`, so each worker is one
/// process) on 127.0.0.1; returns them (the workers at index 1 and 2) and the scheduler file.
pub fn start_cluster(dir: &Path) -> (Procs, PathBuf) {
    let sched_file = dir.join("scheduler.json");
    let mut procs = Procs(Vec::new());
    let quiet = || Stdio::from(std::fs::File::create(dir.join("cluster.log")).unwrap());
    procs.0.push(
        Command::new("python3")
            .args([
                "-m",
                "distributed.cli.dask_scheduler",
                "--host",
                "127.0.0.1",
            ])
            .args(["--port", "0", "--no-dashboard", "--scheduler-file"])
            .arg(&sched_file)
            .stdout(Stdio::null())
            .stderr(quiet())
            .spawn()
            .unwrap(),
    );
    wait_for("the scheduler file", 60, || sched_file.is_file());
    for w in ["w1", "w2"] {
        procs.0.push(
            Command::new("python3")
                .args(["-m", "distributed.cli.dask_worker", "--scheduler-file"])
                .arg(&sched_file)
                .args([
                    "--nthreads",
                    "1",
                    "--no-nanny",
                    "--no-dashboard",
                    "--name",
                    w,
                ])
                .args(["--host", "127.0.0.1", "--local-directory"])
                .arg(dir.join(w))
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap(),
        );
    }
    (procs, sched_file)
}
