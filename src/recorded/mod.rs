//! A live run as the lab keeps it on disk, and the figures by which two runs are compared.
//!
//! `load` and `check-live` (live mode) write these files; `report DIR` and `compare DIR...`
//! read them back. That reading needs none of live mode's machinery (tokio, the HTTP server,
//! Redis), so it lives here, in every build: a binary built without the `live` feature still
//! reports and compares live runs recorded elsewhere.

// writing a live run and the check-live helpers are used by live mode alone
#![cfg_attr(not(feature = "live"), allow(dead_code, unused_imports))]

pub mod compare;
pub mod figures;
pub mod files;
pub mod run;

pub use files::{read_live_result, write_live_run};
pub use run::{LiveInfo, LiveRun};
