//! One attempt of a live client on the wire, shared by a plain logical request
//! ([`super::client`]) and a hedged round of copies ([`super::hedge`]): what every client task
//! shares ([`Shared`]), who sends ([`Who`]), the HTTP exchange with its real timeout and what
//! came back ([`Raw`]), settling it into the simulator's `AttemptResult` (headers parsed by
//! `limiters::headers::parse`), and the timeouts of an attempt ([`limits`]).

pub use super::jitter::ClientJitter;
use super::network::{wait, Legs};
use super::record::{Ev, Log};
use crate::live::respond::unix_now;
use crate::live::work::OUTAGE_SERVER;
use limiters::headers::{parse, ParseOptions};
use limiters::Nanos;
use sim::client::hedge::HedgeRt;
use sim::engine::AttemptId;
use sim::model::Fleet;
use sim::retry::{AttemptResult, ClientGate, GateCall};
use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What every client task shares.
#[derive(Debug)]
pub struct Shared {
    /// The HTTP client (connection pool).
    pub http: reqwest::Client,
    /// `POST` target, e.g. `http://127.0.0.1:8080/v1/work`.
    pub url: String,
    /// Attempts that may still be sent in this run.
    pub budget: AtomicU64,
    /// Set when the budget ran out: the run ends.
    pub exhausted: AtomicBool,
    /// Observations.
    pub log: Log,
    /// Per fleet: its gate, if it has one.
    pub gates: Vec<Option<Mutex<Box<dyn ClientGate>>>>,
    /// Per fleet: the requests its gate told to wait, woken in the simulator's order.
    pub waiters: Vec<super::waiters::Waiters>,
    /// Per fleet: its hedging (`sim::client::hedge::HedgeRt`: delay, percentile histogram), if
    /// it hedges.
    pub hedges: Vec<Option<Mutex<HedgeRt>>>,
    /// Per fleet: statuses that are limiter denials (not admitted).
    pub denials: Vec<u16>,
    /// Logical request ids (the gate's `request`).
    pub requests: AtomicU32,
    /// Per fleet: the salt of its changed-body coins (`sim::server::idempotency::body_salt`).
    pub body_salts: Vec<u64>,
    /// Log each attempt's [`Ev::Verdict`] (a scenario with a `[deployment]`).
    pub verdicts: bool,
    /// The scenario's upstream names (`[[server.upstreams]]`), for fail-over.
    pub upstreams: Vec<String>,
    /// The scenario's network delay, slept on each leg of every attempt ([`super::network`]);
    /// `None`: the network is the real one (no delay configured, or `load --real-network`).
    pub network: Option<super::network::Network>,
}

impl Shared {
    /// Take one attempt from the run's budget; false (and the run ends) when it is used up.
    pub(super) fn take_attempt(&self) -> bool {
        let ok = self
            .budget
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1))
            .is_ok();
        if !ok {
            self.exhausted.store(true, Ordering::SeqCst);
        }
        ok
    }

    /// The fleet's gate, locked.
    pub(super) fn gate(
        &self,
        fleet: usize,
    ) -> Option<std::sync::MutexGuard<'_, Box<dyn ClientGate>>> {
        self.gates[fleet]
            .as_ref()
            .map(|g| g.lock().unwrap_or_else(|p| p.into_inner()))
    }

    /// Record the server's answer `status` (with `headers`) to an attempt of client `c` of
    /// fleet `fi`, and whether it shows the limiters admitted it: a 2xx, or a 5xx that is not a
    /// level's status and that the API answered, not the load balancer of an outage (which
    /// answers before the limiters, see [`OUTAGE_SERVER`]: the simulator does not count an
    /// outage's answers as admitted).
    ///
    /// With [`Shared::verdicts`], the verdict is logged when the replica received the attempt
    /// (its `x-throttlelab-arrived`), else at `sent`, when the attempt left.
    fn record_answer(
        &self,
        c: u32,
        fi: u16,
        status: u16,
        headers: &[(String, String)],
        sent: Nanos,
    ) {
        let by_load_balancer = headers
            .iter()
            .any(|(n, v)| n.eq_ignore_ascii_case("server") && v == OUTAGE_SERVER);
        let admitted = (200..300).contains(&status)
            || (status >= 500 && !self.denials.contains(&status) && !by_load_balancer);
        if admitted {
            self.log.push(c, fi, Ev::Admitted);
        }
        if self.verdicts {
            // the replica's clock is this machine's (loopback)
            let at = headers
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(crate::live::config::ARRIVED_HEADER))
                .and_then(|(_, v)| v.parse::<u64>().ok())
                .map_or(sent, |unix| self.log.of_unix(unix));
            self.log
                .push_at(at, c, fi, Ev::Verdict { admitted, status });
        }
        self.log.push(c, fi, Ev::Response(status));
    }
}

/// What an attempt carries besides its fleet's body.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Marks<'a> {
    /// The logical request's idempotency key.
    pub idem: Option<&'a str>,
    /// The attempt number, when this retry carries a body other than the first attempt's
    /// under the same key (the fleet's `changed_body_probability`, flipped as the simulator
    /// flips it).
    pub changed: Option<u32>,
    /// The logical request's `X-Throttlelab-Request` tag (non-idempotent fleets: the server
    /// counts duplicate executions).
    pub tag: Option<&'a str>,
    /// The upstream (`X-Upstream`), when the scenario names upstreams.
    pub upstream: Option<&'a str>,
    /// The attempt's identity (`X-Request-Identity`), when the client numbers its requests.
    pub identity: Option<&'a str>,
    /// The network delays of the attempt's two legs ([`super::network`]).
    pub legs: Legs,
}

/// Who is asking: a client of a fleet.
#[derive(Debug, Clone)]
pub struct Who<'a> {
    /// The fleet.
    pub fleet: &'a Fleet,
    /// Fleet index.
    pub fi: u16,
    /// Global client index.
    pub client: u32,
    /// Bearer token.
    pub token: &'a str,
    /// The client's index in its fleet and its number for this logical request (1 for its
    /// first), when it numbers requests as the simulator does (open loop): its attempts then
    /// name themselves in `X-Request-Identity` ([`crate::live::attempt_id`]).
    pub numbered: Option<(u32, u32)>,
}

impl Who<'_> {
    /// The same client, not numbering its requests as the simulator does.
    pub(super) fn unnumbered(&self) -> Self {
        Who {
            numbered: None,
            ..self.clone()
        }
    }
}

/// How one attempt ended, before its headers are read.
pub(super) enum Raw {
    /// A response: status and headers.
    Answer(u16, Vec<(String, String)>),
    /// No answer within the attempt's timeout (or a transport error).
    TimedOut,
    /// The run's horizon came first: the attempt is still in flight when the run ends.
    Horizon,
}

/// One attempt over HTTP, bounded by `timeout` (and the horizon at `horizon_left`), carrying
/// `marks`: it waits its request leg's network delay, is sent, and its answer waits the
/// response leg's before the client reads it (`marks.legs`, as the simulator's
/// `World::transmit` and `responded`; the timeout runs over both, as the simulator's is armed
/// at the send). The server's answer is recorded the moment it arrives, as the simulator
/// records it when the server answers; the future owns what it needs, so a hedge copy can run
/// in its own task.
pub(super) fn exchange(
    shared: &Arc<Shared>,
    who: &Who<'_>,
    marks: Marks<'_>,
    timeout: Duration,
    horizon_left: Duration,
) -> impl Future<Output = Raw> + Send + 'static {
    let body = match marks.changed {
        Some(n) => format!("{{\"cost\": {}, \"attempt\": {n}}}", who.fleet.cost),
        None => format!("{{\"cost\": {}}}", who.fleet.cost),
    };
    let mut req = shared
        .http
        .post(&shared.url)
        .header("authorization", format!("Bearer {}", who.token))
        .header("content-type", "application/json")
        .body(body);
    let headers = [
        ("idempotency-key", marks.idem),
        (crate::live::executions::HEADER, marks.tag),
        (crate::live::backend::UPSTREAM_HEADER, marks.upstream),
        (crate::live::attempt_id::HEADER, marks.identity),
    ];
    for (name, value) in headers {
        if let Some(v) = value {
            req = req.header(name, v);
        }
    }
    let shared = Arc::clone(shared);
    let (c, fi) = (who.client, who.fi);
    let legs = marks.legs;
    async move {
        let limit = timeout.min(horizon_left);
        let send = async {
            wait(legs.out).await;
            let sent = shared.log.now();
            let resp = req.send().await.ok()?;
            let status = resp.status().as_u16();
            let pairs: Vec<(String, String)> = resp
                .headers()
                .iter()
                .filter_map(|(n, v)| Some((n.as_str().to_string(), v.to_str().ok()?.to_string())))
                .collect();
            // drain the body so the connection is reused
            let _ = resp.bytes().await;
            shared.record_answer(c, fi, status, &pairs, sent);
            wait(legs.back).await;
            Some((status, pairs))
        };
        match tokio::time::timeout(limit, send).await {
            Ok(Some((status, pairs))) => Raw::Answer(status, pairs),
            Ok(None) => Raw::TimedOut,
            Err(_) if timeout <= horizon_left => Raw::TimedOut,
            Err(_) => Raw::Horizon,
        }
    }
}

/// The result the policies see of `raw`, an attempt of round `n` (sent at `sent`) of logical
/// request `req` first sent at `first_sent`: the answer's `Retry-After` / `X-RateLimit-*` /
/// `RateLimit` headers read as the fleet reads them, or a timeout (recorded); the fleet's gate
/// is told. `None`: the horizon came first.
pub(super) fn settle(
    shared: &Shared,
    who: &Who<'_>,
    raw: Raw,
    (req, n, sent, first_sent): (u32, u32, Nanos, Nanos),
) -> Option<AttemptResult> {
    let now = shared.log.now();
    let result = match raw {
        Raw::Horizon => return None,
        Raw::TimedOut => {
            shared.log.push(who.client, who.fi, Ev::Timeout);
            AttemptResult {
                elapsed: now - first_sent,
                ..AttemptResult::timeout()
            }
        }
        Raw::Answer(status, pairs) => {
            let refs: Vec<(&str, &str)> = pairs
                .iter()
                .map(|(n, v)| (n.as_str(), v.as_str()))
                .collect();
            let mut r = AttemptResult::status(status);
            match &who.fleet.headers {
                Some(h) => {
                    if let Ok(x) = h.read(&refs, unix_now()) {
                        r.retry_after = x.wait;
                        r.reset_after = x.info.reset_after;
                    }
                }
                None => {
                    if let Ok(info) = parse(&refs, unix_now(), &ParseOptions::default()) {
                        r.retry_after = info.retry_after;
                        r.reset_after = info.reset_after;
                    }
                }
            }
            r.elapsed = now - first_sent;
            r
        }
    };
    if let Some(mut g) = shared.gate(usize::from(who.fi)) {
        g.observe_call(&GateCall::outcome(now, who.client, req, n, sent), &result);
    }
    Some(result)
}

/// The network delays of attempt `attempt` of `who`'s logical request `req` (the live
/// client's count): the simulator's draws for the attempt it names alike (an open-loop
/// client's numbered request), else draws of their own ([`super::network`]).
pub(super) fn legs(shared: &Shared, who: &Who<'_>, req: u32, attempt: u32) -> Legs {
    let Some(net) = &shared.network else {
        return Legs::default();
    };
    match who.numbered {
        Some((i, n)) => net.legs(AttemptId::named(&who.fleet.name, i, n, attempt), true),
        None => net.legs(
            AttemptId::named(&who.fleet.name, who.client, req, attempt),
            false,
        ),
    }
}

/// The time limits of an attempt sent at `sent`: its timeout (the fleet's, cut to the
/// logical request's `deadline`) and the time left to the run's horizon.
pub(super) fn limits(
    who: &Who<'_>,
    sent: Nanos,
    deadline: Nanos,
    horizon: Nanos,
) -> (Duration, Duration) {
    let timeout_at = who
        .fleet
        .timeout
        .map_or(deadline, |t| (sent + t).min(deadline));
    (
        dur(timeout_at.saturating_sub(sent)),
        dur(horizon.saturating_sub(sent)),
    )
}

pub(super) fn dur(n: Nanos) -> Duration {
    Duration::from(n)
}
