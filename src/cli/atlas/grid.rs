//! The atlas's grid: which deployments it runs, and the scenario each one is.
//!
//! Axes (issue #15): the design (where the limit's state lives, `sim::server::deployment`),
//! the replica count, the sync interval (only where the design has one: `synced`'s
//! `sync_interval`, `leases`' `lease_period`), the store's round trip (only where a decision
//! or a grant waits for the store: `central`, `over_limit_cache`, `synced` every request,
//! `leases`) and the balancer. A `synced` level with a periodic sync does not wait for the
//! store (Kong's timer pushes the counters in the background), so its round trip is not an
//! axis: varying it would run the same deployment three times.
//!
//! Every point is the same workload ([`super::workload`]), so the points differ only in the
//! deployment.

use limiters::{parse_duration, Nanos};

/// Where the limit's state lives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Design {
    /// Each replica the whole limit.
    Local,
    /// Each replica the limit / N.
    Split,
    /// One store decides every request.
    Central,
    /// Central, with the replica's cache of keys over their limit.
    OverLimitCache,
    /// Local counters synced through the store every interval.
    Synced,
    /// Leased shares rebalanced by demand.
    Leases,
}

/// Every design, in the atlas's order.
pub const DESIGNS: [Design; 6] = [
    Design::Local,
    Design::Split,
    Design::Central,
    Design::OverLimitCache,
    Design::Synced,
    Design::Leases,
];

impl Design {
    /// The `state = "..."` name.
    pub fn name(self) -> &'static str {
        match self {
            Design::Local => "local",
            Design::Split => "split",
            Design::Central => "central",
            Design::OverLimitCache => "over_limit_cache",
            Design::Synced => "synced",
            Design::Leases => "leases",
        }
    }

    /// The design called `name`.
    pub fn parse(name: &str) -> Option<Design> {
        DESIGNS.into_iter().find(|d| d.name() == name)
    }
}

/// One deployment of the grid.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Point {
    /// The design.
    pub design: Design,
    /// Replicas.
    pub replicas: u32,
    /// Sync interval or lease period, as given (`100ms`), when the design has one.
    pub interval: Option<String>,
    /// The store's round trip, as given (`1ms`), when a decision waits for the store.
    pub rtt: Option<String>,
    /// The balancer's name.
    pub balancer: String,
}

/// The axes' values.
#[derive(Clone, Debug)]
pub struct Axes {
    /// Designs.
    pub designs: Vec<Design>,
    /// Replica counts.
    pub replicas: Vec<u32>,
    /// Sync intervals (`0s` = every request).
    pub intervals: Vec<String>,
    /// Store round trips.
    pub rtts: Vec<String>,
    /// Balancers.
    pub balancers: Vec<String>,
}

/// The balancers of the atlas: uniform and sticky.
pub const BALANCERS: [&str; 2] = ["round_robin", "hash_key"];

impl Axes {
    /// Check every value, in words a user understands.
    pub fn check(&self) -> Result<(), String> {
        if self.designs.is_empty() || self.replicas.is_empty() || self.balancers.is_empty() {
            return Err("--designs, --replicas and --balancers each need a value".into());
        }
        if let Some(r) = self.replicas.iter().find(|r| !(1..=256).contains(*r)) {
            return Err(format!("--replicas: {r} is not 1 to 256 replicas"));
        }
        for (flag, values) in [("--intervals", &self.intervals), ("--rtts", &self.rtts)] {
            for v in values {
                parse_duration(v).map_err(|e| format!("{flag}: {v}: {e}"))?;
            }
        }
        if let Some(b) = self
            .balancers
            .iter()
            .find(|b| !BALANCERS.contains(&b.as_str()))
        {
            return Err(format!(
                "--balancers: `{b}` is not one of {}",
                BALANCERS.join(", ")
            ));
        }
        let needs = |d: Design| self.designs.contains(&d);
        if needs(Design::Synced) && self.intervals.is_empty() {
            return Err("--intervals: `synced` needs at least one sync interval".into());
        }
        let periods = self.intervals.iter().filter(|v| !is_zero(v)).count();
        if needs(Design::Leases) && periods == 0 {
            return Err("--intervals: `leases` needs a lease period longer than 0s".into());
        }
        let store = [Design::Central, Design::OverLimitCache, Design::Leases];
        if store.into_iter().any(needs) && self.rtts.is_empty() {
            return Err("--rtts: a design with a store needs at least one round trip".into());
        }
        Ok(())
    }

    /// Every point, in a fixed order: design, interval, round trip, balancer, replicas.
    pub fn points(&self) -> Vec<Point> {
        let mut out = Vec::new();
        for &design in &self.designs {
            for (interval, rtt) in variants(design, &self.intervals, &self.rtts) {
                for balancer in &self.balancers {
                    for &replicas in &self.replicas {
                        out.push(Point {
                            design,
                            replicas,
                            interval: interval.clone(),
                            rtt: rtt.clone(),
                            balancer: balancer.clone(),
                        });
                    }
                }
            }
        }
        out
    }
}

fn is_zero(v: &str) -> bool {
    parse_duration(v).is_ok_and(|n| n == Nanos::ZERO)
}

/// The (interval, round trip) variants of `design`.
fn variants(
    design: Design,
    intervals: &[String],
    rtts: &[String],
) -> Vec<(Option<String>, Option<String>)> {
    let some = |v: &String| Some(v.clone());
    match design {
        Design::Local | Design::Split => vec![(None, None)],
        Design::Central | Design::OverLimitCache => rtts.iter().map(|r| (None, some(r))).collect(),
        Design::Synced => intervals
            .iter()
            .flat_map(|i| {
                if is_zero(i) {
                    // every request waits for the store
                    rtts.iter().map(|r| (some(i), some(r))).collect::<Vec<_>>()
                } else {
                    vec![(some(i), None)]
                }
            })
            .collect(),
        Design::Leases => intervals
            .iter()
            .filter(|i| !is_zero(i))
            .flat_map(|i| rtts.iter().map(move |r| (some(i), some(r))))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::super::workload::{scenario_text, Workload};
    use super::*;

    fn axes() -> Axes {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        Axes {
            designs: DESIGNS.to_vec(),
            replicas: vec![1, 2, 4, 8, 16, 64],
            intervals: s(&["0s", "100ms", "1s", "5s"]),
            rtts: s(&["50us", "1ms", "20ms"]),
            balancers: s(&BALANCERS),
        }
    }

    #[test]
    fn the_full_grid_varies_an_axis_only_where_the_design_has_it() {
        let points = axes().points();
        let count = |d: Design| points.iter().filter(|p| p.design == d).count();
        // 6 replica counts x 2 balancers = 12 per variant
        assert_eq!(count(Design::Local), 12);
        assert_eq!(count(Design::Split), 12);
        assert_eq!(count(Design::Central), 3 * 12);
        assert_eq!(count(Design::OverLimitCache), 3 * 12);
        // every request x 3 round trips, and 3 periodic intervals without one
        assert_eq!(count(Design::Synced), (3 + 3) * 12);
        // lease periods must be > 0: 3 periods x 3 round trips
        assert_eq!(count(Design::Leases), 9 * 12);
        assert_eq!(points.len(), 276);
    }

    #[test]
    fn every_point_is_a_valid_scenario() {
        for p in axes().points() {
            let text = scenario_text(&p, &Workload::default());
            if let Err(e) = sim::scenario::load_str("atlas.toml", &text) {
                panic!("{p:?}: {e}\n{text}");
            }
        }
    }

    #[test]
    fn bad_axes_are_refused_in_words() {
        let mut a = axes();
        a.replicas = vec![0];
        assert!(a.check().unwrap_err().contains("not 1 to 256"));
        let mut a = axes();
        a.intervals = vec!["0s".into()];
        assert!(a
            .check()
            .unwrap_err()
            .contains("`leases` needs a lease period"));
        let mut a = axes();
        a.balancers = vec!["sticky".into()];
        assert!(a.check().unwrap_err().contains("round_robin, hash_key"));
        assert!(axes().check().is_ok());
    }
}
