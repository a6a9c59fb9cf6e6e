//! Finagle's `RetryBudget` (com.twitter.finagle.service.RetryBudget, default
//! `RetryBudget(ttl = 10.seconds, minRetriesPerSec = 10, percentCanRetry = 0.2)`): about 20 %
//! of requests may be retried on top of a reserve of 10 retries per second, and deposits
//! expire after the TTL.
//!
//! Finagle's integer arithmetic, kept exactly: with `ScaleFactor = 1000`, each request deposits
//! 1000, a retry withdraws `1000 / percentCanRetry` (5000 at 20 %), and the balance is
//! `sum + reserve` with `reserve = minRetriesPerSec * ttl_secs * withdrawal` (500 000 by
//! default, i.e. 100 retries per 10 s). The sum is a `WindowedAdder` over the TTL in 10 slices
//! ([`SlicedWindow`]), so both deposits and withdrawals expire after about `ttl`. Deposits are
//! made for first attempts (Finagle's `RetryFilter` deposits once per request).

use crate::client::gate::outcome::legacy_gate_methods;
use crate::client::gate::SlicedWindow;
use crate::retry::{AttemptResult, ClientGate, GateCall, GateDecision};
use limiters::Nanos;
use rand::RngCore;

/// `RetryBudget.apply(ttl, minRetriesPerSec, percentCanRetry)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FinagleBudgetConfig {
    /// Deposits expire after about this long (Finagle requires 1 s to 60 s; default 10 s).
    pub ttl: Nanos,
    /// Retries per second always allowed (default 10).
    pub min_retries_per_sec: u32,
    /// Retries allowed per 1000 requests (`percentCanRetry * 1000`; default 200 = 20 %).
    pub percent_can_retry_milli: u32,
}

impl Default for FinagleBudgetConfig {
    fn default() -> FinagleBudgetConfig {
        FinagleBudgetConfig {
            ttl: Nanos::from_secs(10),
            min_retries_per_sec: 10,
            percent_can_retry_milli: 200,
        }
    }
}

const SCALE: i64 = 1000;

/// The budget, as a [`ClientGate`].
///
/// ```
/// use sim::client::gate::{FinagleBudget, FinagleBudgetConfig};
/// use limiters::Nanos;
/// let mut b = FinagleBudget::new(FinagleBudgetConfig::default());
/// assert_eq!(b.balance(Nanos::ZERO), 100); // the reserve: 10/s over 10 s
/// for _ in 0..50 { b.deposit(Nanos::ZERO); }
/// assert_eq!(b.balance(Nanos::ZERO), 110); // + 20% of 50
/// ```
#[derive(Clone, Debug)]
pub struct FinagleBudget {
    window: SlicedWindow,
    deposit: i64,
    withdrawal: i64,
    reserve: i64,
}

impl FinagleBudget {
    /// A budget with no deposits yet.
    pub fn new(cfg: FinagleBudgetConfig) -> FinagleBudget {
        let (deposit, withdrawal) = if cfg.percent_can_retry_milli == 0 {
            (0, 1)
        } else {
            // (ScaleFactor / percentCanRetry).toInt
            (
                SCALE,
                (SCALE * SCALE / i64::from(cfg.percent_can_retry_milli)).max(1),
            )
        };
        let ttl_secs = cfg.ttl.as_secs() as i64;
        FinagleBudget {
            window: SlicedWindow::new(Nanos(cfg.ttl.as_nanos() / 10), 10),
            deposit,
            withdrawal,
            reserve: i64::from(cfg.min_retries_per_sec) * ttl_secs * withdrawal,
        }
    }
    /// A request: credit future retries.
    pub fn deposit(&mut self, now: Nanos) {
        self.window.add(now, self.deposit);
    }
    /// Take one retry if the balance allows.
    pub fn try_withdraw(&mut self, now: Nanos) -> bool {
        let ok = self.window.sum(now) + self.reserve >= self.withdrawal;
        if ok {
            self.window.add(now, -self.withdrawal);
        }
        ok
    }
    /// Retries that could be made now.
    pub fn balance(&mut self, now: Nanos) -> i64 {
        (self.window.sum(now) + self.reserve) / self.withdrawal
    }
}

impl ClientGate for FinagleBudget {
    legacy_gate_methods!();

    fn admit_call(&mut self, call: &GateCall, _rng: &mut dyn RngCore) -> GateDecision {
        if !call.is_retry() {
            self.deposit(call.now);
            GateDecision::Allow
        } else if self.try_withdraw(call.now) {
            GateDecision::Allow
        } else {
            GateDecision::Deny
        }
    }

    fn observe_call(&mut self, _call: &GateCall, _result: &AttemptResult) {}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reserve_then_twenty_percent_then_expiry() {
        let mut b = FinagleBudget::new(FinagleBudgetConfig::default());
        let t0 = Nanos::ZERO;
        // The reserve alone: exactly 100 retries in the first window.
        for i in 0..100 {
            assert!(b.try_withdraw(t0), "retry {i}");
        }
        assert!(!b.try_withdraw(t0));
        // Five requests buy one retry.
        for _ in 0..5 {
            b.deposit(t0);
        }
        assert!(b.try_withdraw(t0));
        assert!(!b.try_withdraw(t0));
        // After the TTL the withdrawals expired: the reserve is back.
        assert_eq!(b.balance(Nanos::from_secs(10)), 100);
        // A deposit at 10.5 s (slice [10 s, 11 s)) is there at 19.9 s, gone at 20 s.
        b.deposit(Nanos::from_millis(10_500));
        assert_eq!(b.window.sum(Nanos::from_millis(19_900)), 1000);
        assert_eq!(b.window.sum(Nanos::from_secs(20)), 0);
    }

    #[test]
    fn zero_percent_leaves_only_the_reserve() {
        let mut b = FinagleBudget::new(FinagleBudgetConfig {
            percent_can_retry_milli: 0,
            min_retries_per_sec: 1,
            ttl: Nanos::from_secs(2),
        });
        for _ in 0..100 {
            b.deposit(Nanos::ZERO);
        }
        assert_eq!(b.balance(Nanos::ZERO), 2);
    }
}
