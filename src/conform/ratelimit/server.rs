//! The reference service on loopback: a `redis-server` the lab starts (no persistence, its
//! own port) and a small HTTP/1.1 server, one thread per keep-alive connection, answering each
//! `GET` with 200 or 429 by [`super::reference::should_rate_limit`] and the Unix millisecond
//! it decided at (`X-Clock`). Both stop when [`Running`] is dropped.

use super::reference::{should_rate_limit, LocalCache, Options};
use gateways::ratelimit::Rules;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// The default Redis binary (Debian's redis-server).
pub const DEFAULT_REDIS: &str = "/usr/bin/redis-server";

/// A running reference service and its Redis, stopped on drop.
#[derive(Debug)]
pub struct Running {
    redis: Child,
    stop: Arc<AtomicBool>,
    accept: Option<std::thread::JoinHandle<()>>,
    /// The service's port on 127.0.0.1.
    pub port: u16,
}

impl Drop for Running {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // wake the accept loop
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(h) = self.accept.take() {
            let _ = h.join();
        }
        let _ = self.redis.kill();
        let _ = self.redis.wait();
    }
}

/// Start `redis` on a free port, then the service for `rules` with `opts`.
pub fn start(redis: &Path, rules: Rules, opts: Options) -> Result<Running, String> {
    let redis_port = super::super::nginx::free_port()?;
    let child = Command::new(redis)
        .args(["--port", &redis_port.to_string(), "--bind", "127.0.0.1"])
        .args(["--save", "", "--appendonly", "no"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", redis.display()))?;
    let client = redis::Client::open(format!("redis://127.0.0.1:{redis_port}/"))
        .map_err(|e| e.to_string())?;
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let up = client
            .get_connection()
            .and_then(|mut c| redis::cmd("PING").query::<String>(&mut c));
        if up.is_ok() {
            break;
        }
        if Instant::now() > deadline {
            return Err(format!(
                "redis-server on port {redis_port} did not answer PING within 10 s"
            ));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let listener = TcpListener::bind(("127.0.0.1", 0)).map_err(|e| e.to_string())?;
    let port = listener.local_addr().map_err(|e| e.to_string())?.port();
    let stop = Arc::new(AtomicBool::new(false));
    let shared = Arc::new((rules, opts, LocalCache::default(), client));
    let flag = stop.clone();
    let accept = std::thread::spawn(move || {
        for conn in listener.incoming() {
            if flag.load(Ordering::SeqCst) {
                break;
            }
            let Ok(conn) = conn else { continue };
            let shared = shared.clone();
            std::thread::spawn(move || {
                let (rules, opts, cache, client) = &*shared;
                if let Ok(mut con) = client.get_connection() {
                    let _ = serve(conn, &mut con, rules, *opts, cache);
                }
            });
        }
    });
    Ok(Running {
        redis: child,
        stop,
        accept: Some(accept),
        port,
    })
}

/// Answer the requests of one connection until the client closes it.
fn serve(
    conn: TcpStream,
    con: &mut redis::Connection,
    rules: &Rules,
    opts: Options,
    cache: &LocalCache,
) -> std::io::Result<()> {
    conn.set_nodelay(true)?;
    let mut writer = conn.try_clone()?;
    let mut reader = BufReader::new(conn);
    let mut line = String::new();
    loop {
        // request line, then headers to the blank line (GET: no body)
        line.clear();
        if reader.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let mut key = String::new();
        loop {
            line.clear();
            if reader.read_line(&mut line)? == 0 {
                return Ok(());
            }
            let l = line.trim_end();
            if l.is_empty() {
                break;
            }
            if let Some((n, v)) = l.split_once(':') {
                if n.trim().eq_ignore_ascii_case("x-key") {
                    key = v.trim().to_string();
                }
            }
        }
        let now_ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as u64);
        let answer = match should_rate_limit(con, rules, opts, cache, &key, now_ms) {
            Ok(false) => "200 OK",
            Ok(true) => "429 Too Many Requests",
            Err(_) => "500 Internal Server Error",
        };
        write!(
            writer,
            "HTTP/1.1 {answer}\r\nX-Clock: {now_ms}\r\nContent-Length: 0\r\n\r\n"
        )?;
    }
}
