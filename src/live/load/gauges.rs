//! The server's gauges during a live run, sampled once per time-series bucket and fed into the
//! recorder where a simulated run puts its own (`queue_len`, `busy`, `limiter_remaining`,
//! `limiter_limit` of the total rows), and its wasted work brought into the run's figures.
//!
//! Where the readings come from ([`Source`]): a server in this process is read directly
//! (`check-live`); a separately started `serve` is scraped at `/metrics` on the target, or
//! where `load --metrics URL` says (`serve --metrics-addr`), with `--metrics-token` as a
//! bearer token when given (on loopback, a few hundred bytes per bucket). A reading at time 0 tells whether the target
//! reports the gauges at all; one that does not (not a throttlelab server) leaves the columns
//! empty, and the run's warnings say so.
//!
//! How they line up with the simulator's: the simulator samples at each bucket's end; here a
//! task wakes at each bucket edge and the reading is filed under that edge (the milliseconds
//! of wake-up and scrape latency are ignored). A bucket whose reading is missing (a slow or
//! failed scrape) holds the previous reading. The limiter columns show the first level's state
//! for its one global id, or for the key (tenant) with the most decisions in the bucket, the
//! live counterpart of the simulator's hottest key, looked at when read (with the memory store;
//! with Redis, as of that id's latest decision), as the simulator peeks its limiter at the
//! bucket's end.
//!
//! Wasted work is the server's counter over the run (its value at the horizon less its value
//! at the start). The server does not know fleets: with several fleets the total is split in
//! proportion to each fleet's timed-out attempts and abandoned hedge copies (the attempts that
//! can be wasted).

use crate::live::app::App;
use crate::live::gauges::ServerSample;
use limiters::Nanos;
use sim::metrics::Recorder;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Longest wait for one `/metrics` scrape.
const SCRAPE_TIMEOUT: Duration = Duration::from_secs(1);

/// Where the server's readings come from.
#[derive(Debug)]
pub enum Source {
    /// A server in this process: read its counters directly.
    InProcess(Arc<App>),
    /// A server elsewhere: scrape its `/metrics`.
    Scrape {
        /// The `/metrics` URL.
        url: reqwest::Url,
        /// A client of its own (the fleet's pool stays the fleet's).
        http: reqwest::Client,
        /// Sent as `Authorization: Bearer <token>` (`serve --metrics-token`).
        token: Option<String>,
    },
}

impl Source {
    /// Scrape the server's metrics at `url` (with `token`, if any).
    pub fn scrape(url: reqwest::Url, token: Option<String>) -> Option<Source> {
        Some(Source::Scrape {
            url,
            http: reqwest::Client::builder()
                .timeout(SCRAPE_TIMEOUT)
                .build()
                .ok()?,
            token,
        })
    }

    /// One reading; `None` if the server does not report the gauges or does not answer.
    pub async fn read(&self) -> Option<ServerSample> {
        match self {
            Source::InProcess(app) => {
                app.refresh_limiter_gauges().await;
                Some(app.metrics.sample())
            }
            Source::Scrape { url, http, token } => {
                let mut req = http.get(url.clone());
                if let Some(t) = token {
                    req = req.bearer_auth(t);
                }
                let r = req.send().await.ok()?;
                if !r.status().is_success() {
                    return None;
                }
                ServerSample::parse(&r.text().await.ok()?)
            }
        }
    }
}

/// The readings of one run.
#[derive(Debug, Default)]
pub struct Samples {
    /// At time 0.
    pub start: Option<ServerSample>,
    /// At bucket edge `k * bucket` (k >= 1, before the horizon), by `k`.
    pub edges: BTreeMap<u64, ServerSample>,
    /// At the horizon (or where the run stopped).
    pub end: Option<ServerSample>,
}

/// Read `source` at every bucket edge before `horizon` (counted from `start`) into `into`;
/// runs until the horizon or until aborted.
pub async fn sample_edges(
    source: Arc<Source>,
    start: Instant,
    bucket: Nanos,
    horizon: Nanos,
    into: Arc<Mutex<Samples>>,
) {
    let bucket = bucket.max(Nanos(1));
    let mut k = 1u64;
    while let Some(edge) = bucket.0.checked_mul(k).filter(|e| *e < horizon.0) {
        tokio::time::sleep_until((start + Duration::from_nanos(edge)).into()).await;
        if let Some(s) = source.read().await {
            lock(&into).edges.insert(k, s);
        }
        // an edge already passed (a slow reading) is skipped: its bucket holds this reading
        let now = u64::try_from(start.elapsed().as_nanos()).unwrap_or(u64::MAX);
        k = (k + 1).max(now / bucket.0 + 1);
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// `(queue_len, busy, limiter (remaining, limit))` at one bucket's end.
type Gauges = (u64, u64, Option<(u64, u64)>);

/// Feeds the readings into a recorder as the log is replayed (see [`super::record`]).
#[derive(Debug, Default)]
pub struct Feed {
    /// Per edge (time, gauges), in time order.
    edges: Vec<(Nanos, Gauges)>,
    next: usize,
    last: Gauges,
    end: Option<Gauges>,
    /// The target reports its gauges.
    present: bool,
    /// Wasted attempts and their service time over the run.
    wasted: (u64, u64),
}

/// The gauges of reading `s`, whose predecessor is `prev`: the limiter's for the id with the
/// most decisions between them (ties: the first id), or, with no decision at all, for the
/// previous hottest id `hot` (which this updates).
fn reading<'a>(s: &'a ServerSample, prev: &ServerSample, hot: &mut Option<&'a String>) -> Gauges {
    let mut best = 0u64;
    for (id, l) in &s.first_level {
        let before = prev.first_level.get(id).map_or(0, |p| p.decisions);
        let n = l.decisions.saturating_sub(before);
        if n > best {
            best = n;
            *hot = Some(id);
        }
    }
    let limiter = hot.and_then(|id| s.first_level.get(id));
    (s.queue_len, s.busy, limiter.map(|l| (l.remaining, l.limit)))
}

impl Feed {
    /// No readings: the recorder's server columns stay empty.
    pub fn none() -> Feed {
        Feed::default()
    }

    /// The readings of a run in buckets of `bucket`.
    pub fn new(samples: &Samples, bucket: Nanos) -> Feed {
        let Some(first) = &samples.start else {
            return Feed::none();
        };
        let mut prev = first;
        let mut hot: Option<&String> = None;
        let mut edges = Vec::with_capacity(samples.edges.len());
        for (k, s) in &samples.edges {
            let g = reading(s, prev, &mut hot);
            edges.push((bucket.saturating_mul(*k), g));
            prev = s;
        }
        let end = samples.end.as_ref().map(|s| reading(s, prev, &mut hot));
        let wasted = samples.end.as_ref().map_or((0, 0), |e| {
            (
                e.wasted.saturating_sub(first.wasted),
                e.wasted_ns.saturating_sub(first.wasted_ns),
            )
        });
        Feed {
            edges,
            next: 0,
            last: (first.queue_len, first.busy, None),
            end,
            present: true,
            wasted,
        }
    }

    /// True when the target reported its gauges.
    pub fn present(&self) -> bool {
        self.present
    }

    /// Close every bucket that ends at or before `now` with its reading.
    pub fn advance(&mut self, rec: &mut Recorder, now: Nanos) {
        if !self.present {
            rec.advance(now);
            return;
        }
        self.drain(rec, now);
        let (q, b, l) = self.last;
        rec.advance_with(now, q, b, l);
    }

    /// Close the buckets of the readings at or before `now`.
    fn drain(&mut self, rec: &mut Recorder, now: Nanos) {
        while let Some(&(t, g)) = self.edges.get(self.next).filter(|(t, _)| *t <= now) {
            rec.advance_with(t, g.0, g.1, g.2);
            self.last = g;
            self.next += 1;
        }
    }

    /// Close the remaining buckets (the last with the reading at the horizon), and count the
    /// wasted work, split over fleets by their timed-out attempts `timeouts`.
    pub fn finish(&mut self, rec: &mut Recorder, timeouts: &[u64]) {
        if !self.present {
            rec.finish();
            return;
        }
        self.drain(rec, Nanos::MAX);
        let (q, b, l) = self.end.unwrap_or(self.last);
        rec.advance_with(Nanos::MAX, q, b, l);
        for (fleet, (n, ns)) in split(self.wasted, timeouts).into_iter().enumerate() {
            for i in 0..n {
                // the service time on the fleet's last wasted attempt: the sum is what counts
                rec.wasted(fleet, Nanos(if i + 1 == n { ns } else { 0 }));
            }
        }
    }
}

/// Split `(count, ns)` over fleets in proportion to `weights` (largest remainder; all to the
/// first fleet when every weight is zero).
fn split((count, ns): (u64, u64), weights: &[u64]) -> Vec<(u64, u64)> {
    let total: u64 = weights.iter().sum();
    if weights.is_empty() {
        return Vec::new();
    }
    if total == 0 {
        let mut v = vec![(0, 0); weights.len()];
        v[0] = (count, ns);
        return v;
    }
    let share = |x: u64, w: u64| (u128::from(x) * u128::from(w) / u128::from(total)) as u64;
    let mut v: Vec<(u64, u64)> = weights
        .iter()
        .map(|w| (share(count, *w), share(ns, *w)))
        .collect();
    // remainders go to the fleets with the most weight
    let mut order: Vec<usize> = (0..weights.len()).collect();
    order.sort_by_key(|i| std::cmp::Reverse(weights[*i]));
    let (mut left_n, left_ns) = (
        count - v.iter().map(|x| x.0).sum::<u64>(),
        ns - v.iter().map(|x| x.1).sum::<u64>(),
    );
    for i in &order {
        if left_n > 0 {
            v[*i].0 += 1;
            left_n -= 1;
        }
    }
    v[order[0]].1 += left_ns;
    v
}

#[cfg(test)]
mod tests;
