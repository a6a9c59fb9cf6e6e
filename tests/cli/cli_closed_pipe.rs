//! Every subcommand's output through a pipe whose reader is already gone (`throttlelab sweep
//! ... | head`): the binary must end normally, not panic with "failed printing to stdout:
//! Broken pipe" (exit code 101), which `println!` does there. The same for stderr
//! (`validate bad.toml 2>&1 | head -1`): `eprintln!` panics too, so errors, warnings and
//! progress go through `src/stderr.rs`, and the exit code still tells how the command ended.
//!
//! The reader is closed before the binary starts, so every write fails with `EPIPE` and the
//! test does not depend on timing: stdout is one end of a Unix socket pair whose other end is
//! dropped first (a write to it fails like a write to a pipe whose reader has exited).

#![cfg(unix)]

use std::os::fd::OwnedFd;
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const SCENARIO: &str = r#"name = "closed-pipe"
seed = 3
duration = "5s"

[sweep]
seeds = 2
[sweep.params]
"fleet.web.retry.jitter" = ["none", "full"]

[[server.limiters]]
scope = "global"
algorithm = "token_bucket"
rate = "20/s"
burst = 5

[fleet.web]
count = 10
arrival = { process = "poisson", rate = "2/s" }
timeout = "2s"
[fleet.web.retry]
policy = "exponential"
base = "100ms"
cap = "1s"
jitter = "full"
max_attempts = 3
"#;

fn tmp(tag: &str) -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("cli-closed-pipe-{tag}"));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Run the binary with stdout connected to a reader that has already gone away.
fn with_closed_stdout(args: &[&str]) -> Output {
    let (reader, writer) = UnixStream::pair().unwrap();
    drop(reader);
    Command::new(env!("CARGO_BIN_EXE_throttlelab"))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::from(OwnedFd::from(writer)))
        .stderr(Stdio::piped())
        .output()
        .unwrap()
}

fn assert_ends_normally(args: &[&str]) {
    let o = with_closed_stdout(args);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        !stderr.contains("panicked") && !stderr.contains("Broken pipe"),
        "{args:?}: {stderr}"
    );
    assert_eq!(o.status.code(), Some(0), "{args:?}: {stderr}");
}

#[test]
fn the_writer_fails_with_broken_pipe() {
    // The premise of the other tests: a write to this stdout fails with EPIPE.
    use std::io::Write;
    let (reader, mut writer) = UnixStream::pair().unwrap();
    drop(reader);
    let e = writer.write_all(b"x").unwrap_err();
    assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe);
}

#[test]
fn table_printing_subcommands_survive_a_closed_reader() {
    assert_ends_normally(&["layers", "--requests", "200"]);
    assert_ends_normally(&["occ", "--clients", "2,3", "--seeds", "2"]);
    assert_ends_normally(&["list"]);
    assert_ends_normally(&[
        "replay",
        "examples/logs/sample-access.log.gz",
        "--limits",
        "examples/limits/org-2s.toml",
        "--fit-retries",
    ]);
}

#[test]
fn scenario_subcommands_survive_a_closed_reader() {
    let dir = tmp("scenario");
    let file = dir.join("s.toml");
    std::fs::write(&file, SCENARIO).unwrap();
    let file = file.to_str().unwrap();
    let out = dir.join("out");
    let out = out.to_str().unwrap();
    assert_ends_normally(&["validate", file]);
    assert_ends_normally(&["sweep", file, "--dry-run", "--out", out]);
    assert_ends_normally(&["sweep", file, "--no-report", "--out", out]);
    let shards = dir.join("shards");
    let shards = shards.to_str().unwrap();
    for shard in ["1/2", "2/2"] {
        assert_ends_normally(&["sweep", file, "--shard", shard, "--out", shards]);
    }
    let sweep = std::fs::read_dir(dir.join("shards").join("closed-pipe"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    assert_ends_normally(&["merge", sweep.to_str().unwrap(), "--no-report"]);
    assert_ends_normally(&[
        "compare",
        file,
        file,
        "--seeds",
        "2",
        "--no-report",
        "--out",
        out,
    ]);
}

/// Run the binary with stderr (and stdout: `2>&1 | head`) connected to a reader that has
/// already gone away.
fn with_closed_stderr(args: &[&str]) -> Output {
    let (reader, writer) = UnixStream::pair().unwrap();
    drop(reader);
    let out = writer.try_clone().unwrap();
    Command::new(env!("CARGO_BIN_EXE_throttlelab"))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::from(OwnedFd::from(out)))
        .stderr(Stdio::from(OwnedFd::from(writer)))
        .output()
        .unwrap()
}

/// `throttlelab validate bad.toml 2>&1 | head -1` exited 101 (`eprintln!` panics on EPIPE):
/// the error still sets the exit code, and nothing panics.
#[test]
fn errors_and_warnings_survive_a_closed_stderr() {
    let dir = tmp("stderr");
    let bad = dir.join("bad.toml");
    std::fs::write(&bad, "name = \"bad\"\nduration = \"forever\"\n").unwrap();
    let o = with_closed_stderr(&["validate", bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{o:?}");
    let o = with_closed_stderr(&["run", "no-such-file.toml"]);
    assert_eq!(o.status.code(), Some(2), "{o:?}");
    let good = dir.join("s.toml");
    std::fs::write(&good, SCENARIO).unwrap();
    let out = dir.join("out");
    let o = with_closed_stderr(&[
        "run",
        good.to_str().unwrap(),
        "--no-report",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{o:?}");
}
