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

/// The max-min fair allocation of `total` among parties asking for `demands` (Bertsekas and
/// Gallager, "Data Networks", 1992, 6.5.2: progressive filling): every party gets the same
/// amount, except that none gets more than it asks for; what a satisfied party leaves is shared
/// among the others.
///
/// ```
/// use sim::metrics::max_min_shares;
/// assert_eq!(max_min_shares(&[10.0, 10.0, 10.0, 200.0], 100.0), vec![10.0, 10.0, 10.0, 70.0]);
/// assert_eq!(max_min_shares(&[10.0, 50.0], 40.0), vec![10.0, 30.0]);
/// ```
pub fn max_min_shares(demands: &[f64], total: f64) -> Vec<f64> {
    let mut order: Vec<usize> = (0..demands.len()).collect();
    order.sort_by(|&a, &b| demands[a].total_cmp(&demands[b]));
    let mut out = vec![0.0; demands.len()];
    let mut left = total.max(0.0);
    for (k, &i) in order.iter().enumerate() {
        let share = left / (order.len() - k) as f64;
        let give = demands[i].max(0.0).min(share);
        out[i] = give;
        left -= give;
    }
    out
}

/// Jain's index of each party's successes relative to its max-min fair share of the total
/// successes delivered, over the parties with non-zero demand: Jain et al.'s `x_i = T_i / O_i`
/// with `O_i` the fair allocation, for parties whose demands differ. 1 when the delivered
/// goodput is shared max-min fairly, whatever its total; unlike [`jain_of_ratios`] it does not
/// call "everyone gets the same fraction of what they asked" fair when one party asks for most.
///
/// ```
/// use sim::metrics::jain_max_min;
/// // A noisy tenant asking 200 takes 87 of 100 served; three asking 10 get 4.3 each.
/// let j = jain_max_min([(43, 100), (43, 100), (43, 100), (870, 2000)].into_iter()).unwrap();
/// assert!(j < 0.8, "{j}");
/// let fair = jain_max_min([(10, 10), (10, 10), (10, 10), (70, 200)].into_iter()).unwrap();
/// assert!((fair - 1.0).abs() < 1e-12);
/// ```
pub fn jain_max_min(pairs: impl Iterator<Item = (u64, u64)>) -> Option<f64> {
    let pairs: Vec<(u64, u64)> = pairs.filter(|&(_, d)| d > 0).collect();
    let demands: Vec<f64> = pairs.iter().map(|&(_, d)| d as f64).collect();
    let total: f64 = pairs.iter().map(|&(ok, _)| ok as f64).sum();
    let fair = max_min_shares(&demands, total);
    let xs: Vec<f64> = pairs
        .iter()
        .zip(&fair)
        .map(|(&(ok, _), &f)| if f > 0.0 { ok as f64 / f } else { 0.0 })
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

    #[test]
    fn max_min_fills_progressively() {
        let f = max_min_shares(&[5.0, 200.0, 30.0, 0.0], 90.0);
        assert_eq!(f, vec![5.0, 55.0, 30.0, 0.0]);
        // Enough for everyone: each gets its demand.
        assert_eq!(max_min_shares(&[1.0, 2.0], 10.0), vec![1.0, 2.0]);
        // The global-limit outcome of the fairness experiment scores low, per-tenant limits 1.
        let global = jain_max_min([(250, 582), (289, 657), (245, 581), (5315, 11904)].into_iter());
        assert!(global.unwrap() < 0.8);
        let per_tenant =
            jain_max_min([(582, 582), (657, 657), (581, 581), (1524, 11904)].into_iter());
        assert!((per_tenant.unwrap() - 1.0).abs() < 1e-9);
        assert_eq!(jain_max_min([(0, 0)].into_iter()), None);
    }
}
