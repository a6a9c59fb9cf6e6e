//! The model curves a sweep can be checked against.
//!
//! Independent failures (Brooker, "Fixing retries with token buckets and circuit breakers",
//! 2022; the AWS Builders' Library, "Timeouts, retries, and backoff with jitter"): when every
//! attempt fails independently with probability `p` and a client makes up to `m` attempts, a
//! logical request sends `1 + p + ... + p^(m-1) = (1 - p^m) / (1 - p)` attempts on average
//! (`m` at `p = 1`) and succeeds with probability `1 - p^m`. The model holds for a sweep over
//! the rate of an `error_rate` fault covering the whole run, when nothing else stops a retry
//! or fails an attempt: no other fault, no limiter level, no hedging, no client gate (retry
//! budget, breaker), the fault's status retried. Deadlines and timeouts are not checked; a run
//! cut short by them falls below the curve, which is then the finding.

use super::sweep::ModelLine;
use sim::model::{FaultKind, Scenario};

/// Samples per model curve.
const SAMPLES: usize = 60;

/// Mean attempts per logical request with `m` attempts allowed and failure probability `p`.
///
/// ```
/// use report::charts::theory::amplification;
/// assert_eq!(amplification(0.5, 1), 1.0);
/// assert!((amplification(0.75, 4) - 2.734375).abs() < 1e-12);
/// assert_eq!(amplification(1.0, 4), 4.0);
/// ```
pub fn amplification(p: f64, m: u32) -> f64 {
    if p >= 1.0 {
        return f64::from(m);
    }
    (1.0 - p.powi(m as i32)) / (1.0 - p)
}

/// Probability that a logical request succeeds: `1 - p^m`.
pub fn success(p: f64, m: u32) -> f64 {
    1.0 - p.powi(m as i32)
}

/// What the model needs from a sweep's layout.
pub(crate) struct ModelInputs<'a> {
    /// The swept parameter's path.
    pub x_path: &'a str,
    /// Per points-table row: (line, x, point index).
    pub layout_rows: &'a [(usize, f64, usize)],
    /// Line names.
    pub lines: &'a [String],
    /// Scenario of each point.
    pub scenarios: &'a [&'a Scenario],
}

/// Model curves per line, and why a line has none.
#[derive(Debug, Clone, Default)]
pub(crate) struct Model {
    pub amplification: Vec<ModelLine>,
    pub success: Vec<ModelLine>,
    pub explanation: String,
    pub skipped: Vec<String>,
}

/// The index `i` of a `faults.<i>.rate` path.
pub(crate) fn fault_index(path: &str) -> Option<usize> {
    let rest = path.strip_prefix("faults.")?;
    let (i, field) = rest.split_once('.')?;
    (field == "rate").then(|| i.parse().ok())?
}

/// The attempts allowed when the model holds for `s`, else why not.
fn attempts_if_model_holds(s: &Scenario, fault: usize) -> Result<u32, String> {
    let Some(f) = s.faults.get(fault) else {
        return Err("the fault is missing".into());
    };
    let FaultKind::ErrorRate { status, .. } = f.kind else {
        return Err("the fault is not an error_rate fault".into());
    };
    if f.start.as_nanos() != 0 || f.end() < s.duration {
        return Err("the fault does not cover the whole run".into());
    }
    if s.faults.len() != 1 {
        return Err("the scenario has other faults".into());
    }
    if !s.server.levels.is_empty() {
        return Err("limiter rejections also cause retries".into());
    }
    let mut m = None;
    for fl in &s.fleets {
        if fl.hedge.is_some() || !fl.gates.is_empty() || fl.trigger {
            return Err(format!(
                "fleet {} hedges, has a client gate or is a trigger",
                fl.name
            ));
        }
        let a = fl.retry.max_attempts.max(1);
        if a > 1 && !fl.retry.retry_on.contains(status) {
            return Err(format!("fleet {} does not retry {status}", fl.name));
        }
        if m.is_some_and(|x| x != a) {
            return Err("fleets allow different numbers of attempts".into());
        }
        m = Some(a);
    }
    m.ok_or_else(|| "no fleet".to_owned())
}

/// The model curves of a sweep over an `error_rate` fault's rate; `None` when the swept
/// parameter is something else.
pub(crate) fn amplification_model(input: &ModelInputs<'_>) -> Option<Model> {
    let fault = fault_index(input.x_path)?;
    let mut model = Model {
        explanation: "independent failures (Brooker 2022): with up to m attempts and failure \
                      probability p, a request sends (1 - p^m)/(1 - p) attempts on average and \
                      succeeds with probability 1 - p^m; the curve assumes every retry is sent \
                      (no deadline, timeout or budget cuts one short)."
            .into(),
        ..Model::default()
    };
    if input.scenarios.is_empty() {
        model
            .skipped
            .push("No model curve: the points' scenarios were not available.".into());
        return Some(model);
    }
    for (li, name) in input.lines.iter().enumerate() {
        let rows: Vec<&(usize, f64, usize)> =
            input.layout_rows.iter().filter(|r| r.0 == li).collect();
        let mut m_line: Option<u32> = None;
        let mut why = None;
        for &&(_, _, point) in &rows {
            let Some(s) = input.scenarios.get(point) else {
                why = Some("its scenario is missing".to_owned());
                break;
            };
            match attempts_if_model_holds(s, fault) {
                Ok(m) if m_line.is_none_or(|x| x == m) => m_line = Some(m),
                Ok(_) => {
                    why = Some("its points allow different numbers of attempts".into());
                    break;
                }
                Err(e) => {
                    why = Some(e);
                    break;
                }
            }
        }
        let (lo, hi) = rows
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), r| {
                (a.min(r.1), b.max(r.1))
            });
        match (why, m_line) {
            (None, Some(m)) if lo.is_finite() && hi >= lo => {
                let ps: Vec<f64> = (0..=SAMPLES)
                    .map(|k| (lo + (hi - lo) * k as f64 / SAMPLES as f64).clamp(0.0, 1.0))
                    .collect();
                let curve = |f: fn(f64, u32) -> f64| ModelLine {
                    name: format!("{name}, model"),
                    color_key: name.clone(),
                    points: ps.iter().map(|&p| (p, f(p, m))).collect(),
                };
                model.amplification.push(curve(amplification));
                model.success.push(curve(success));
            }
            (why, _) => model.skipped.push(format!(
                "No model curve for {name}: {}.",
                why.unwrap_or_else(|| "no point".into())
            )),
        }
    }
    Some(model)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fault_paths() {
        assert_eq!(fault_index("faults.0.rate"), Some(0));
        assert_eq!(fault_index("faults.12.rate"), Some(12));
        assert_eq!(fault_index("faults.0.status"), None);
        assert_eq!(fault_index("fleet.web.count"), None);
    }

    #[test]
    fn model_values() {
        assert!((amplification(0.5, 4) - 1.875).abs() < 1e-12);
        assert!((success(0.75, 4) - (1.0 - 0.75f64.powi(4))).abs() < 1e-12);
        assert_eq!(amplification(0.0, 4), 1.0);
    }

    #[test]
    fn the_retry_amplification_experiment_fits_the_model() {
        let text = include_str!("../../../scenarios/experiments/retry-amplification.toml");
        let s = sim::scenario::load_str("x.toml", &sim::sweep::without_sweep(text)).unwrap();
        assert_eq!(attempts_if_model_holds(&s, 0), Ok(4));
        let mut limited = s.clone();
        limited.faults[0].start = limited.bucket;
        assert!(attempts_if_model_holds(&limited, 0).is_err());
    }
}
