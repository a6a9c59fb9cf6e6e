//! API keys are secrets: `serve` issues random ones (printed once, or written with
//! `--keys-out`) or reads them (`--keys-file`); the public labels `key-0 ..` that name keys in
//! limits and metrics are not credentials, so no client spends another tenant's limit by
//! guessing its name.

// live mode: built with the `live` feature (the default)
#![cfg(feature = "live")]

use crate::live_common;

use live_common::{client, read_keys, temp_path, Server};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

async fn status(srv: &Server, auth: &str) -> u16 {
    client()
        .post(srv.url("/v1/work"))
        .header("authorization", auth)
        .body("{}")
        .send()
        .await
        .expect("request")
        .status()
        .as_u16()
}

#[tokio::test]
async fn a_guessed_key_name_is_refused_and_only_the_secret_spends_the_limit() {
    let srv = Server::start(&["--keys", "2", "--limiter", "key:gcra rate=1/min burst=1"]);
    // the names are public: guessing one is a 401 and charges nothing
    for guess in ["Bearer key-0", "Bearer key-1", "Bearer org-0"] {
        assert_eq!(status(&srv, guess).await, 401, "{guess}");
    }
    let secret = srv.secret("key-0");
    assert!(secret.len() >= 32, "{secret}");
    assert_ne!(srv.secret("key-0"), srv.secret("key-1"));
    // the victim's limit is whole: its first request passes, its second is throttled
    assert_eq!(status(&srv, &srv.bearer("key-0")).await, 200);
    assert_eq!(status(&srv, &srv.bearer("key-0")).await, 429);
    // metrics keep naming the key by its label, never by its secret
    let m = client()
        .get(srv.url("/metrics"))
        .send()
        .await
        .expect("metrics")
        .text()
        .await
        .expect("text");
    assert!(m.contains("id=\"key-0\""), "{m}");
    assert!(!m.contains(secret), "a secret leaked into /metrics");
}

#[test]
fn without_keys_out_the_secrets_are_printed_once_after_the_address() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_throttlelab"))
        .args(["serve", "--port", "0", "--keys", "3"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let mut out = BufReader::new(child.stdout.take().expect("stdout"));
    let mut lines = Vec::new();
    for _ in 0..5 {
        let mut l = String::new();
        out.read_line(&mut l).expect("line");
        lines.push(l);
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        lines[0].starts_with("listening on http://127.0.0.1:"),
        "{lines:?}"
    );
    assert!(lines[1].starts_with('#'), "{lines:?}");
    for (i, l) in lines[2..].iter().enumerate() {
        let (label, secret) = l.trim().split_once(' ').expect("label secret");
        assert_eq!(label, format!("key-{i}"));
        assert!(secret.starts_with("tlk_") && secret.len() == 36, "{secret}");
    }
}

#[tokio::test]
async fn keys_file_round_trips_between_processes() {
    let a = Server::start(&["--keys", "2"]);
    let file = a.keys_file.to_string_lossy().into_owned();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&a.keys_file)
            .expect("meta")
            .permissions()
            .mode();
        assert_eq!(mode & 0o077, 0, "the keys file is private: {mode:o}");
    }
    let b = Server::start(&["--keys", "2", "--keys-file", &file]);
    assert_eq!(read_keys(&a.keys_file), b.secrets);
    assert_eq!(status(&b, &a.bearer("key-1")).await, 200);
}

#[test]
fn a_bad_keys_file_is_refused_with_its_line_and_exit_2() {
    let path = temp_path("badkeys");
    for (text, want) in [
        ("key-0 tlk_0123456789abcdef0123\nkey-1 short\n", ":2:1: "),
        ("key-0 tlk_0123456789abcdef0123\n", "no secret for `key-1`"),
        (
            "key-0 aaaaaaaaaaaaaaaaaaaa\nkey-1 aaaaaaaaaaaaaaaaaaaa\n",
            ":2:1: ",
        ),
    ] {
        std::fs::write(&path, text).expect("write");
        let out = Command::new(env!("CARGO_BIN_EXE_throttlelab"))
            .args(["serve", "--port", "0", "--keys", "2", "--keys-file"])
            .arg(&path)
            .output()
            .expect("run");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{text}: {err}");
        assert!(err.contains(want), "{text}: {err}");
        assert!(
            err.contains(&*path.to_string_lossy()),
            "names the file: {err}"
        );
    }
    let _ = std::fs::remove_file(&path);
}
