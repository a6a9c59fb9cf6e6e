//! A minimal HTTP/1.1 client over one keep-alive connection: the lab needs each response's
//! status and two headers, in order, with the send and answer times; nothing more.

use super::schedule::Planned;
use gateways::conform::{Observation, Verdict};
use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

/// What a gateway answered, read from its response: its clock in ms when it decided, its
/// decision, the counter it decided on and the delay it applied (ms), when it reports them.
pub type Answer = Result<(u64, Verdict, Option<u64>, Option<u64>), String>;

/// Reads an [`Answer`] from a response.
pub type Reader = fn(&Response) -> Answer;

/// What the lab reads from a response.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Response {
    /// Status code.
    pub status: u16,
    /// Headers, names lower-cased.
    pub headers: Vec<(String, String)>,
}

impl Response {
    /// The first header called `name` (lower case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Send `plan` over one connection to 127.0.0.1:`port`, each request at its planned time (or
/// at once when behind), and read each answer with `read`.
pub fn run_stream(
    port: u16,
    stream: u32,
    plan: &[Planned],
    read: Reader,
) -> Result<Vec<Observation>, String> {
    let conn = TcpStream::connect(("127.0.0.1", port)).map_err(|e| format!("connect: {e}"))?;
    conn.set_nodelay(true).map_err(|e| e.to_string())?;
    conn.set_read_timeout(Some(Duration::from_secs(30)))
        .map_err(|e| e.to_string())?;
    let mut writer = conn.try_clone().map_err(|e| e.to_string())?;
    let mut reader = BufReader::new(conn);
    let start = Instant::now();
    let mut out = Vec::with_capacity(plan.len());
    for (seq, p) in plan.iter().enumerate() {
        let due = Duration::from_micros(p.at_us);
        let now = start.elapsed();
        if due > now {
            std::thread::sleep(due - now);
        }
        let sent = start.elapsed().as_micros() as u64;
        let req = format!(
            "GET /ok HTTP/1.1\r\nHost: throttlelab\r\nX-Key: {}\r\n\r\n",
            p.key
        );
        writer
            .write_all(req.as_bytes())
            .map_err(|e| format!("stream {stream} request {seq}: send: {e}"))?;
        let resp =
            response(&mut reader).map_err(|e| format!("stream {stream} request {seq}: {e}"))?;
        let answered = start.elapsed().as_micros() as u64;
        let (gateway_ms, verdict, gateway_rate, gateway_delay_ms) =
            read(&resp).map_err(|e| format!("stream {stream} request {seq}: {e}"))?;
        out.push(Observation {
            stream,
            seq: seq as u64,
            key: p.key.clone(),
            gateway_ms,
            verdict,
            gateway_rate,
            gateway_delay_ms,
            sent_us: sent,
            answered_us: answered,
        });
    }
    Ok(out)
}

/// Read one response (status line, headers, a `Content-Length` body).
pub fn response(r: &mut impl BufRead) -> Result<Response, String> {
    let mut line = String::new();
    r.read_line(&mut line).map_err(|e| format!("read: {e}"))?;
    let status = line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("not an HTTP response: {:?}", line.trim_end()))?;
    let mut resp = Response {
        status,
        headers: Vec::new(),
    };
    loop {
        line.clear();
        r.read_line(&mut line).map_err(|e| format!("read: {e}"))?;
        let l = line.trim_end();
        if l.is_empty() {
            break;
        }
        if let Some((n, v)) = l.split_once(':') {
            resp.headers
                .push((n.trim().to_ascii_lowercase(), v.trim().to_string()));
        }
    }
    let len: usize = resp
        .header("content-length")
        .map_or(Ok(0), str::parse)
        .map_err(|_| "bad Content-Length".to_string())?;
    let mut body = vec![0; len];
    r.read_exact(&mut body)
        .map_err(|e| format!("read body: {e}"))?;
    Ok(resp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_status_headers_and_skips_the_body() {
        let text = b"HTTP/1.1 503 Service Unavailable\r\nX-Limit: REJECTED\r\nContent-Length: 3\r\n\r\nabcHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
        let mut r = BufReader::new(&text[..]);
        let a = response(&mut r).unwrap();
        assert_eq!((a.status, a.header("x-limit")), (503, Some("REJECTED")));
        assert_eq!(response(&mut r).unwrap().status, 200);
        assert!(response(&mut r).is_err());
    }
}
