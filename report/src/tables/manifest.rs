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
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
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
    /// The time series' bucket width (seconds), when every point has the same (also in the
    /// tables' Parquet metadata); absent when the sweep varies `bucket`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bucket_s: Option<f64>,
}

impl SweepManifest {
    /// The `kind` field's value.
    pub const KIND: &'static str = "throttlelab-sweep";
}

/// The contents of `compare.json`: which scenarios were compared with which seeds, so
/// `throttlelab report DIR` can rebuild the comparison's report from its tables.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompareManifest {
    /// Always `throttlelab-compare`.
    pub kind: String,
    /// The throttlelab version that wrote it.
    pub version: String,
    /// Variant A's name.
    pub a: String,
    /// Variant B's name.
    pub b: String,
    /// A's scenario file as given.
    pub a_file: String,
    /// B's scenario file as given.
    pub b_file: String,
    /// The seeds both ran with, in order.
    pub seeds: Vec<u64>,
}

impl CompareManifest {
    /// The `kind` field's value.
    pub const KIND: &'static str = "throttlelab-compare";
    /// File name of A's scenario copy.
    pub const A_COPY: &'static str = "scenario-a.toml";
    /// File name of B's scenario copy.
    pub const B_COPY: &'static str = "scenario-b.toml";
}
