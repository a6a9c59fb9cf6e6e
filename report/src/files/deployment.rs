//! The lines `throttlelab run` prints under the summary table for a `[deployment]`: how far the
//! replicas went over the limit, what they refused with room left, what the store cost.

use sim::metrics::RunResult;
use std::fmt::Write;

/// The deployment's lines (empty for one server).
///
/// ```
/// let text = r#"
/// name = "d"
/// duration = "10s"
/// [[server.limiters]]
/// scope = "global"
/// algorithm = "fixed_window"
/// limit = 10
/// period = "10s"
/// [deployment]
/// replicas = 2
/// [fleet.web]
/// count = 1
/// arrival = { process = "constant", rate = "5/s" }
/// "#;
/// let s = sim::scenario::load_str("d.toml", text).unwrap();
/// let lines = report::files::deployment_lines(&sim::run(&s, 1).unwrap());
/// assert!(lines.starts_with("deployment: 2 replicas, round_robin balancer; admitted 20 (10 over"));
/// ```
pub fn deployment_lines(r: &RunResult) -> String {
    let Some(d) = &r.deployment else {
        return String::new();
    };
    let mut out = String::new();
    let ms = |x: Option<f64>| x.map_or("-".to_owned(), |v| format!("{v:.2}"));
    let _ = writeln!(
        out,
        "deployment: {} replicas, {} balancer; admitted {} ({} over the limit), refused with room {}; \
         store {:.1} calls/s, {} errors, decision latency p50 {} ms p99 {} ms",
        d.replicas,
        d.balancer,
        d.admitted,
        d.admitted_over_limit,
        d.refused_with_room,
        d.store_calls_per_s,
        d.store_errors,
        ms(d.decision_latency_p50_ms),
        ms(d.decision_latency_p99_ms),
    );
    for l in &d.levels {
        let window = match (l.max_window_over_limit, l.limit, l.window_s) {
            (Some(x), Some(limit), Some(w)) => {
                format!("most in any {w} s window {x:.2} x the limit of {limit}")
            }
            _ => "no count limit".to_owned(),
        };
        let _ = writeln!(
            out,
            "  level {} ({}): {window}; {} admitted over its limit",
            l.level, l.state, l.admitted_over_limit
        );
    }
    let per: Vec<String> = d
        .admitted_per_replica
        .iter()
        .zip(&d.attempts_per_replica)
        .map(|(a, n)| format!("{a}/{n}"))
        .collect();
    let _ = writeln!(
        out,
        "  admitted/attempts per replica: {}; Jain {}",
        per.join(" "),
        d.replica_jain.map_or("-".to_owned(), |j| format!("{j:.3}"))
    );
    if d.failed_replica_502 > 0 {
        let _ = writeln!(out, "  502 from a failed replica: {}", d.failed_replica_502);
    }
    out
}
