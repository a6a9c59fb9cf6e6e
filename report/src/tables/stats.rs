//! Mean, sample standard deviation and the 95% confidence interval of the mean with
//! Student's t distribution (n - 1 degrees of freedom): the seeds of a sweep point are a small
//! sample, where the normal approximation's 1.96 would make intervals too narrow (t is 2.776
//! at 5 seeds, 2.093 at 20).
//!
//! Paired differences ([`paired`]) compare two variants run with the same seeds: the interval
//! is that of the mean difference across seeds, which common random numbers make much
//! narrower than the difference of two independent intervals.

use statrs::distribution::{ContinuousCDF, StudentsT};

/// Summary statistics of a sample.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Stats {
    /// Sample size.
    pub n: usize,
    /// Mean.
    pub mean: f64,
    /// Sample standard deviation (n - 1 in the denominator); `None` below 2 values.
    pub std: Option<f64>,
    /// 95% confidence interval of the mean; `None` below 2 values.
    pub ci95: Option<(f64, f64)>,
}

/// The two-sided 95% critical value of Student's t with `df` degrees of freedom
/// (the 0.975 quantile); `None` for `df = 0`.
///
/// ```
/// let t = report::tables::t_critical_95(7).unwrap();
/// assert!((t - 2.364624).abs() < 1e-6);
/// ```
pub fn t_critical_95(df: usize) -> Option<f64> {
    if df == 0 {
        return None;
    }
    let t = StudentsT::new(0.0, 1.0, df as f64).ok()?;
    Some(t.inverse_cdf(0.975))
}

/// Statistics of `xs`; `None` when empty. Non-finite values are skipped.
///
/// ```
/// let s = report::tables::stats(&[2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]).unwrap();
/// assert_eq!(s.mean, 5.0);
/// assert!((s.std.unwrap() - (32.0f64 / 7.0).sqrt()).abs() < 1e-12);
/// ```
pub fn stats(xs: &[f64]) -> Option<Stats> {
    let xs: Vec<f64> = xs.iter().copied().filter(|x| x.is_finite()).collect();
    let n = xs.len();
    if n == 0 {
        return None;
    }
    let mean = xs.iter().sum::<f64>() / n as f64;
    if n < 2 {
        return Some(Stats {
            n,
            mean,
            std: None,
            ci95: None,
        });
    }
    let var = xs.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - 1) as f64;
    let std = var.sqrt();
    let ci95 = t_critical_95(n - 1).map(|t| {
        let half = t * std / (n as f64).sqrt();
        (mean - half, mean + half)
    });
    Some(Stats {
        n,
        mean,
        std: Some(std),
        ci95,
    })
}

/// Statistics of the paired differences `b[i] - a[i]` over the pairs where both are finite.
pub fn paired(a: &[Option<f64>], b: &[Option<f64>]) -> Option<Stats> {
    let d: Vec<f64> = a
        .iter()
        .zip(b)
        .filter_map(|(x, y)| match (x, y) {
            (Some(x), Some(y)) if x.is_finite() && y.is_finite() => Some(y - x),
            _ => None,
        })
        .collect();
    stats(&d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, eps: f64) {
        assert!((a - b).abs() < eps, "{a} vs {b}");
    }

    #[test]
    fn t_table_values() {
        // Two-sided 95% critical values from any t table.
        for (df, t) in [
            (1, 12.706205),
            (2, 4.302653),
            (4, 2.776445),
            (9, 2.262157),
            (19, 2.093024),
            (30, 2.042272),
            (1000, 1.962339),
        ] {
            close(t_critical_95(df).unwrap(), t, 1e-5);
        }
        assert_eq!(t_critical_95(0), None);
    }

    #[test]
    fn ci_by_hand() {
        // mean 5, s^2 = 32/7, s = 2.1380899, t(7) = 2.3646243, half = t * s / sqrt(8) = 1.7874879
        let s = stats(&[2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]).unwrap();
        let (lo, hi) = s.ci95.unwrap();
        close(lo, 5.0 - 1.7874879, 1e-6);
        close(hi, 5.0 + 1.7874879, 1e-6);
        // n = 3: 1, 2, 6 -> mean 3, s = sqrt(7) = 2.6457513, t(2) = 4.3026527, half = 6.5724
        let s = stats(&[1.0, 2.0, 6.0]).unwrap();
        close(
            s.ci95.unwrap().1,
            3.0 + 4.3026527 * 7f64.sqrt() / 3f64.sqrt(),
            1e-6,
        );
        close(s.ci95.unwrap().1 - 3.0, 6.5724, 1e-4);
    }

    #[test]
    fn small_and_degenerate_samples() {
        assert_eq!(stats(&[]), None);
        let one = stats(&[4.0]).unwrap();
        assert_eq!((one.n, one.mean, one.std, one.ci95), (1, 4.0, None, None));
        let flat = stats(&[3.0, 3.0, 3.0]).unwrap();
        assert_eq!(flat.ci95, Some((3.0, 3.0)));
        assert_eq!(stats(&[1.0, f64::NAN, 3.0]).unwrap().n, 2);
    }

    #[test]
    fn paired_differences() {
        let a = [Some(10.0), Some(12.0), Some(11.0), None];
        let b = [Some(11.0), Some(14.0), Some(12.0), Some(99.0)];
        let d = paired(&a, &b).unwrap();
        // differences 1, 2, 1: mean 4/3, s = sqrt(1/3), t(2) = 4.3026527
        assert_eq!(d.n, 3);
        close(d.mean, 4.0 / 3.0, 1e-12);
        close(
            d.ci95.unwrap().0,
            4.0 / 3.0 - 4.3026527 * (1.0f64 / 3.0).sqrt() / 3f64.sqrt(),
            1e-6,
        );
    }
}
