//! Naming a client's retry policy from its chains ([`super::chains`]).
//!
//! The evidence, in the order it is weighed:
//! 1. **Did it retry?** Under a fifth of the chains with a retry: `none`.
//! 2. **Did it wait what the server said?** Where the log records `Retry-After`, nine gaps in
//!    ten within [-5%, +50%] of the hint (a client adds its own jitter on top, never less):
//!    `retry-after`.
//! 3. **Growth**: the largest gap after second refusals over the largest after first ones. At
//!    least 1.4: exponential (the usual doubling, or 1.5 of some libraries); else fixed.
//! 4. **Spread** of the first gaps, `(max - min) / max`: above 0.1 the delays are jittered.
//!
//! The base delay of a jittered exponential is the upper end of the first gaps (AWS's "full" and
//! "equal" jitter draw below `base * 2^k`), estimated from `n` draws as `max * (n + 1) / n`,
//! the unbiased estimator of a uniform's upper bound; without jitter it is the median. The
//! delay cap is where the largest gaps stop growing, if the chains are long enough to show it; the
//! attempt cap is the longest chain that ended in a give-up.

use super::Chain;
use crate::retry::{Backoff, HonourRetryAfter, Jitter, RetryPolicy, Strategy};
use limiters::Nanos;

/// The policy classes a log can tell apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Class {
    /// Fewer refusals than [`FitParams::min_chains`]: nothing to learn from.
    Unknown,
    /// No retries.
    None,
    /// The same delay every time.
    Fixed,
    /// Growing delays, no jitter.
    Exponential,
    /// Growing delays, jittered.
    ExponentialJitter,
    /// Waits the server's `Retry-After`.
    RetryAfter,
}

impl Class {
    /// The name shown in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Class::Unknown => "unknown",
            Class::None => "none",
            Class::Fixed => "fixed",
            Class::Exponential => "exponential",
            Class::ExponentialJitter => "exponential+jitter",
            Class::RetryAfter => "retry-after",
        }
    }
}

/// Thresholds of the fit.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FitParams {
    /// Chains needed before a class is named.
    pub min_chains: usize,
}

impl Default for FitParams {
    fn default() -> Self {
        FitParams { min_chains: 3 }
    }
}

/// A fitted policy.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Fitted {
    /// The class.
    pub class: Class,
    /// The first delay (zero for none, unknown and retry-after).
    pub base: Nanos,
    /// Where the delays stop growing, if the log shows it.
    pub cap: Option<Nanos>,
    /// Attempts before giving up, the first included (the longest given-up chain; if no chain
    /// was given up, the longest chain: a lower bound, see `cap_seen`).
    pub max_attempts: u32,
    /// True if a give-up was seen (the attempt cap is then measured, not a lower bound).
    pub cap_seen: bool,
    /// Full jitter (draws from 0) rather than equal jitter (from half), for jittered classes.
    pub full_jitter: bool,
    /// Chains the fit rests on.
    pub chains: usize,
}

fn median(mut v: Vec<Nanos>) -> Option<Nanos> {
    if v.is_empty() {
        return None;
    }
    v.sort_unstable();
    Some(v[v.len() / 2])
}

/// The gaps at retry index `k` of every chain long enough.
fn at(chains: &[Chain], k: usize) -> Vec<Nanos> {
    chains
        .iter()
        .filter_map(|c| c.gaps.get(k).copied())
        .collect()
}

fn ratio(a: Nanos, b: Nanos) -> f64 {
    a.0 as f64 / b.0.max(1) as f64
}

/// Whether the gaps follow the server's hints.
fn honours_hints(chains: &[Chain]) -> bool {
    let pairs: Vec<(Nanos, Nanos)> = chains
        .iter()
        .flat_map(|c| c.gaps.iter().zip(&c.hints))
        .filter_map(|(g, h)| h.map(|h| (*g, h)))
        .collect();
    let gaps: usize = chains.iter().map(|c| c.gaps.len()).sum();
    if pairs.len() < 3 || pairs.len() * 2 < gaps {
        return false;
    }
    let close = pairs
        .iter()
        .filter(|(g, h)| {
            let r = ratio(*g, *h);
            (0.95..=1.5).contains(&r)
        })
        .count();
    close * 10 >= pairs.len() * 9
}

/// Fit one client's policy from its chains.
pub fn fit_client(chains: &[Chain], p: FitParams) -> Fitted {
    let longest = chains.iter().map(Chain::attempts).max().unwrap_or(1);
    let given_up = chains
        .iter()
        .filter(|c| !c.recovered)
        .map(Chain::attempts)
        .max();
    let mut f = Fitted {
        class: Class::Unknown,
        base: Nanos::ZERO,
        cap: None,
        max_attempts: given_up.unwrap_or(longest),
        cap_seen: given_up.is_some(),
        full_jitter: false,
        chains: chains.len(),
    };
    if chains.len() < p.min_chains {
        return f;
    }
    let retried = chains.iter().filter(|c| !c.gaps.is_empty()).count();
    if retried * 5 < chains.len() {
        f.class = Class::None;
        f.max_attempts = 1;
        return f;
    }
    if honours_hints(chains) {
        f.class = Class::RetryAfter;
        return f;
    }
    let first = at(chains, 0);
    let (Some(&lo), Some(&hi), Some(m0)) = (
        first.iter().min(),
        first.iter().max(),
        median(first.clone()),
    ) else {
        return f;
    };
    let jittered = first.len() >= 3 && ratio(hi.saturating_sub(lo), hi) > 0.1;
    // Growth and the cap are read on the largest gap at each retry index: a jittered draw is
    // below its exponential value, so the maxima follow `base * 2^k` closely where the medians
    // wander, and a fresh request mistaken for a retry only shortens a gap.
    let top = |k: usize| at(chains, k).into_iter().max();
    let growth = top(1).map(|t1| ratio(t1, hi));
    let growing = growth.is_some_and(|g| g >= 1.4);
    let n = first.len() as u64;
    f.class = match (growing, jittered) {
        (true, true) => Class::ExponentialJitter,
        (true, false) => Class::Exponential,
        (false, _) => Class::Fixed,
    };
    f.base = match f.class {
        Class::ExponentialJitter => Nanos(hi.0 / n * (n + 1) + hi.0 % n * (n + 1) / n),
        _ => m0,
    };
    f.full_jitter = jittered && ratio(lo, hi) < 0.25;
    if growing {
        // The first index whose largest gap grew less than 1.25 times: the cap was reached.
        let mut prev = hi;
        for k in 1.. {
            let Some(t) = top(k) else {
                break;
            };
            if ratio(t, prev) < 1.25 {
                f.cap = (k..).map(top).take_while(Option::is_some).flatten().max();
                break;
            }
            prev = t;
        }
    }
    f
}

impl Fitted {
    /// The fitted policy as the simulator runs it (`None` for an unknown class). Retried
    /// statuses are the defaults (408, 425, 429, 5xx); an exponential without a seen cap keeps
    /// growing to 1,024 times its base.
    pub fn to_policy(&self) -> Option<RetryPolicy> {
        let cap = self.cap.unwrap_or(self.base.saturating_mul(1024));
        let backoff = |jitter| Backoff {
            base: self.base,
            cap,
            jitter,
        };
        let strategy = match self.class {
            Class::Unknown => return None,
            Class::None => return Some(RetryPolicy::none()),
            Class::Fixed => Strategy::Fixed { delay: self.base },
            Class::Exponential => Strategy::Exponential(backoff(Jitter::None)),
            Class::ExponentialJitter => Strategy::Exponential(backoff(if self.full_jitter {
                Jitter::Full
            } else {
                Jitter::Equal
            })),
            Class::RetryAfter => Strategy::RetryAfter(HonourRetryAfter::default()),
        };
        Some(RetryPolicy::new(strategy, self.max_attempts.max(1)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(gaps_ms: &[u64], recovered: bool) -> Chain {
        Chain {
            gaps: gaps_ms.iter().map(|&g| Nanos::from_millis(g)).collect(),
            hints: vec![None; gaps_ms.len()],
            recovered,
        }
    }

    #[test]
    fn hand_made_chains() {
        let p = FitParams::default();
        let none = fit_client(
            &[chain(&[], false), chain(&[], false), chain(&[], false)],
            p,
        );
        assert_eq!((none.class, none.max_attempts), (Class::None, 1));

        let fixed = fit_client(
            &[
                chain(&[500, 500], false),
                chain(&[500], true),
                chain(&[500, 500], false),
            ],
            p,
        );
        assert_eq!(
            (fixed.class, fixed.base, fixed.max_attempts),
            (Class::Fixed, Nanos::from_millis(500), 3)
        );

        let exp = fit_client(
            &[
                chain(&[100, 200, 400, 400], false),
                chain(&[100, 200], true),
                chain(&[100, 200, 400, 400], false),
            ],
            p,
        );
        assert_eq!(exp.class, Class::Exponential);
        assert_eq!(exp.base, Nanos::from_millis(100));
        assert_eq!(exp.cap, Some(Nanos::from_millis(400)));
        assert_eq!((exp.max_attempts, exp.cap_seen), (5, true));
        assert!(exp.to_policy().is_some());

        let few = fit_client(&[chain(&[100], true)], p);
        assert_eq!(few.class, Class::Unknown);
        assert!(few.to_policy().is_none());
    }

    #[test]
    fn hints_followed_is_retry_after() {
        let c = |h: u64| Chain {
            gaps: vec![Nanos::from_millis(h * 1000 + 30)],
            hints: vec![Some(Nanos::from_secs(h))],
            recovered: true,
        };
        let f = fit_client(&[c(1), c(7), c(3), c(2)], FitParams::default());
        assert_eq!(f.class, Class::RetryAfter);
    }
}
