//! Retries in layers: a chain of `L` services where each layer makes up to `k` attempts on
//! the layer below ("retry at every layer"). One request at the top becomes up to `k^L`
//! requests at the bottom: the multiplicative amplification the Google SRE book ("Addressing
//! Cascading Failures") and the AWS Builders' Library ("Timeouts, retries and backoff with
//! jitter") warn about.
//!
//! With the bottom failing each call independently with probability `p`, layer 1 (just above
//! the bottom) fails with `q1 = p^k1` after `E[N1] = (1 - p^k1) / (1 - p)` calls on average
//! (a truncated geometric count; `k1` when `p = 1`); layer `i` sees its downstream fail with
//! `q_{i-1}` and so on. By Wald's identity the expected number of bottom calls per top request
//! is the product of the per-layer expectations: [`expected_bottom_calls`]. [`simulate_layers`]
//! draws the same process with an RNG passed in.

use rand::Rng;

/// Expected calls per attempt cycle at one layer whose downstream fails with probability `q`,
/// making up to `k` attempts: `1 + q + ... + q^(k-1)`.
fn expected_attempts(q: f64, k: u32) -> f64 {
    (0..k).map(|i| q.powi(i as i32)).sum()
}

/// Expected calls reaching the bottom per request entering the top, for per-layer attempt
/// limits `attempts` (top layer first) and a bottom failure probability `p`.
///
/// ```
/// use sim::retry::expected_bottom_calls;
/// assert_eq!(expected_bottom_calls(&[3, 3, 3], 1.0), 27.0);  // k^L for an always-failing bottom
/// assert_eq!(expected_bottom_calls(&[3, 3, 3], 0.0), 1.0);
/// ```
pub fn expected_bottom_calls(attempts: &[u32], p: f64) -> f64 {
    let mut q = p.clamp(0.0, 1.0);
    let mut product = 1.0;
    // From the layer just above the bottom upwards.
    for &k in attempts.iter().rev() {
        let k = k.max(1);
        product *= expected_attempts(q, k);
        q = q.powi(k as i32);
    }
    product
}

/// Probability that a request entering the top fails: `p^(k1 * k2 * ... * kL)`.
pub fn top_failure_probability(attempts: &[u32], p: f64) -> f64 {
    attempts
        .iter()
        .fold(p.clamp(0.0, 1.0), |q, &k| q.powi(k.max(1) as i32))
}

/// One request through the layers: `(calls reaching the bottom, succeeded)`.
fn one<R: Rng + ?Sized>(attempts: &[u32], p: f64, rng: &mut R) -> (u64, bool) {
    match attempts.split_first() {
        None => (1, rng.gen::<f64>() >= p),
        Some((&k, below)) => {
            let mut calls = 0;
            for _ in 0..k.max(1) {
                let (c, ok) = one(below, p, rng);
                calls += c;
                if ok {
                    return (calls, true);
                }
            }
            (calls, false)
        }
    }
}

/// Monte Carlo: `n` requests through the layers; `(mean bottom calls per request, share that
/// failed)`.
pub fn simulate_layers<R: Rng + ?Sized>(
    attempts: &[u32],
    p: f64,
    n: u32,
    rng: &mut R,
) -> (f64, f64) {
    let mut calls = 0u64;
    let mut failed = 0u64;
    for _ in 0..n {
        let (c, ok) = one(attempts, p, rng);
        calls += c;
        failed += u64::from(!ok);
    }
    let n = f64::from(n.max(1));
    (calls as f64 / n, failed as f64 / n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn always_failing_bottom_is_k_to_the_l() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0);
        for (k, l) in [(2u32, 1usize), (3, 2), (3, 4), (4, 3), (5, 5)] {
            let layers = vec![k; l];
            let want = f64::from(k).powi(l as i32);
            assert_eq!(expected_bottom_calls(&layers, 1.0), want);
            assert_eq!(simulate_layers(&layers, 1.0, 10, &mut rng), (want, 1.0));
        }
        assert_eq!(expected_bottom_calls(&[2, 3, 4], 1.0), 24.0);
    }

    #[test]
    fn partial_failure_matches_the_closed_form() {
        let layers = [3, 3, 3];
        let p = 0.5;
        // Layer 1: 1 + .5 + .25 = 1.75, q1 = 1/8; layer 2: 1 + 1/8 + 1/64; q2 = 1/512; ...
        let want = 1.75 * (1.0 + 0.125 + 0.015625) * (1.0 + 1.0 / 512.0 + 1.0 / 262_144.0);
        assert!((expected_bottom_calls(&layers, p) - want).abs() < 1e-12);
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
        let (mean, failed) = simulate_layers(&layers, p, 200_000, &mut rng);
        assert!((mean - want).abs() < 0.02, "mean {mean} want {want}");
        assert!((failed - top_failure_probability(&layers, p)).abs() < 1e-3);
    }
}
