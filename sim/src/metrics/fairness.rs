//! Jain's fairness index (R. Jain, D. Chiu, W. Hawe, "A Quantitative Measure of Fairness and
//! Discrimination for Resource Allocation in Shared Computer Systems", DEC-TR-301, 1984):
//! `J(x) = (sum x)^2 / (n * sum x^2)`, 1 when every party gets the same, `1/n` when one party
//! gets everything. Here `x` is each party's goodput relative to its demand (successful logical
//! requests / logical requests), so a client that asked for little is not "unfair" for getting
//! little.

/// Jain's index of `xs`; `None` for an empty set or when every value is zero.
///
/// ```
/// use sim::metrics::jain;
/// assert_eq!(jain(&[1.0, 1.0, 1.0]), Some(1.0));
/// assert_eq!(jain(&[1.0, 0.0, 0.0, 0.0]), Some(0.25));
/// ```
pub fn jain(xs: &[f64]) -> Option<f64> {
    if xs.is_empty() {
        return None;
    }
    let sum: f64 = xs.iter().sum();
    let sq: f64 = xs.iter().map(|x| x * x).sum();
    if sq == 0.0 {
        return None;
    }
    Some(sum * sum / (xs.len() as f64 * sq))
}

/// Jain's index of `successes / demand` over the parties with non-zero demand.
pub fn jain_of_ratios(pairs: impl Iterator<Item = (u64, u64)>) -> Option<f64> {
    let xs: Vec<f64> = pairs
        .filter(|&(_, demand)| demand > 0)
        .map(|(ok, demand)| ok as f64 / demand as f64)
        .collect();
    jain(&xs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_computed_values() {
        // (0.5 + 1)^2 / (2 * (0.25 + 1)) = 2.25 / 2.5 = 0.9
        assert!((jain(&[0.5, 1.0]).unwrap() - 0.9).abs() < 1e-12);
        // (1+2+3)^2 / (3 * 14) = 36 / 42
        assert!((jain(&[1.0, 2.0, 3.0]).unwrap() - 36.0 / 42.0).abs() < 1e-12);
        assert_eq!(jain(&[]), None);
        assert_eq!(jain(&[0.0, 0.0]), None);
    }

    #[test]
    fn ratios_skip_parties_without_demand() {
        // clients: 5/10 = 0.5, 10/10 = 1.0, and one with no demand
        let j = jain_of_ratios([(5, 10), (10, 10), (0, 0)].into_iter()).unwrap();
        assert!((j - 0.9).abs() < 1e-12);
    }
}
