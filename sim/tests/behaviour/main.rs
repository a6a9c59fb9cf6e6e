//! The simulator's behaviour tests, one binary: each module checks one part of the model
//! (arrivals, retries, gates, servers, deployments, scenarios) through the public API.
//!
//! One binary rather than one per file: 40 binaries of about 40 MB each spent CI's disk and
//! link time for nothing.

mod backend_deadline;
mod brooker_retries;
mod common_random_numbers;
mod deployment_props;
mod deployment_replica_faults;
mod deployment_scenario;
mod deployments;
mod engine_determinism;
mod error_wording;
mod experiments;
mod fit_policies;
mod fleet_429;
mod fleet_arrivals;
mod fleet_timeouts;
mod hedging;
mod idempotency_changed_body;
mod keyed_levels;
mod level_dialects;
mod level_options;
mod metrics_over_time;
mod network_replica;
mod no_stall;
mod resilience_backoffs;
mod resilience_gates;
mod resilience_headers;
mod resilience_idempotency;
mod resilience_props;
mod resilience_scenario;
mod retry_policies;
mod scenario_convert;
mod scenario_corpus;
mod scenario_fuzz;
mod scenario_readme;
mod seed_scenarios;
mod server_faults;
mod server_hierarchy;
mod server_queueing;
mod sweep_plan;
mod tenant_figures;
mod trace_arrival;
mod upstream_failover;
