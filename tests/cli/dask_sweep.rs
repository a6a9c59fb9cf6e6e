//! A sweep on a real Dask cluster (`scripts/dask_sweep.py`, docs/distributed-sweeps.md): a
//! scheduler and two single-threaded workers as separate processes on loopback, many more
//! shards than workers, one shard that fails once (retried by Dask), one worker killed with
//! SIGKILL while it runs a shard (its task rescheduled by the scheduler); the merged sweep must
//! be byte-identical to the unsharded sweep of the same scenario.
//!
//! Needs Python with `dask[distributed]` (`scripts/requirements-dask.txt`). Without it the test
//! is skipped with a loud message, unless `THROTTLELAB_REQUIRE_DASK` is set (CI sets it after
//! installing), where a missing dask fails it.

use crate::dask_common;

use dask_common::*;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[test]
fn a_dask_sweep_survives_a_failed_shard_and_a_killed_worker_and_merges_byte_identical() {
    if !dask_available() {
        return;
    }
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("dask-sweep");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("dask.toml");
    std::fs::write(&file, SCENARIO).unwrap();
    let params = ["--param", "fleet.web.count=20..40:20"];

    // The reference: the same sweep unsharded, on this machine.
    let whole_out = dir.join("whole");
    let mut args = vec!["sweep", file.to_str().unwrap(), "--quiet", "--out"];
    args.push(whole_out.to_str().unwrap());
    args.extend(params);
    ok(
        &Command::new(bin()).args(&args).output().unwrap(),
        "unsharded sweep",
    );

    // The cluster: a scheduler and two single-threaded workers, separate processes on loopback.
    let (mut procs, sched_file) = start_cluster(&dir);
    let victim = procs.0[2].id();

    let out = dir.join("dask");
    let mut sweep = Command::new("python3")
        .arg(driver())
        .arg("--scheduler-file")
        .arg(&sched_file)
        .arg("--binary")
        .arg(flaky_binary(&dir))
        .args(["--shards", &SHARDS.to_string(), "--keep-shards", "--out"])
        .arg(&out)
        .arg(&file)
        .args(params)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();

    // Mid-way: some shards done, and the victim worker running one; then SIGKILL it.
    let work = || {
        dirs(&out.join("dask-sweep"))
            .into_iter()
            .find(|p| p.to_string_lossy().ends_with(".dask-shards"))
    };
    let attempts = || -> Vec<PathBuf> {
        work()
            .map(|w| dirs(&w).iter().flat_map(|s| dirs(s)).collect())
            .unwrap_or_default()
    };
    let mut killed_attempt = None;
    wait_for("a shard done and the victim running one", 120, || {
        let all = attempts();
        let running = all.iter().rev().find(|a| {
            let name = a.file_name().unwrap().to_string_lossy().into_owned();
            name.starts_with(&format!("{victim}-")) && !sealed(a)
        });
        if all.iter().any(|a| sealed(a)) && running.is_some() {
            killed_attempt = running.cloned();
            true
        } else {
            false
        }
    });
    procs.0[2].kill().unwrap(); // SIGKILL
    procs.0[2].wait().unwrap();
    let done_at_kill = attempts().iter().filter(|a| sealed(a)).count();
    assert!(done_at_kill < SHARDS, "the worker was killed mid-way");

    let end = Instant::now() + Duration::from_secs(180);
    while sweep.try_wait().unwrap().is_none() {
        if Instant::now() > end {
            let _ = sweep.kill();
            panic!("the Dask sweep did not finish in 180 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let o = sweep.wait_with_output().unwrap();
    ok(&o, "the Dask sweep");

    // Shard 5 failed once and was retried; the killed worker's shard was run again elsewhere.
    assert!(
        dir.join("shard-5-failed-once").is_dir(),
        "the injected failure ran"
    );
    let all = attempts();
    let of = |a: &Path| a.parent().unwrap().file_name().unwrap().to_owned();
    let five: Vec<_> = all.iter().filter(|a| of(a) == *"5-of-24").collect();
    assert!(
        five.len() >= 2 && five.iter().any(|a| sealed(a)),
        "{five:?}"
    );
    let killed = killed_attempt.unwrap();
    assert!(!sealed(&killed), "the killed worker's run did not finish");
    assert!(
        all.iter().any(|a| of(a) == of(&killed) && sealed(a)),
        "the killed worker's shard {:?} was rerun",
        of(&killed)
    );

    let whole = dirs(&whole_out.join("dask-sweep")).pop().unwrap();
    let merged = out.join("dask-sweep").join(whole.file_name().unwrap());
    // no .parquet in a build without Parquet
    for f in FILES
        .iter()
        .filter(|f| report::tables::PARQUET || !f.ends_with(".parquet"))
    {
        assert_eq!(
            std::fs::read(whole.join(f)).unwrap(),
            std::fs::read(merged.join(f)).unwrap_or_default(),
            "{f}: the Dask sweep vs the unsharded sweep"
        );
    }
}

#[test]
fn bad_input_exits_2_before_a_cluster_starts() {
    if !dask_available() {
        return;
    }
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("dask-sweep-bad");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("dask.toml");
    std::fs::write(&file, SCENARIO).unwrap();
    let run = |extra: &[&str]| {
        Command::new("python3")
            .arg(driver())
            .args(["--local", "1", "--binary", bin(), "--out"])
            .arg(dir.join("out"))
            .arg(&file)
            .args(extra)
            .output()
            .unwrap()
    };
    let o = run(&["--param", "fleet.nope.count=1,2"]);
    assert_eq!(o.status.code(), Some(2), "{o:?}");
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("fleet.nope.count"),
        "{o:?}"
    );
    let o = run(&["--shard", "1/2"]);
    assert_eq!(o.status.code(), Some(2), "{o:?}");
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("set by the driver"),
        "{o:?}"
    );
    assert!(!dir.join("out").exists(), "nothing ran");
}
