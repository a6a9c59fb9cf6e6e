//! Concurrency checks: a backend that holds each request for the time it asks (`X-Hold`, in
//! ms), and streams of overlapping requests, each on a connection of its own (a keep-alive
//! connection carries one request at a time, so overlap needs connections), tagged with a
//! request id (`X-Id: <stream>-<seq>`) the gateway writes to its log beside the request's start
//! and end on its own clock.

use super::client::response;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// One planned request: key, send time, hold time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Planned {
    /// Its limit key.
    pub key: String,
    /// Microseconds after the stream starts.
    pub at_us: u64,
    /// How long the backend holds it, ms.
    pub hold_ms: u64,
}

/// The plan of stream `stream`: `n` requests on 1 to 3 keys for a limit of `max` at once;
/// holds of 20 to 300 ms, gaps averaging a tenth of a hold divided by the limit, so a key
/// sits at its limit much of the time, with an idle spell (all requests end) now and then.
pub fn plan(seed: u64, stream: u32, n: u64, max: u64) -> Vec<Planned> {
    // purpose "conform concurrency", then the stream
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x636f_6e63_7572_0000);
    rng.set_stream(u64::from(stream) + 1);
    let keys = rng.gen_range(1..=3u32);
    let mut at = 0u64;
    (0..n)
        .map(|_| {
            let roll: f64 = rng.gen();
            at += if roll < 0.97 {
                rng.gen_range(0..=60_000 / max.max(1))
            } else {
                400_000
            };
            Planned {
                key: format!("s{stream}-k{}", rng.gen_range(0..keys)),
                at_us: at,
                hold_ms: rng.gen_range(20..=300),
            }
        })
        .collect()
}

/// What came back for one request: its status.
pub type Status = u16;

/// Each planned request's start, end and status as the gateway logged them (`lines`, by
/// `<stream>-<seq>` id), as the concurrency check's observations; `missing(id)` says why a
/// request is not in the log, `reject` is the gateway's refusal status.
pub fn held_of(
    plans: &[Vec<Planned>],
    lines: &std::collections::HashMap<String, (u64, u64, u16)>,
    reject: u16,
    missing: impl Fn(&str) -> String,
) -> Result<Vec<gateways::conform_conn::Held>, String> {
    use gateways::conform::{Observation, Verdict};
    let mut out = Vec::new();
    for (stream, plan) in plans.iter().enumerate() {
        for (seq, p) in plan.iter().enumerate() {
            let id = format!("{stream}-{seq}");
            let &(start, end, status) = lines.get(&id).ok_or_else(|| missing(&id))?;
            let verdict = match status {
                200 => Verdict::Pass,
                s if s == reject => Verdict::Reject,
                s => return Err(format!("request {id}: unexpected status {s}")),
            };
            out.push(gateways::conform_conn::Held {
                observation: Observation {
                    stream: stream as u32,
                    seq: seq as u64,
                    key: p.key.clone(),
                    gateway_ms: start,
                    verdict,
                    gateway_rate: None,
                    gateway_delay_ms: None,
                    sent_us: p.at_us,
                    answered_us: 0,
                },
                end_ms: end,
            });
        }
    }
    Ok(out)
}

/// Send every request of `plan` at its time, each on its own connection from a thread of its
/// own (joined as soon as it ends, so a long stream never holds more threads than requests in
/// flight); the statuses in plan order.
pub fn run_stream(port: u16, stream: u32, plan: &[Planned]) -> Result<Vec<Status>, String> {
    let start = Instant::now();
    let mut out: Vec<Option<Status>> = vec![None; plan.len()];
    std::thread::scope(|s| {
        let mut running = Vec::new();
        let mut reap = |running: &mut Vec<(usize, std::thread::ScopedJoinHandle<'_, _>)>,
                        all: bool|
         -> Result<(), String> {
            let mut i = 0;
            while i < running.len() {
                if all || running[i].1.is_finished() {
                    let (seq, h): (
                        usize,
                        std::thread::ScopedJoinHandle<'_, Result<Status, String>>,
                    ) = running.swap_remove(i);
                    let status = h
                        .join()
                        .unwrap_or_else(|_| Err("a request thread panicked".into()))?;
                    out[seq] = Some(status);
                } else {
                    i += 1;
                }
            }
            Ok(())
        };
        for (seq, p) in plan.iter().enumerate() {
            let due = Duration::from_micros(p.at_us);
            let now = start.elapsed();
            if due > now {
                std::thread::sleep(due - now);
            }
            reap(&mut running, false)?;
            let h = std::thread::Builder::new()
                .spawn_scoped(s, move || one(port, stream, seq, p))
                .map_err(|e| format!("stream {stream} request {seq}: no thread: {e}"))?;
            running.push((seq, h));
        }
        reap(&mut running, true)
    })?;
    Ok(out.into_iter().map(|s| s.unwrap_or(0)).collect())
}

fn one(port: u16, stream: u32, seq: usize, p: &Planned) -> Result<Status, String> {
    let at = |e: String| format!("stream {stream} request {seq}: {e}");
    let mut conn = TcpStream::connect(("127.0.0.1", port)).map_err(|e| at(e.to_string()))?;
    conn.set_nodelay(true).map_err(|e| at(e.to_string()))?;
    conn.set_read_timeout(Some(Duration::from_secs(30)))
        .map_err(|e| at(e.to_string()))?;
    let req = format!(
        "GET /hold HTTP/1.1\r\nHost: throttlelab\r\nX-Key: {}\r\nX-Id: {stream}-{seq}\r\nX-Hold: {}\r\nConnection: close\r\n\r\n",
        p.key, p.hold_ms
    );
    conn.write_all(req.as_bytes())
        .map_err(|e| at(e.to_string()))?;
    let r = response(&mut BufReader::new(conn)).map_err(at)?;
    Ok(r.status)
}

/// The backend, stopped on drop.
#[derive(Debug)]
pub struct Backend {
    stop: Arc<AtomicBool>,
    /// Its port on 127.0.0.1.
    pub port: u16,
}

impl Drop for Backend {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

/// Start the backend: each request is answered 200 after `X-Hold` milliseconds.
pub fn backend() -> Result<Backend, String> {
    let listener = TcpListener::bind(("127.0.0.1", 0)).map_err(|e| e.to_string())?;
    let port = listener.local_addr().map_err(|e| e.to_string())?.port();
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            if flag.load(Ordering::SeqCst) {
                break;
            }
            if let Ok(conn) = conn {
                std::thread::spawn(move || hold(conn));
            }
        }
    });
    Ok(Backend { stop, port })
}

/// Serve one backend connection (keep-alive: requests one after the other).
fn hold(conn: TcpStream) -> std::io::Result<()> {
    let mut w = conn.try_clone()?;
    let mut r = BufReader::new(conn);
    let mut line = String::new();
    loop {
        line.clear();
        if r.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let mut hold_ms = 0u64;
        loop {
            line.clear();
            if r.read_line(&mut line)? == 0 {
                return Ok(());
            }
            let l = line.trim_end();
            if l.is_empty() {
                break;
            }
            if let Some((n, v)) = l.split_once(':') {
                if n.trim().eq_ignore_ascii_case("x-hold") {
                    hold_ms = v.trim().parse().unwrap_or(0);
                }
            }
        }
        std::thread::sleep(Duration::from_millis(hold_ms.min(10_000)));
        w.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plans_overlap_on_few_keys() {
        let p = plan(1, 2, 500, 2);
        assert_eq!(p, plan(1, 2, 500, 2));
        assert!(p.windows(2).all(|w| w[0].at_us <= w[1].at_us));
        // requests of one key overlapping (the next starts before the last one's hold ends)
        let overlapping = p
            .windows(2)
            .filter(|w| w[0].key == w[1].key && w[1].at_us < w[0].at_us + w[0].hold_ms * 1000)
            .count();
        assert!(overlapping > 100, "{overlapping}");
    }
}
