//! Which key (or tenant) of a keyed limiter level is the hottest in the current bucket: the one
//! with the most attempts arriving. The time series samples that key's limiter state at the
//! bucket's end.
//!
//! Why the hottest key rather than a sum or a minimum across keys: a sum of remaining tokens
//! over thousands of idle keys says nothing about the clients being throttled, and the minimum
//! is pinned at zero as soon as any single key misbehaves. The hottest key is the one a herd or
//! a retry storm drains, so its remaining-against-limit line shows the storm, and with one key
//! per fleet (the common case) it is simply the busiest fleet's limit.
//!
//! Counters carry the bucket they belong to, so a new bucket needs no sweep: a counter from an
//! older bucket reads as zero. Recording is a compare, an add and a compare.

/// The tracker.
#[derive(Debug, Default)]
pub(crate) struct HotKey {
    /// Per id: (bucket index + 1, attempts in that bucket); 0 = never.
    counts: Vec<(u32, u32)>,
    best: Option<u32>,
    best_count: u32,
    best_stamp: u32,
}

impl HotKey {
    /// An attempt for `id` arrived during bucket `bucket`.
    #[inline]
    pub fn record(&mut self, id: u32, bucket: usize) {
        let stamp = (bucket as u32).wrapping_add(1);
        let i = id as usize;
        if i >= self.counts.len() {
            // Grows with the number of distinct ids seen (amortised), not per event.
            self.counts.resize(i + 1, (0, 0));
        }
        let c = &mut self.counts[i];
        if c.0 != stamp {
            *c = (stamp, 0);
        }
        c.1 = c.1.saturating_add(1);
        if self.best_stamp != stamp || c.1 > self.best_count {
            self.best = Some(id);
            self.best_count = c.1;
            self.best_stamp = stamp;
        }
    }

    /// The hottest id of the latest bucket that had any attempt (`None` before the first).
    pub fn hottest(&self) -> Option<u32> {
        self.best
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_busiest_id_of_the_bucket_wins_and_old_counts_are_forgotten() {
        let mut h = HotKey::default();
        assert_eq!(h.hottest(), None);
        for id in [3, 3, 3, 7] {
            h.record(id, 0);
        }
        assert_eq!(h.hottest(), Some(3));
        // Bucket 1: id 3's three earlier attempts do not count.
        for id in [7, 7, 3] {
            h.record(id, 1);
        }
        assert_eq!(h.hottest(), Some(7));
        // An empty bucket keeps the last answer.
        assert_eq!(h.hottest(), Some(7));
        h.record(1, 5);
        assert_eq!(h.hottest(), Some(1));
    }
}
