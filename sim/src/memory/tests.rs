use super::*;
use crate::model::{Arrival, Fleet};
use limiters::Nanos;

fn one(count: u32) -> Scenario {
    let mut s = Scenario::new("m");
    s.duration = Nanos::from_secs(10);
    s.fleets.push(Fleet::new(
        "web",
        count,
        Arrival::Poisson {
            rate: "1/s".parse().unwrap(),
        },
    ));
    s
}

#[test]
fn ten_million_clients_fit_the_default_limit_at_their_measured_size() {
    // issue #19: a run of 10,000,000 clients fits in 4 GB (measured: 1.95 GB peak, release)
    let m = one(10_000_000).memory_estimate();
    assert!(m.bytes > 3 << 30, "{m}");
    assert_eq!(m.within(DEFAULT_MAX_MEMORY), Ok(()));
    let m = one(20_000_000).memory_estimate();
    assert!(m.within(DEFAULT_MAX_MEMORY).is_err());
    assert!(m.within(16 << 30).is_ok());
}

#[test]
fn small_runs_fit_the_default() {
    let m = one(100).memory_estimate();
    assert!(m.bytes < 64 << 20, "{m}");
    assert_eq!(m.within(DEFAULT_MAX_MEMORY), Ok(()));
}

#[test]
fn refusal_names_estimate_limit_and_override() {
    let err = one(20_000_000)
        .memory_estimate()
        .within(1 << 30)
        .unwrap_err();
    assert!(
        err.contains("about 7.") && err.contains("limit of 1.0 GiB"),
        "{err}"
    );
    assert!(
        err.contains("--max-memory") && err.contains("20000000 clients"),
        "{err}"
    );
}

#[test]
fn sizes_parse_and_print() {
    assert_eq!(parse_bytes("4g"), Ok(4 << 30));
    assert_eq!(parse_bytes(" 2 KB "), Ok(2048));
    assert!(parse_bytes("99999999999T").is_err());
    assert!(parse_bytes("").is_err());
    assert_eq!(Bytes(4 << 30).to_string(), "4.0 GiB");
    assert_eq!(Bytes(12).to_string(), "12 B");
}
