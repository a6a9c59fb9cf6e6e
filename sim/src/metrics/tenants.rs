//! Per-tenant counters: limiter rejections and server errors by status, and the latency of
//! successful logical requests, for the tenants table and the tenant rows of sweeps and
//! compares (where tenants differ from fleets, a fleet's totals hide what each tenant got).
//!
//! Tenants are indexed by a dense slot (`client::Identity::tenant_slot`, at most one per
//! client), so recording is an index into a `Vec`, never a map lookup. Cost is bounded per
//! tenant: one `u64` per status the run can produce, plus one [`loghist`] row (1,152 bytes,
//! percentiles within 6.25%) while the run has at most [`MAX_TENANT_LATENCY_ROWS`] tenants.
//! A run with more tenants (one per client, say, a million) records no per-tenant latency
//! rather than a gigabyte of histograms: its tenant rows leave p50/p99 empty.

use super::{loghist, Recorder, TenantRow};

/// Most tenants with a latency histogram: 16,384 rows of [`loghist::BINS`] `u32` counters are
/// about 19 MB (the budget of the per-bucket latency rows, `super::MAX_LATENCY_ROWS`).
pub const MAX_TENANT_LATENCY_ROWS: usize = 16_384;

/// The counters of every tenant of a run.
#[derive(Debug, Default)]
pub(crate) struct TenantRec {
    statuses: usize,
    /// `tenants * statuses` counters, by tenant then status slot.
    by_status: Vec<u64>,
    /// `tenants * loghist::BINS` counters; empty past [`MAX_TENANT_LATENCY_ROWS`] tenants.
    latency: Vec<u32>,
}

impl TenantRec {
    /// Counters for `tenants` tenants and `statuses` status slots.
    pub fn new(tenants: usize, statuses: usize) -> TenantRec {
        let latency = if tenants <= MAX_TENANT_LATENCY_ROWS {
            vec![0; tenants * loghist::BINS]
        } else {
            Vec::new()
        };
        TenantRec {
            statuses,
            by_status: vec![0; tenants * statuses],
            latency,
        }
    }

    /// Tenant `tenant` got a response in status slot `slot`; out of range is ignored (a
    /// recorder built without tenants).
    #[inline]
    pub fn response(&mut self, tenant: u32, slot: usize) {
        if let Some(c) = self
            .by_status
            .get_mut(tenant as usize * self.statuses + slot)
        {
            *c += 1;
        }
    }

    /// A logical request of tenant `tenant` succeeded after `us` microseconds.
    #[inline]
    pub fn success(&mut self, tenant: u32, us: u64) {
        let start = tenant as usize * loghist::BINS;
        if let Some(row) = self.latency.get_mut(start..start + loghist::BINS) {
            loghist::record(row, us);
        }
    }

    /// The count of each status slot of tenant `tenant`, and its p50 and p99 (ms).
    fn figures(&self, tenant: usize) -> (Vec<u64>, Option<f64>, Option<f64>) {
        let span = tenant * self.statuses..(tenant + 1) * self.statuses;
        let by_status = self.by_status.get(span).map(<[u64]>::to_vec);
        let start = tenant * loghist::BINS;
        let row = self.latency.get(start..start + loghist::BINS);
        let q = |q: f64| {
            row.and_then(|r| loghist::quantile(r, q))
                .map(|us| us / 1_000.0)
        };
        (
            by_status.unwrap_or_else(|| vec![0; self.statuses]),
            q(0.5),
            q(0.99),
        )
    }
}

impl Recorder {
    /// Fill `row`'s rejections, server errors and latency percentiles from the counters of
    /// tenant slot `tenant` (see [`Recorder::with_tenants`]); a slot without counters gives
    /// zeros by status and no percentiles.
    pub fn fill_tenant(&self, tenant: usize, row: &mut TenantRow) {
        let (counts, p50, p99) = self.tenants.figures(tenant);
        row.rejected.clear();
        row.server_errors.clear();
        for (&s, n) in self.statuses.iter().zip(counts) {
            if s >= 500 {
                row.server_errors.insert(s, n);
            } else {
                row.rejected.insert(s, n);
            }
        }
        row.rejected_total = row.rejected.values().sum();
        row.server_errors_total = row.server_errors.values().sum();
        row.latency_p50_ms = p50;
        row.latency_p99_ms = p99;
    }
}

/// Bytes of the per-tenant counters of a run with `tenants` tenants and `statuses` statuses
/// (for memory estimates).
pub fn tenant_bytes(tenants: u64, statuses: u64) -> u64 {
    let lat = if tenants <= MAX_TENANT_LATENCY_ROWS as u64 {
        tenants.saturating_mul(loghist::BINS as u64 * 4)
    } else {
        0
    };
    tenants.saturating_mul(statuses * 8).saturating_add(lat)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_percentiles_per_tenant() {
        let mut t = TenantRec::new(3, 2);
        t.response(0, 1);
        t.response(2, 0);
        t.response(2, 0);
        for ms in 1..=100u64 {
            t.success(1, ms * 1_000);
        }
        assert_eq!(t.figures(0).0, vec![0, 1]);
        assert_eq!(t.figures(2).0, vec![2, 0]);
        let (counts, p50, p99) = t.figures(1);
        assert_eq!(counts, vec![0, 0]);
        let (p50, p99) = (p50.unwrap(), p99.unwrap());
        assert!((p50 - 50.0).abs() <= 50.0 / 16.0, "{p50}");
        assert!((p99 - 99.0).abs() <= 99.0 / 16.0, "{p99}");
        assert_eq!(t.figures(0).1, None);
    }

    #[test]
    fn out_of_range_tenants_are_ignored_not_a_panic() {
        let mut t = TenantRec::default();
        t.response(7, 0);
        t.success(7, 1_000);
        assert_eq!(t.figures(7), (vec![], None, None));
    }

    #[test]
    fn many_tenants_keep_rejections_but_no_histograms() {
        let n = MAX_TENANT_LATENCY_ROWS + 1;
        let mut t = TenantRec::new(n, 1);
        t.success(5, 1_000);
        t.response(n as u32 - 1, 0);
        assert_eq!(t.figures(5).1, None);
        assert_eq!(t.figures(n - 1).0, vec![1]);
        assert_eq!(tenant_bytes(n as u64, 1), n as u64 * 8);
        assert_eq!(tenant_bytes(4, 2), 4 * 16 + 4 * 1_152);
    }
}
