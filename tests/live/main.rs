//! Live mode's behaviour tests, one binary: each module starts the real `throttlelab serve`
//! (and Redis, HAProxy or the load client where it needs them) on loopback.
//!
//! One binary for the same reason as `tests/cli`: each test binary links the whole dependency
//! set. The tests that judge a live run against the simulation within a tolerance stay in
//! their own binaries (`tests/cli_check_live*.rs`, `tests/live_deployment_check.rs`,
//! `tests/replay_counterfactual.rs`, `tests/conform_*.rs`), so that no other test's load
//! shares the two cores with them.

#![cfg(feature = "live")]

#[path = "../live_common/mod.rs"]
mod live_common;

mod live_ambiguous;
mod live_attempt_identity;
mod live_closed_loop;
mod live_deployment;
mod live_disconnect;
mod live_gauges;
mod live_hedge;
mod live_http;
mod live_isolation;
mod live_keys;
mod live_level_dialects;
mod live_load;
mod live_malformed;
mod live_open_registration;
mod live_redis;
mod live_redis_bounded;
mod live_redis_levels;
mod live_redis_restart;
mod live_redis_seeds;
mod live_scenario_levels;
