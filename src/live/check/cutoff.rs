//! Faults the check's `--duration` cuts off. `check-live` shortens the scenario to its
//! duration (30 s by default), so a fault at 60 s never happens on either side: both runs are
//! fault-free, agree, and "ok" would be claimed for a fault that was never exercised. A fault
//! (or a trigger fleet's load spike) that starts or ends at or after the horizon is named in a
//! warning, printed and kept with the comparison's caveats.

use limiters::Nanos;
use sim::model::Scenario;

/// One warning per fault window and trigger-fleet window of `s` (at its full duration) that
/// does not lie wholly before `horizon`.
pub fn cut_off(s: &Scenario, horizon: Nanos) -> Vec<String> {
    let secs = |t: Nanos| t.as_secs_f64();
    let windows = s
        .faults
        .iter()
        .map(|f| (format!("fault `{}`", f.kind.as_str()), f.start, f.end()))
        .chain(s.fleets.iter().filter_map(|f| {
            let (a, b) = f.trigger_window(s.duration)?;
            Some((format!("trigger fleet `{}`", f.name), a, b))
        }));
    windows
        .filter(|(_, _, end)| *end > horizon)
        .map(|(what, start, end)| {
            let cut = if start >= horizon {
                "never happens in the check"
            } else {
                "is cut short by the check"
            };
            format!(
                "--duration {} s: the {what} ({} s to {} s) {cut}: the figures say nothing about it \
                 (raise --duration to at least {} s)",
                secs(horizon),
                secs(start),
                secs(end),
                secs(end).ceil()
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scenario(extra: &str) -> Scenario {
        let text = format!(
            "name = \"c\"\nduration = \"120s\"\n[fleet.web]\ncount = 1\n\
             arrival = {{ process = \"poisson\", rate = \"1/s\" }}\n{extra}"
        );
        sim::scenario::load_str("c.toml", &text).expect("scenario")
    }

    #[test]
    fn faults_after_or_across_the_horizon_are_named() {
        let s = scenario(
            "[[faults]]\nkind = \"outage\"\nstart = \"60s\"\nduration = \"30s\"\n\
             [[faults]]\nkind = \"error_rate\"\nstart = \"10s\"\nduration = \"10s\"\nrate = 0.5\n",
        );
        let w = cut_off(&s, Nanos::from_secs(30));
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(
            w[0].contains("fault `outage` (60 s to 90 s) never happens"),
            "{w:?}"
        );
        let w = cut_off(&s, Nanos::from_secs(75));
        assert!(w[0].contains("is cut short"), "{w:?}");
        assert!(cut_off(&s, Nanos::from_secs(90)).is_empty());
    }

    #[test]
    fn a_trigger_spike_counts_too() {
        let s = scenario(
            "[fleet.spike]\ncount = 2\ntrigger = true\narrival = { process = \"piecewise\", \
             points = [{ from = \"0s\", rate = \"off\" }, { from = \"60s\", rate = \"1/s\" }, \
             { from = \"65s\", rate = \"off\" }] }\n",
        );
        let w = cut_off(&s, Nanos::from_secs(30));
        assert!(w[0].contains("trigger fleet `spike`"), "{w:?}");
    }
}
