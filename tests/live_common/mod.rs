//! Shared helpers of the `live_*` tests: start `throttlelab serve` on an ephemeral loopback
//! port, a bounded HTTP client, and a throwaway `redis-server`.
//!
//! Every process started here is killed when its handle drops, and every wait is bounded.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// A running `throttlelab serve`.
pub struct Server {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// The port.
    pub port: u16,
    /// The keys file the server wrote (`--keys-out`), or was given (`--keys-file`).
    pub keys_file: std::path::PathBuf,
    /// Key label -> secret.
    pub secrets: std::collections::HashMap<String, String>,
    owns_keys_file: bool,
    lines: mpsc::Receiver<String>,
}

/// A fresh path in the temporary directory.
pub fn temp_path(what: &str) -> std::path::PathBuf {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    std::env::temp_dir().join(format!(
        "throttlelab-test-{what}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ))
}

/// `label secret` lines of a keys file.
pub fn read_keys(path: &std::path::Path) -> std::collections::HashMap<String, String> {
    let text = std::fs::read_to_string(path).expect("keys file");
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.split_once(' '))
        .map(|(a, b)| (a.to_string(), b.trim().to_string()))
        .collect()
}

impl Server {
    /// Start `serve --port 0 <args>` (with `--keys-out` to a temporary file unless the args
    /// name a keys file) and wait (at most 20 s) for its `listening on` line.
    pub fn start(args: &[&str]) -> Server {
        let given = args
            .iter()
            .position(|a| *a == "--keys-file")
            .and_then(|i| args.get(i + 1))
            .map(std::path::PathBuf::from);
        let owns_keys_file = given.is_none();
        let keys_file = given.unwrap_or_else(|| temp_path("keys"));
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_throttlelab"));
        cmd.arg("serve").args(["--port", "0"]);
        if owns_keys_file {
            cmd.arg("--keys-out").arg(&keys_file);
        }
        let mut child = cmd
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn throttlelab serve");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            // every line to the test (`next_line`); draining so the server never blocks on a
            // full pipe
            let mut reader = BufReader::new(stdout);
            loop {
                let mut line = String::new();
                match reader.read_line(&mut line) {
                    Ok(0) | Err(_) => break,
                    Ok(_) => {
                        let _ = tx.send(line);
                    }
                }
            }
        });
        let line = match rx.recv_timeout(Duration::from_secs(20)) {
            Ok(l) => l,
            Err(_) => {
                let _ = child.kill();
                panic!("serve printed no address within 20 s");
            }
        };
        let base = line
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| {
                let _ = child.kill();
                panic!("unexpected first line {line:?}")
            })
            .to_string();
        assert!(
            base.starts_with("http://127.0.0.1:"),
            "loopback only: {base}"
        );
        let port = base
            .rsplit(':')
            .next()
            .and_then(|p| p.parse().ok())
            .expect("port");
        let secrets = read_keys(&keys_file);
        Server {
            child,
            base,
            port,
            keys_file,
            secrets,
            owns_keys_file,
            lines: rx,
        }
    }

    /// The next line `serve` printed after the address (waiting at most 5 s).
    pub fn next_line(&self) -> Option<String> {
        self.lines.recv_timeout(Duration::from_secs(5)).ok()
    }

    /// The secret of the key labelled `label` (`key-0`, ...).
    pub fn secret(&self, label: &str) -> &str {
        self.secrets
            .get(label)
            .unwrap_or_else(|| panic!("no key labelled {label}"))
    }

    /// `Bearer <secret of label>`.
    pub fn bearer(&self, label: &str) -> String {
        format!("Bearer {}", self.secret(label))
    }

    /// The URL of `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// True while the process runs.
    pub fn alive(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if self.owns_keys_file {
            let _ = std::fs::remove_file(&self.keys_file);
        }
    }
}

/// An HTTP client with a 10 s timeout per request.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .expect("client")
}

/// Send raw bytes to 127.0.0.1:`port` and read what comes back (bounded: 5 s, 64 KiB).
pub fn raw(port: u16, bytes: &[u8]) -> String {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(2))).ok();
    s.set_write_timeout(Some(Duration::from_secs(5))).ok();
    let _ = s.write_all(bytes);
    let _ = s.flush();
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    while out.len() < 64 * 1024 {
        match s.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => out.extend_from_slice(&buf[..n]),
        }
        if out.windows(4).any(|w| w == b"\r\n\r\n") && !out.starts_with(b"HTTP/1.1 1") {
            // headers complete; read what body is already there, then stop
            std::thread::sleep(Duration::from_millis(50));
            if let Ok(n) = s.read(&mut buf) {
                out.extend_from_slice(&buf[..n]);
            }
            break;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The status code of a raw response, if any.
pub fn raw_status(resp: &str) -> Option<u16> {
    resp.strip_prefix("HTTP/1.1 ")?.get(..3)?.parse().ok()
}

/// A free loopback port (bound and released; good enough for a test's redis-server).
pub fn free_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    l.local_addr().expect("addr").port()
}

/// A `redis-server` on a free loopback port, without persistence.
pub struct Redis {
    child: Option<Child>,
    /// The port.
    pub port: u16,
}

impl Redis {
    /// Whether `redis-server` is installed; if not, the caller prints a SKIP message.
    pub fn available() -> bool {
        Command::new("redis-server")
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .map(|s| s.success())
            .unwrap_or(false)
    }

    /// Start one and wait (at most 10 s) until it answers PING.
    pub fn start() -> Redis {
        Redis::start_on(free_port())
    }

    /// Start one on `port`.
    pub fn start_on(port: u16) -> Redis {
        let child = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args([
                "--save",
                "",
                "--appendonly",
                "no",
                "--protected-mode",
                "yes",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn redis-server");
        let r = Redis {
            child: Some(child),
            port,
        };
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if r.ping() {
                return r;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("redis-server on port {port} did not answer PING within 10 s");
    }

    /// `redis://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// True if it answers PING.
    pub fn ping(&self) -> bool {
        let Ok(client) = redis::Client::open(self.url()) else {
            return false;
        };
        let Ok(mut c) = client.get_connection_with_timeout(Duration::from_millis(500)) else {
            return false;
        };
        redis::cmd("PING").query::<String>(&mut c).is_ok()
    }

    /// Kill it (the test of a store outage).
    pub fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        self.kill();
    }
}

/// The value of a header as a string ("" when absent).
pub fn header(resp: &reqwest::Response, name: &str) -> String {
    resp.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string()
}

/// True for a UUID of version 4 in canonical form.
pub fn is_uuid_v4(s: &str) -> bool {
    let b = s.as_bytes();
    s.len() == 36
        && [8, 13, 18, 23].iter().all(|&i| b[i] == b'-')
        && b[14] == b'4'
        && matches!(b[19], b'8' | b'9' | b'a' | b'b')
        && s.chars()
            .filter(|c| *c != '-')
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
}

/// Prints the standard skip message.
pub fn skip_without_redis(test: &str) -> bool {
    if Redis::available() {
        return false;
    }
    println!("SKIP {test}: redis-server is not on PATH (install it: apt-get install -y redis-server; .ci/run does)");
    true
}
