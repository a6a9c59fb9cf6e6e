//! `X-Request-Identity`: a request naming its attempt gets the simulator's fault coin for that
//! attempt (`sim::engine::Crn`), whatever order the server sees requests in.

// live mode: built with the `live` feature (the default)
#![cfg(feature = "live")]

use crate::live_common;

use live_common::{client, Server};
use sim::engine::{AttemptId, Crn, Purpose};

fn simulated(seed: u64, request: u32) -> u16 {
    let mut coin =
        Crn::new(seed, Purpose::Faults).stream(AttemptId::named("web", 2, request, 1), 0);
    if coin.unit() < 0.5 {
        500
    } else {
        200
    }
}

#[tokio::test]
async fn a_named_attempt_gets_the_simulators_coin_in_any_order() {
    let srv = Server::start(&["--error-rate", "0.5", "--seed", "7"]);
    let c = client();
    let mut got = Vec::new();
    // served last-first: a per-server sequence would give request 40 the first coin
    for r in (1..=40u32).rev() {
        let status = c
            .post(srv.url("/v1/work"))
            .header("authorization", srv.bearer("key-0"))
            .header("content-type", "application/json")
            .header("x-request-identity", format!("web.2.{r}.1"))
            .body("{}")
            .send()
            .await
            .expect("answer")
            .status()
            .as_u16();
        got.push((r, status));
    }
    let want: Vec<(u32, u16)> = (1..=40u32).rev().map(|r| (r, simulated(7, r))).collect();
    assert!(want.iter().any(|w| w.1 == 500) && want.iter().any(|w| w.1 == 200));
    assert_eq!(got, want);
}
