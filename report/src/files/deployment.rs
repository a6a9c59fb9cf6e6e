//! The lines `throttlelab run` prints under the summary table for a `[deployment]`: how far the
//! replicas went over the limit, what they refused with room left, what the store cost.

use sim::metrics::RunResult;
use sim::server::deployment::{DeploymentFigures, GroupFigures};
use std::fmt::Write;

/// At most this many fleets or tenants are printed (the most over the limit first); every one
/// is in `summary.json`.
const MAX_GROUPS: usize = 8;

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
    groups(&mut out, "fleet", &d.per_fleet, d);
    groups(&mut out, "tenant", &d.per_tenant, d);
    if d.failed_replica_502 > 0 {
        let _ = writeln!(out, "  502 from a failed replica: {}", d.failed_replica_502);
    }
    out
}

/// The per-fleet or per-tenant line, with the whole run's figure beside it; nothing when there
/// is only one group (its figures are the run's).
fn groups(out: &mut String, what: &str, g: &[GroupFigures], d: &DeploymentFigures) {
    if g.len() < 2 {
        return;
    }
    let mut worst: Vec<&GroupFigures> = g.iter().collect();
    worst.sort_by(|a, b| {
        (b.admitted_over_limit, b.refused_with_room)
            .cmp(&(a.admitted_over_limit, a.refused_with_room))
            .then_with(|| a.name.cmp(&b.name))
    });
    let shown: Vec<String> = worst
        .iter()
        .take(MAX_GROUPS)
        .map(|g| {
            format!(
                "{} {} ({} over, {} refused with room)",
                g.name, g.admitted, g.admitted_over_limit, g.refused_with_room
            )
        })
        .collect();
    let more = g.len().saturating_sub(MAX_GROUPS);
    let more = if more > 0 {
        format!("; {more} more in summary.json")
    } else {
        String::new()
    };
    let _ = writeln!(
        out,
        "  admitted per {what}: {}{more}; whole run {} ({} over, {} refused with room)",
        shown.join(", "),
        d.admitted,
        d.admitted_over_limit,
        d.refused_with_room
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_print_the_worst_first_beside_the_whole_run() {
        let g = |name: &str, admitted, over| GroupFigures {
            name: name.into(),
            admitted,
            admitted_over_limit: over,
            refused_with_room: 0,
        };
        let d = DeploymentFigures {
            admitted: 150,
            admitted_over_limit: 60,
            ..DeploymentFigures::default()
        };
        let mut out = String::new();
        groups(
            &mut out,
            "fleet",
            &[g("light", 30, 0), g("heavy", 120, 60)],
            &d,
        );
        assert_eq!(
            out,
            "  admitted per fleet: heavy 120 (60 over, 0 refused with room), light 30 (0 over, \
             0 refused with room); whole run 150 (60 over, 0 refused with room)\n"
        );
        let mut one = String::new();
        groups(&mut one, "tenant", &[g("t", 1, 0)], &d);
        assert!(one.is_empty(), "one group is the whole run");
    }
}
