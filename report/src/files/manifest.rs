//! `manifest.json`: what produced the files, without anything that changes between two
//! identical runs (no wall-clock time, no absolute path, no host name).

use serde::Serialize;
use sha2::{Digest, Sha256};
use sim::metrics::RunResult;

/// The provenance of a run's files.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Manifest {
    /// Scenario name.
    pub scenario: String,
    /// The scenario file's name (without its folder: the same file gives the same manifest
    /// wherever it is run from).
    pub scenario_file: String,
    /// SHA-256 of the scenario file's bytes, lowercase hex.
    pub scenario_sha256: String,
    /// The seed used.
    pub seed: u64,
    /// `throttlelab` version.
    pub throttlelab_version: String,
    /// Events the engine processed.
    pub events: u64,
    /// The files written beside this one.
    pub files: Vec<String>,
}

/// `manifest.json`: the manifest and the run's bucket widths (seconds), which the tables'
/// Parquet metadata also carry (`crate::tables::run_meta`).
#[derive(Debug, Serialize)]
pub(crate) struct WithBuckets<'a> {
    #[serde(flatten)]
    manifest: &'a Manifest,
    bucket_s: f64,
    latency_bucket_s: f64,
}

impl Manifest {
    /// The manifest of a run of `contents` (the scenario file's bytes).
    ///
    /// ```
    /// let m = report::files::Manifest::new("calm", "calm.toml", b"abc", 42, "0.1.0", 10);
    /// assert_eq!(m.scenario_sha256,
    ///            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    /// ```
    pub fn new(
        scenario: &str,
        scenario_file: &str,
        contents: &[u8],
        seed: u64,
        version: &str,
        events: u64,
    ) -> Manifest {
        let hash = Sha256::digest(contents);
        Manifest {
            scenario: scenario.to_string(),
            scenario_file: scenario_file.to_string(),
            scenario_sha256: hash.iter().map(|b| format!("{b:02x}")).collect(),
            seed,
            throttlelab_version: version.to_string(),
            events,
            files: std::iter::once("summary.json".to_owned())
                .chain(
                    crate::tables::RUN_TABLES
                        .iter()
                        .flat_map(|(stem, _)| crate::tables::table_files(stem)),
                )
                .collect(),
        }
    }

    /// What `manifest.json` holds for a run of `r`: this manifest and `r`'s bucket widths.
    pub(crate) fn with_buckets<'a>(&'a self, r: &RunResult) -> WithBuckets<'a> {
        WithBuckets {
            manifest: self,
            bucket_s: r.series.bucket_s,
            latency_bucket_s: r.series.latency_bucket_s,
        }
    }
}
