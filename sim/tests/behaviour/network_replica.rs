//! `Simulation::network_replica`: replicas of a run differ only in the network's timing noise
//! (what `check-live` measures a scenario's sensitivity to timing with). Replica 0 is the run
//! itself; another replica keeps every other stream, so the arrival schedule is the same.

use sim::scenario::load_file;
use sim::Simulation;
use std::path::Path;

#[test]
fn replicas_share_everything_but_the_network_noise() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios/seeds/000-armox.toml");
    let mut s = load_file(&path).unwrap();
    s.duration = limiters::Nanos::from_secs(45);
    let plain = sim::run(&s, 42).unwrap();
    let zero = Simulation::new(&s, 42).network_replica(0).run().unwrap();
    assert_eq!(plain.summary, zero.summary);
    let mut differ = 0;
    for r in 1..=4 {
        let rep = Simulation::new(&s, 42).network_replica(r).run().unwrap();
        // the same arrivals: the same logical requests, per fleet
        for (name, f) in &plain.fleets {
            assert_eq!(
                f.logical_requests, rep.fleets[name].logical_requests,
                "{name}"
            );
        }
        let lat = |x: &sim::metrics::RunResult| x.summary.latency.as_ref().map(|l| l.p50_ms);
        differ += usize::from(lat(&rep) != lat(&plain));
        // deterministic: the same replica twice is the same run
        let again = Simulation::new(&s, 42).network_replica(r).run().unwrap();
        assert_eq!(rep.summary, again.summary);
    }
    assert!(
        differ >= 3,
        "the network noise changed in {differ} of 4 replicas"
    );
}
