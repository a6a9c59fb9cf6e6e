//! Scenarios that cannot advance simulated time are refused at load with the line of the
//! offending value, and the engine stops a run that makes no progress in time (issue #14: a
//! closed loop with no delay, or a rate above one per nanosecond, ran until memory ran out).

use limiters::Nanos;
use sim::model::{Arrival, Distribution, Fleet, Scenario};
use sim::scenario::{load_str, read_file, ScenarioError, MAX_FILE_BYTES};
use sim::SimError;
use std::time::{Duration, Instant};

fn refused(text: &str) -> sim::scenario::Located {
    match load_str("s.toml", text) {
        Err(ScenarioError::At(at)) => *at,
        Err(ScenarioError::Several(all)) => all[0].clone(),
        Err(e) => panic!("expected a located error, got {e}"),
        Ok(_) => panic!("accepted:\n{text}"),
    }
}

const HEAD: &str = "name = \"x\"\nduration = \"10s\"\n[fleet.web]\ncount = 1\n";

#[test]
fn closed_loop_without_any_delay_is_refused_at_its_arrival() {
    let at = refused(&format!("{HEAD}arrival = {{ process = \"closed\" }}\n"));
    assert_eq!((at.line, at.col), (5, 11), "{at}");
    assert!(at.message.contains("could never advance"), "{at}");
    // Think time of zero mean, spelled out, is the same loop.
    let at = refused(&format!(
        "{HEAD}arrival = {{ process = \"closed\", think = {{ dist = \"constant\", value = \"0s\" }} }}\n"
    ));
    assert_eq!(at.line, 5, "{at}");
}

#[test]
fn closed_loop_with_think_time_or_network_delay_loads() {
    let think = format!(
        "{HEAD}arrival = {{ process = \"closed\", think = {{ dist = \"exponential\", mean = \"1s\" }} }}\n"
    );
    assert!(load_str("s.toml", &think).is_ok());
    let net = format!(
        "{HEAD}arrival = {{ process = \"closed\" }}\n[network]\ndelay = {{ dist = \"constant\", value = \"1ms\" }}\n"
    );
    load_str("s.toml", &net).unwrap();
}

#[test]
fn rates_above_one_per_nanosecond_are_refused_at_the_rate() {
    for arrival in [
        "{ process = \"poisson\", rate = \"10000000000/s\" }",
        "{ process = \"constant\", rate = \"10000000000/s\" }",
        "{ process = \"on_off\", rate = \"10000000000/s\", on = \"1s\", off = \"1s\" }",
        "{ process = \"diurnal\", low = \"1/s\", high = \"10000000000/s\", period = \"1h\" }",
        "{ process = \"piecewise\", points = [{ from = \"0s\", rate = \"10000000000/s\" }] }",
    ] {
        let text = format!("{HEAD}arrival = {arrival}\n");
        let at = refused(&text);
        assert_eq!(at.line, 5, "{at}");
        let col = text
            .lines()
            .nth(4)
            .unwrap()
            .find("\"10000000000/s\"")
            .unwrap()
            + 1;
        assert_eq!(at.col, col, "{at}");
        assert!(at.message.contains("one arrival per nanosecond"), "{at}");
    }
    // One per nanosecond exactly still advances time.
    load_str(
        "s.toml",
        &format!("{HEAD}arrival = {{ process = \"poisson\", rate = \"1000000000/s\" }}\n"),
    )
    .unwrap();
}

#[test]
fn a_run_that_stops_advancing_time_fails_fast_with_a_clear_error() {
    // Think time: almost always zero (one in a billion draws is 1 s), so its mean is 1 ns and
    // the load check lets it through; the engine's stall guard must stop it.
    let mut s = Scenario::new("stall");
    s.duration = Nanos::from_secs(10);
    s.fleets.push(Fleet::new(
        "web",
        1,
        Arrival::Closed {
            concurrency: 1,
            think: Distribution::Bimodal {
                low: Nanos::ZERO,
                high: Nanos::from_secs(1),
                p_high: 1e-9,
            },
        },
    ));
    let started = Instant::now();
    let err = sim::run(&s, 1).unwrap_err();
    assert!(
        matches!(err, SimError::Stalled { at, .. } if at == Nanos::ZERO),
        "{err}"
    );
    assert!(err.to_string().contains("stopped advancing"), "{err}");
    assert!(started.elapsed() < Duration::from_secs(60));
}

#[test]
fn a_cron_burst_of_many_clients_at_one_instant_is_not_a_stall() {
    let mut s = Scenario::new("burst");
    s.duration = Nanos::from_secs(2);
    s.fleets.push(Fleet::new(
        "cron",
        200_000,
        Arrival::Cron {
            period: Nanos::from_secs(60),
            offset: Nanos::ZERO,
        },
    ));
    let r = sim::run(&s, 1).unwrap();
    assert_eq!(r.summary.logical_requests, 200_000);
}

#[test]
fn endless_or_huge_files_are_refused_without_reading_them_whole() {
    if std::path::Path::new("/dev/zero").exists() {
        let e = read_file(std::path::Path::new("/dev/zero")).unwrap_err();
        assert!(matches!(e, ScenarioError::TooLarge { .. }), "{e}");
        assert!(e.to_string().contains(&MAX_FILE_BYTES.to_string()), "{e}");
    }
    let dir = std::env::temp_dir().join(format!("no-stall-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bin = dir.join("bin.toml");
    std::fs::write(&bin, [0xff, 0xfe, 0x00]).unwrap();
    let e = read_file(&bin).unwrap_err();
    assert!(e.to_string().contains("not UTF-8"), "{e}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_sweep_with_billions_of_seeds_is_refused_before_allocating() {
    let text = format!("{HEAD}arrival = {{ process = \"poisson\", rate = \"1/s\" }}\n");
    let args = sim::sweep::SweepArgs {
        params: Vec::new(),
        seeds: Some(u32::MAX),
        first_seed: None,
    };
    let started = Instant::now();
    let e = sim::sweep::Plan::from_text("s.toml", &text, &args).unwrap_err();
    assert!(e.to_string().contains("more than 1000000 runs"), "{e}");
    assert!(started.elapsed() < Duration::from_secs(5));
}
