//! What a run of a scenario will allocate, estimated from the scenario alone, so a command can
//! refuse a run that cannot fit before it allocates anything (a 7.2 M-bucket run needed more
//! than 9 GB and was killed by the OS half way, after minutes).
//!
//! The figures are peak resident sizes of `throttlelab run --no-report` measured with
//! `/usr/bin/time -f %M` (debug build, the tables written; see BENCHMARKS.md), rounded up:
//!
//! | what                           | measured                     | counted here |
//! |--------------------------------|------------------------------|--------------|
//! | one time bucket, one fleet     | 2.5 KB (1 M buckets: 2.53 GB)| 2,600 B      |
//! | each further fleet, per bucket | 1.2 KB (2 fleets: 3.75 GB)   | 1,300 B      |
//! | one client (busy)              | 353 B (1 M: 371 MB; release: 1 M 356 MB, 3 M 877 MB, 10 M 1.95 GB) | 400 B |
//! | one arrival-count slot, per fleet | 36 B (1 M slots: 54 MB)   | 40 B         |
//! | the program itself             | 18 MB                        | 32 MiB       |
//! | a deployment's replica (`[deployment]`) | not measured: counted from sizes | 16 KiB + 96 B a key and level |
//! | a closed-loop worker (`concurrency`) | 494 B (2.4 M workers, 2 s: 1.18 GB) | 512 B |
//!
//! Requests in flight are not counted where they depend on how the run goes, not on what it
//! asks (the stall guard in the engine stops a run whose queue grows without time advancing);
//! a closed loop's are what it asks: each of its `count x concurrency` workers always has one.

use crate::model::Scenario;
use std::fmt;

/// Bytes of a time bucket with one fleet.
const PER_BUCKET: u64 = 2_600;
/// Bytes of a time bucket for every fleet after the first.
const PER_BUCKET_FLEET: u64 = 1_300;
/// Bytes of a client (its state, its result row; its table row is written a row group at a
/// time, report's `tables::row_groups`: 650 B a client before, when the whole table was
/// built at once).
const PER_CLIENT: u64 = 400;
/// Bytes of one closed-loop worker: its logical request always in flight, with its events.
const PER_CLOSED_WORKER: u64 = 512;
/// Bytes of an arrival-count slot of one fleet.
const PER_ARRIVAL_SLOT: u64 = 40;
/// Bytes of a deployment's replica (its server, backend and balancer slot), from the sizes of
/// its parts rather than measured.
const PER_REPLICA: u64 = 16 << 10;
/// Bytes of a limiter state (boxed, with its slot) of one key at one level of one replica.
const PER_REPLICA_KEY: u64 = 96;
/// The program, before the scenario asks for anything.
const BASE: u64 = 32 << 20;

/// Memory any command may use unless told otherwise (`--max-memory`).
pub const DEFAULT_MAX_MEMORY: u64 = 4 << 30;

/// A run's memory, by what asks for it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MemoryEstimate {
    /// Time buckets (duration / bucket).
    pub buckets: u64,
    /// Fleets.
    pub fleets: u64,
    /// Clients over all fleets.
    pub clients: u64,
    /// Closed-loop workers over all fleets (`count x concurrency`), each always in flight.
    pub workers: u64,
    /// Bytes of the time series.
    pub series_bytes: u64,
    /// Bytes of the clients (and of their tenants' counters).
    pub client_bytes: u64,
    /// Bytes of the arrival counts.
    pub arrival_bytes: u64,
    /// Bytes of a deployment's replicas (0 without `[deployment]`): each keeps its own limiter
    /// states, one per key (or tenant) and level.
    pub replica_bytes: u64,
    /// Everything, with the program itself.
    pub bytes: u64,
}

impl Scenario {
    /// Estimate the memory a run of this scenario allocates (saturating: never overflows).
    ///
    /// ```
    /// use sim::model::{Arrival, Fleet, Scenario};
    /// use limiters::Nanos;
    /// let mut s = Scenario::new("m");
    /// s.duration = Nanos::from_secs(7_200);
    /// s.bucket = Nanos::from_millis(1);
    /// s.fleets.push(Fleet::new("web", 1, Arrival::Poisson { rate: "1/s".parse().unwrap() }));
    /// let m = s.memory_estimate();
    /// assert_eq!(m.buckets, 7_200_000);
    /// assert!(m.bytes > 9 << 30 && m.bytes < 20 << 30);
    /// // Replicas keep a limiter state per key and level each.
    /// s.fleets[0].count = 1_000_000;
    /// s.deployment = Some(sim::model::Deployment::new(63, 1));
    /// s.server.levels.push(sim::model::Level::new(
    ///     sim::model::Scope::Key, "token_bucket", limiters::Params::new()));
    /// assert!(s.memory_estimate().replica_bytes > 6_000_000_000);
    /// // A closed loop keeps count x concurrency requests in flight, always.
    /// let mut c = Scenario::new("closed");
    /// let closed = Arrival::Closed { concurrency: 1_000_000, think: Default::default() };
    /// c.fleets.push(Fleet::new("web", 24, closed));
    /// assert!(c.memory_estimate().client_bytes > 12_000_000_000);
    /// ```
    pub fn memory_estimate(&self) -> MemoryEstimate {
        let buckets = self.duration.0 / self.bucket.0.max(1);
        let slots = self.duration.0 / self.arrival_resolution.0.max(1);
        let fleets = self.fleets.len() as u64;
        let clients = self
            .fleets
            .iter()
            .fold(0u64, |a, f| a.saturating_add(u64::from(f.count)));
        let per_bucket =
            PER_BUCKET.saturating_add(PER_BUCKET_FLEET.saturating_mul(fleets.saturating_sub(1)));
        let series_bytes = buckets.saturating_mul(per_bucket);
        // Per-tenant counters (at most one tenant slot per client): one per status the run
        // can answer (each level's, each fault's, 409, 503, 504), a latency row each while
        // tenants are few (`crate::metrics::tenant_bytes`).
        let tenants = crate::client::IdSpaces::new(&self.fleets).tenant_slots();
        let statuses = (self.server.levels.len() + self.faults.len() + 3) as u64;
        let workers = self.fleets.iter().fold(0u64, |a, f| match f.arrival {
            crate::model::Arrival::Closed { concurrency, .. } => {
                a.saturating_add(u64::from(f.count).saturating_mul(u64::from(concurrency)))
            }
            _ => a,
        });
        // A replayed log's arrival times (shared by every run of it, counted here once).
        let traces = self.fleets.iter().fold(0u64, |a, f| match &f.arrival {
            crate::model::Arrival::Trace(t) => a.saturating_add(t.bytes()),
            _ => a,
        });
        let client_bytes = clients
            .saturating_mul(PER_CLIENT)
            .saturating_add(traces)
            .saturating_add(workers.saturating_mul(PER_CLOSED_WORKER))
            .saturating_add(crate::metrics::tenant_bytes(u64::from(tenants), statuses));
        let arrival_bytes = slots
            .saturating_mul(fleets)
            .saturating_mul(PER_ARRIVAL_SLOT);
        let replica_bytes = self.deployment.as_ref().map_or(0, |d| {
            // The exact one-server hierarchy the figures compare against counts as one more.
            let states = clients
                .max(1)
                .saturating_mul(self.server.levels.len() as u64)
                .saturating_mul(PER_REPLICA_KEY);
            (u64::from(d.replicas) + 1).saturating_mul(PER_REPLICA.saturating_add(states))
        });
        MemoryEstimate {
            replica_bytes,
            workers,
            buckets,
            fleets,
            clients,
            series_bytes,
            client_bytes,
            arrival_bytes,
            bytes: BASE
                .saturating_add(series_bytes)
                .saturating_add(client_bytes)
                .saturating_add(arrival_bytes)
                .saturating_add(replica_bytes),
        }
    }
}

impl MemoryEstimate {
    /// `Ok` when the estimate is within `limit` bytes, else a sentence naming the estimate, what
    /// makes it up and how to lower it.
    pub fn within(&self, limit: u64) -> Result<(), String> {
        if self.bytes <= limit {
            return Ok(());
        }
        Err(format!(
            "a run needs about {} ({}), more than the limit of {}: use a wider `bucket` or \
             `arrival_resolution`, fewer clients, or raise the limit with --max-memory",
            Bytes(self.bytes),
            self,
            Bytes(limit)
        ))
    }
}

impl fmt::Display for MemoryEstimate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} time buckets x {} fleet{}: {}; {} clients{}: {}; arrival counts: {}",
            self.buckets,
            self.fleets,
            if self.fleets == 1 { "" } else { "s" },
            Bytes(self.series_bytes),
            self.clients,
            if self.workers > 0 {
                format!(" ({} closed-loop workers)", self.workers)
            } else {
                String::new()
            },
            Bytes(self.client_bytes),
            Bytes(self.arrival_bytes)
        )?;
        if self.replica_bytes > 0 {
            write!(f, "; replicas: {}", Bytes(self.replica_bytes))?;
        }
        Ok(())
    }
}

/// A byte count in binary units, one decimal (`1.5 GiB`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Bytes(pub u64);

impl fmt::Display for Bytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
        let mut v = self.0 as f64;
        let mut u = 0;
        while v >= 1024.0 && u + 1 < UNITS.len() {
            v /= 1024.0;
            u += 1;
        }
        if u == 0 {
            write!(f, "{} B", self.0)
        } else {
            write!(f, "{v:.1} {}", UNITS[u])
        }
    }
}

/// Parse a byte size: a whole number with an optional unit `K`, `M`, `G`, `T` (binary
/// multiples; `KiB`, `KB`, `k` are read the same), as `--max-memory` takes it.
///
/// ```
/// use sim::memory::parse_bytes;
/// assert_eq!(parse_bytes("16G"), Ok(16 << 30));
/// assert_eq!(parse_bytes("512MiB"), Ok(512 << 20));
/// assert_eq!(parse_bytes("1000"), Ok(1000));
/// assert!(parse_bytes("lots").is_err());
/// ```
pub fn parse_bytes(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: u64 = num
        .parse()
        .map_err(|_| format!("`{text}`: expected a size such as 512M or 16G"))?;
    let shift = match unit.trim().to_ascii_uppercase().as_str() {
        "" | "B" => 0,
        "K" | "KB" | "KIB" => 10,
        "M" | "MB" | "MIB" => 20,
        "G" | "GB" | "GIB" => 30,
        "T" | "TB" | "TIB" => 40,
        _ => return Err(format!("`{text}`: unknown unit (use K, M, G or T)")),
    };
    n.checked_mul(1u64 << shift)
        .ok_or_else(|| format!("`{text}`: too large"))
}

#[cfg(test)]
mod tests;
