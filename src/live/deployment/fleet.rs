//! The replicas of a live deployment: N child `throttlelab serve --replica I` processes, each
//! on its own ephemeral loopback port (bound by the child, read from its first stdout line, so
//! parallel runs never collide), behind one HAProxy ([`super::haproxy`]).
//!
//! Every child reads the same scenario file and the same keys file (so the same API keys
//! reach any replica), and, for `central` and `synced` levels, one Redis under one key prefix
//! fresh for this deployment (a previous run's counters in the same Redis are never read).
//! A child exits when its stdin closes: dropping [`Fleet`], or this process dying in any way,
//! stops every replica.

use super::haproxy;
use sim::model::Balancer;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::time::{Duration, Instant};

/// What the replicas are started with.
#[derive(Clone, Debug)]
pub struct Options {
    /// The scenario file each replica serves.
    pub scenario: PathBuf,
    /// The keys file (`<label> <secret>` lines) every replica reads.
    pub keys_file: PathBuf,
    /// `redis://...` for central and synced levels.
    pub redis: Option<String>,
    /// The Redis key prefix of this deployment.
    pub prefix: String,
    /// The backend's seed (`--seed`), when given.
    pub seed: Option<u64>,
    /// The balancer's port (0: a free one).
    pub port: u16,
    /// The HAProxy binary.
    pub haproxy: PathBuf,
    /// Further `serve` flags every replica gets (the parent's own).
    pub extra: Vec<String>,
}

/// One replica process.
#[derive(Debug)]
struct Replica {
    child: Child,
    stdin: Option<ChildStdin>,
    port: u16,
}

/// A running deployment: its replicas and their balancer.
#[derive(Debug)]
pub struct Fleet {
    replicas: Vec<Replica>,
    balancer: Option<haproxy::Running>,
}

impl Fleet {
    /// `http://127.0.0.1:PORT` of the balancer.
    pub fn base(&self) -> String {
        let port = self.balancer.as_ref().map_or(0, |b| b.port);
        format!("http://127.0.0.1:{port}")
    }

    /// The replicas' own ports (their `/metrics`).
    pub fn replica_ports(&self) -> Vec<u16> {
        self.replicas.iter().map(|r| r.port).collect()
    }
}

impl Drop for Fleet {
    fn drop(&mut self) {
        // the balancer first, so no request reaches a replica on its way out
        drop(self.balancer.take());
        for r in &mut self.replicas {
            drop(r.stdin.take());
        }
        let deadline = Instant::now() + Duration::from_secs(5);
        for r in &mut self.replicas {
            while Instant::now() < deadline && matches!(r.child.try_wait(), Ok(None)) {
                std::thread::sleep(Duration::from_millis(10));
            }
            let _ = r.child.kill();
            let _ = r.child.wait();
        }
    }
}

/// Start replica `i` of `n` and read its port from its first stdout line; its further
/// output is forwarded to stderr, prefixed with the replica (warnings every replica prints,
/// `not honoured live`, are the parent's to print once).
fn start_replica(i: u32, o: &Options) -> Result<Replica, String> {
    let exe = std::env::current_exe().map_err(|e| format!("cannot find this program: {e}"))?;
    let mut cmd = Command::new(exe);
    cmd.arg("serve")
        .arg("--scenario")
        .arg(&o.scenario)
        .args(["--port", "0", "--replica", &i.to_string()])
        .arg("--keys-file")
        .arg(&o.keys_file)
        .args(["--store-prefix", &o.prefix]);
    if let Some(url) = &o.redis {
        cmd.args(["--store", url]);
    }
    if let Some(seed) = o.seed {
        cmd.args(["--seed", &seed.to_string()]);
    }
    cmd.args(&o.extra);
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start replica {i}: {e}"))?;
    let stdin = child.stdin.take();
    let stdout = child.stdout.take().expect("piped stdout");
    let stderr = child.stderr.take().expect("piped stderr");
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line.clone());
            if !line.contains("not honoured live") {
                eprintln!("replica {i}: {line}");
            }
        }
    });
    let (ptx, prx) = std::sync::mpsc::channel::<Option<u16>>();
    std::thread::spawn(move || {
        let mut lines = BufReader::new(stdout).lines();
        let port = lines
            .next()
            .and_then(Result::ok)
            .and_then(|l| l.rsplit(':').next().and_then(|p| p.trim().parse().ok()));
        let _ = ptx.send(port);
        // drain the rest, so a replica never blocks on a full pipe
        for _ in lines {}
    });
    let mut replica = Replica {
        child,
        stdin,
        port: 0,
    };
    match prx.recv_timeout(Duration::from_secs(20)) {
        Ok(Some(port)) => {
            replica.port = port;
            Ok(replica)
        }
        _ => {
            std::thread::sleep(Duration::from_millis(100));
            let said: Vec<String> = rx.try_iter().collect();
            Err(format!(
                "replica {i} did not start listening: {}",
                if said.is_empty() {
                    "(no message)".to_string()
                } else {
                    said.join("; ")
                }
            ))
        }
    }
}

/// Start `n` replicas and HAProxy balancing over them with `balancer` and `health`.
pub fn start(n: u32, balancer: &Balancer, health: Duration, o: &Options) -> Result<Fleet, String> {
    let mut fleet = Fleet {
        replicas: Vec::with_capacity(n as usize),
        balancer: None,
    };
    for i in 0..n {
        fleet.replicas.push(start_replica(i, o)?);
    }
    let ports = fleet.replica_ports();
    fleet.balancer = Some(haproxy::start(
        &o.haproxy, balancer, health, o.port, &ports,
    )?);
    wait_healthy(&fleet)?;
    Ok(fleet)
}

/// Wait until HAProxy routes to every replica: its first health checks run at start, and a
/// request it sends before they pass is still served (servers start up), so this only checks
/// the balancer answers.
fn wait_healthy(fleet: &Fleet) -> Result<(), String> {
    use std::io::{Read, Write};
    let port = fleet.balancer.as_ref().map_or(0, |b| b.port);
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let ok = std::net::TcpStream::connect(("127.0.0.1", port))
            .and_then(|mut s| {
                s.set_read_timeout(Some(Duration::from_secs(2)))?;
                s.write_all(
                    b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
                )?;
                let mut buf = String::new();
                s.read_to_string(&mut buf)?;
                Ok(buf.starts_with("HTTP/1.1 200"))
            })
            .unwrap_or(false);
        if ok {
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err(format!(
                "HAProxy on port {port} did not route /healthz to a replica within 10 s"
            ));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}
