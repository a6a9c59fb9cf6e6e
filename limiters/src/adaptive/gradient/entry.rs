//! The `gradient` algorithm's registry entry: its parameters as a scenario writes them, with
//! Envoy's defaults, parsed into a [`GradientConfig`].

use super::{Gradient, GradientConfig};
use crate::adaptive::to_ppm;
use crate::{Entry, LimiterError, ParamDoc, Params};

const PARAMS: &[ParamDoc] = &[
    ParamDoc {
        name: "sample_interval",
        help: "sampleRTT window and limit update period (default 100ms)",
    },
    ParamDoc {
        name: "min_rtt_interval",
        help: "time between minRTT measurements (default 60s; no jitter)",
    },
    ParamDoc {
        name: "min_rtt_request_count",
        help: "samples per minRTT measurement (default 50)",
    },
    ParamDoc {
        name: "min_concurrency",
        help: "limit while measuring minRTT, and the floor (default 3)",
    },
    ParamDoc {
        name: "max_limit",
        help: "ceiling of the limit (default 1000)",
    },
    ParamDoc {
        name: "buffer",
        help: "minRTT buffer in percent (default 25)",
    },
    ParamDoc {
        name: "percentile",
        help: "latency aggregation percentile (default 50)",
    },
    ParamDoc {
        name: "retry_hint",
        help: "duration reported as retry_after on a denial (default 1s)",
    },
];

/// Registry entry for `gradient`.
pub fn entry() -> Entry {
    Entry {
        name: "gradient",
        summary: "adaptive concurrency from minRTT / sampleRTT gradient with sqrt headroom (Envoy adaptive concurrency, gradient controller)",
        params: PARAMS,
        factory: |p| Ok(Box::new(Gradient::from_params(p)?)),
    }
}

impl Gradient {
    /// Build from scenario parameters (names as in [`entry()`]; Envoy's defaults).
    pub fn from_params(p: &Params) -> Result<Gradient, LimiterError> {
        let d = GradientConfig::default();
        let pct = |name: &str, default: u64| -> Result<u64, LimiterError> {
            let v = p.f64_or(name, default as f64 / 10_000.0)?;
            if !(0.0..=100.0).contains(&v) {
                return Err(LimiterError::invalid(
                    name,
                    format!("must be a percentage in [0, 100], got {v}"),
                ));
            }
            Ok(to_ppm(v / 100.0))
        };
        let count = p.u64_or("min_rtt_request_count", u64::from(d.min_rtt_request_count))?;
        Gradient::new(GradientConfig {
            sample_interval: p.duration_or("sample_interval", d.sample_interval)?,
            min_rtt_interval: p.duration_or("min_rtt_interval", d.min_rtt_interval)?,
            min_rtt_request_count: u32::try_from(count)
                .map_err(|_| LimiterError::invalid("min_rtt_request_count", "too large"))?,
            min_concurrency: p.u64_or("min_concurrency", d.min_concurrency)?,
            max_limit: p.u64_or("max_limit", d.max_limit)?,
            buffer_ppm: pct("buffer", d.buffer_ppm)?,
            percentile_ppm: pct("percentile", d.percentile_ppm)?,
            retry_hint: p.duration_or("retry_hint", d.retry_hint)?,
        })
    }
}
