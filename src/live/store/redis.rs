//! Limiter state in Redis, shared by every `serve` process pointing at the same server.
//!
//! One Lua script (`check.lua`) decides a request over all its levels atomically (Redis runs a
//! script without interleaving), with the same arithmetic as the in-crate `token_bucket`,
//! `gcra`, `sliding_log` and `fixed_window` ([`SUPPORTED`]): the same sequence of `(now, cost)`
//! gets the same decisions (tested in `tests/live/live_redis.rs` by replaying sequences through both
//! with an explicit `now`). Other algorithms (`quota`, `concurrency`, `sliding_counter`,
//! `leaky_bucket`, adaptive ones) are refused at startup with an error naming the level, never
//! run with different semantics.
//!
//! Levels a request does not count ([`SKIP`]: per-fleet levels of other fleets, levels charged
//! on completion at admission time) are left out of the script call, so they are neither
//! charged nor part of the all-admit rule, exactly as in the memory store.
//!
//! Clock choice: the script reads Redis's own `TIME`. Several `serve` processes (possibly on
//! several hosts) then judge every request on one clock, so the shared limit cannot be
//! over-admitted by clock skew between processes; the price is that a Redis clock step back is
//! clamped (judged as the latest time seen, as the in-crate algorithms do), never credited.
//! `fixed_window` windows start at `align + k * period` of Unix time ("the top of the minute",
//! the same boundaries for every process), where the memory store counts from server start.
//!
//! The script is sent with `EVALSHA` and loaded on `NOSCRIPT` (`redis::Script`), so the source
//! crosses the network once per Redis server. Every call has a timeout; a failed call drops
//! the connection, checked before use after an idle spell (see [`super::redis_conn`]);
//! a failed reconnection is retried at most every [`RECONNECT_BACKOFF`].
//!
//! Without persistence (RDB or AOF), limits held in Redis are lost when it restarts: every
//! key's window, bucket and quota starts again full.

use super::super::config::Level;
use super::{SKIP, SKIPPED};
use anyhow::{anyhow, bail, Result};
use limiters::quota::Period;
use limiters::{Decision, Nanos, Outcome, OutcomeKind, Registry};
use std::time::Duration;

/// Lua doubles hold integers exactly below 2^53; parameters must keep every product below it.
const LUA_EXACT: u64 = 1 << 53;

use super::redis_conn::Link;
#[cfg(doc)]
use super::redis_conn::RECONNECT_BACKOFF;

/// One second in nanoseconds.
const SECOND: u64 = 1_000_000_000;

/// The algorithms `check.lua` implements, by registered name.
pub const SUPPORTED: [&str; 5] = [
    "token_bucket",
    "gcra",
    "sliding_log",
    "fixed_window",
    "quota",
];

/// Added to a quota's period code when it refunds failed requests (see `check.lua`).
const REFUNDS: u64 = 4;

/// The script source.
pub const SCRIPT: &str = include_str!("check.lua");

/// A level as the script needs it: algorithm name and three integer arguments.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScriptLevel {
    /// One of [`SUPPORTED`].
    pub algorithm: &'static str,
    /// The algorithm's integer arguments (see `check.lua`).
    pub args: [u64; 3],
}

impl ScriptLevel {
    /// A quota that refunds failed requests (the only script level a release changes).
    pub fn refunds(&self) -> bool {
        self.algorithm == "quota" && self.args[1] >= REFUNDS
    }

    /// Translate a configured level, refusing algorithms the script does not implement and
    /// parameters too large for exact Lua arithmetic.
    pub fn from_level(level: &Level, registry: &Registry) -> Result<ScriptLevel> {
        let built = registry.build(&level.algorithm, &level.params)?;
        // `limit` of an idle peek is the burst (token_bucket, gcra) or the limit (sliding_log,
        // fixed_window), after the factory applied its defaults.
        let limit = built.peek(Nanos::ZERO, 0).limit;
        let sl = match level.algorithm.as_str() {
            "token_bucket" | "gcra" => {
                let rate = level.params.rate("rate")?;
                // the emission interval `T` of limiters::TokenBucket and limiters::Gcra
                let interval = rate.time_for(1).as_nanos();
                let cap = interval.saturating_mul(limit);
                if cap >= LUA_EXACT / 2 {
                    bail!(
                        "limiter `{}`: burst * interval = {cap}ns is too large for the Redis \
                         store (keep it under 52 days)",
                        level.algorithm
                    );
                }
                let algorithm = if level.algorithm == "gcra" {
                    "gcra"
                } else {
                    "token_bucket"
                };
                ScriptLevel {
                    algorithm,
                    args: [interval, limit, cap],
                }
            }
            "sliding_log" => {
                let window = level.params.positive_duration("window")?.as_nanos();
                if window >= LUA_EXACT / 4 {
                    bail!("limiter `sliding_log`: window too long for the Redis store");
                }
                ScriptLevel {
                    algorithm: "sliding_log",
                    args: [limit, window, 0],
                }
            }
            "fixed_window" => {
                let period = level.params.positive_duration("period")?.as_nanos();
                let align = level.params.duration_or("align", Nanos::ZERO)?.as_nanos() % period;
                if period >= LUA_EXACT / 4 {
                    bail!("limiter `fixed_window`: period too long for the Redis store");
                }
                // windows align to Unix time on Redis's clock; the script finds the phase
                // exactly only for these periods (every period a scenario names in s/m/h/d)
                if period % SECOND != 0 && !SECOND.is_multiple_of(period) {
                    bail!(
                        "limiter `fixed_window`: period {period}ns is neither a whole number of \
                         seconds nor a divisor of one second, which the Redis store needs to \
                         align windows to Unix time"
                    );
                }
                ScriptLevel {
                    algorithm: "fixed_window",
                    args: [limit, period, align],
                }
            }
            "quota" => {
                // `epoch` (the scenario's calendar start, which the scenario loader always
                // sets) only places simulated time on the calendar: in TIME mode the script
                // reads the calendar from Redis's clock, the one clock all processes share
                let period: Period = level.params.str_or("period", "month")?.parse()?;
                if level.params.u64_or("used_at_start", 0)? != 0 {
                    bail!("limiter `quota`: `used_at_start` is not implemented by the Redis store");
                }
                let code = match period {
                    Period::None => 0,
                    Period::Day => 1,
                    Period::Month => 2,
                    Period::Week | Period::Year => bail!(
                        "limiter `quota`: period `{period}` is not implemented by the Redis \
                         store (day, month and none are)"
                    ),
                } + if level.params.bool_or("refund_on_failure", false)? {
                    REFUNDS
                } else {
                    0
                };
                if limit >= LUA_EXACT / 4 {
                    bail!("limiter `quota`: limit too large for the Redis store");
                }
                ScriptLevel {
                    algorithm: "quota",
                    args: [limit, code, 0],
                }
            }
            other => bail!(
                "limiter `{other}` cannot live in Redis: the Redis store implements {} (run it \
                 with the in-memory store, `--store memory`)",
                SUPPORTED.join(", ")
            ),
        };
        Ok(sl)
    }
}

/// Limiter state in Redis.
pub struct RedisStore {
    link: Link,
    script: redis::Script,
    levels: Vec<ScriptLevel>,
    names: Vec<String>,
    prefix: String,
    timeout: Duration,
}

impl std::fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisStore")
            .field("levels", &self.levels)
            .field("prefix", &self.prefix)
            .finish()
    }
}

impl RedisStore {
    /// A store at `url` (no connection is made yet: an unreachable Redis at startup is handled
    /// like one that goes away later, by the configured failure mode).
    pub fn new(url: &str, levels: &[Level], timeout: Duration, prefix: &str) -> Result<RedisStore> {
        let client = redis::Client::open(url).map_err(|e| anyhow!("--store {url}: {e}"))?;
        let registry = Registry::builtin();
        let script_levels = levels
            .iter()
            .map(|l| ScriptLevel::from_level(l, &registry))
            .collect::<Result<Vec<_>>>()?;
        let names = levels
            .iter()
            .enumerate()
            .map(|(i, l)| format!("{prefix}:{i}:{}:{}", l.algorithm, l.scope))
            .collect();
        Ok(RedisStore {
            link: Link::new(client, timeout),
            script: redis::Script::new(SCRIPT),
            levels: script_levels,
            names,
            prefix: prefix.to_string(),
            timeout,
        })
    }

    /// Decide over every level (see [`super::MemoryStore::decide`] for the semantics), on
    /// Redis's clock (`TIME`). (The script also takes an explicit `now`, which
    /// `tests/live/live_redis.rs` uses to replay sequences against the in-crate algorithms.)
    ///
    /// A level whose id is [`super::SKIP`] is not sent to the script at all: it admits without
    /// limit ([`super::SKIPPED`]), is not charged, and takes no part in the all-admit rule, as in
    /// the memory store. A request that no level counts does not touch Redis.
    pub async fn decide(&self, ids: &[&str], cost: u32, charge: bool) -> Result<Vec<Decision>> {
        if ids.len() != self.levels.len() {
            bail!(
                "internal: {} scope ids for {} levels",
                ids.len(),
                self.levels.len()
            );
        }
        let counted: Vec<usize> = (0..ids.len()).filter(|i| ids[*i] != SKIP).collect();
        let mut out = vec![SKIPPED; ids.len()];
        if counted.is_empty() {
            return Ok(out);
        }
        let mode = if charge { "check" } else { "peek" };
        let values = self.run(mode, &counted, ids, cost, None).await?;
        let decisions = parse_decisions(&values, counted.len())?;
        for (i, d) in counted.into_iter().zip(decisions) {
            out[i] = d;
        }
        Ok(out)
    }

    /// An admitted request ended: refund its cost to the quota levels that refund failures
    /// (`Quota::release`; every other algorithm the script runs ignores a release, as in the
    /// crate). Nothing is sent to Redis for any other outcome or configuration.
    pub async fn release(&self, ids: &[&str], cost: u32, outcome: Outcome) -> Result<()> {
        if outcome.kind != OutcomeKind::Failure {
            return Ok(());
        }
        let counted: Vec<usize> = (0..ids.len().min(self.levels.len()))
            .filter(|i| ids[*i] != SKIP && self.levels[*i].refunds())
            .collect();
        if counted.is_empty() {
            return Ok(());
        }
        let latency = outcome.latency.as_nanos();
        self.run("release", &counted, ids, cost, Some(latency))
            .await
            .map(|_| ())
    }

    /// One script call over the levels `counted` (indices into the configuration); a failed
    /// call drops the connection.
    async fn run(
        &self,
        mode: &str,
        counted: &[usize],
        ids: &[&str],
        cost: u32,
        extra: Option<u64>,
    ) -> Result<Vec<i64>> {
        let (mut conn, id) = self.link.get().await?;
        let mut inv = self.script.prepare_invoke();
        for &i in counted {
            let (name, id) = (&self.names[i], ids[i]);
            inv.key(format!("{name}:{{{id}}}"));
            inv.key(format!("{name}:{{{id}}}:log"));
        }
        inv.arg(mode).arg("").arg(cost).arg(counted.len());
        for &i in counted {
            let l = &self.levels[i];
            inv.arg(l.algorithm)
                .arg(l.args[0])
                .arg(l.args[1])
                .arg(l.args[2]);
        }
        if let Some(x) = extra {
            inv.arg(x);
        }
        let answer = match tokio::time::timeout(self.timeout, inv.invoke_async(&mut conn)).await {
            Ok(Ok(v)) => Ok(v),
            Ok(Err(e)) => Err(anyhow!("redis script: {e}")),
            Err(_) => Err(anyhow!("redis call timed out after {:?}", self.timeout)),
        };
        match &answer {
            Ok(_) => self.link.ok(),
            Err(_) => self.link.failed(id).await,
        }
        answer
    }
}

/// Five integers per level -> decisions.
fn parse_decisions(values: &[i64], levels: usize) -> Result<Vec<Decision>> {
    if values.len() != levels * 5 {
        bail!(
            "redis script answered {} values for {levels} levels",
            values.len()
        );
    }
    let n = |v: i64| Nanos(u64::try_from(v).unwrap_or(0));
    Ok(values
        .chunks(5)
        .map(|c| Decision {
            allowed: c[0] == 1,
            delay: Nanos::ZERO,
            limit: u64::try_from(c[1]).unwrap_or(0),
            remaining: u64::try_from(c[2]).unwrap_or(0),
            // -1: never (a quota balance)
            reset_after: if c[3] < 0 { Nanos::MAX } else { n(c[3]) },
            retry_after: (c[4] >= 0).then(|| n(c[4])),
        })
        .collect())
}

#[cfg(test)]
mod tests;
