//! `sweep.json`: what a sweep folder (or one shard of it) holds, so `throttlelab merge` can
//! check that shards belong together and are all there, and a reader knows the parameters
//! and seeds without parsing the tables.

use serde::{Deserialize, Serialize};

/// One parameter and its values as shown (strings bare).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParamManifest {
    /// Dotted path.
    pub path: String,
    /// Values in order.
    pub values: Vec<String>,
}

/// The contents of `sweep.json`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SweepManifest {
    /// Always `throttlelab-sweep`.
    pub kind: String,
    /// The throttlelab version that wrote it.
    pub version: String,
    /// Scenario name.
    pub scenario: String,
    /// Hash of the base document, parameters and seeds (names the folder).
    pub hash: String,
    /// Parameters in order.
    pub params: Vec<ParamManifest>,
    /// The seeds every point runs with.
    pub seeds: Vec<u64>,
    /// Points in the product.
    pub points: usize,
    /// Jobs in the whole sweep (points x seeds).
    pub jobs: usize,
    /// `[index, count]` of this shard; `None` for a whole sweep (or a merged one).
    pub shard: Option<[u32; 2]>,
    /// Jobs in this folder.
    pub jobs_here: usize,
    /// Whether time series were kept.
    pub timeseries: bool,
}

impl SweepManifest {
    /// The `kind` field's value.
    pub const KIND: &'static str = "throttlelab-sweep";
}
