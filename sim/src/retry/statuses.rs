//! Which response statuses a policy retries: a 600-bit set, cheap to copy and to test.
//!
//! The default follows seed 002's status matrix ("429: yes, with backoff; 500, 502/503/504:
//! yes, with backoff; other 4xx: no") plus 408 Request Timeout and 425 Too Early, which
//! RFC 9110 and RFC 8470 define as safe to retry.

/// A set of HTTP statuses (100..=599).
///
/// ```
/// use sim::retry::StatusSet;
/// let s = StatusSet::default();
/// assert!(s.contains(429) && s.contains(503) && s.contains(408));
/// assert!(!s.contains(400) && !s.contains(402));
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct StatusSet {
    bits: [u64; 10],
}

impl StatusSet {
    /// No status.
    pub const fn empty() -> StatusSet {
        StatusSet { bits: [0; 10] }
    }
    /// The given statuses; values outside 0..640 are ignored (validation rejects them earlier).
    pub fn of(statuses: &[u16]) -> StatusSet {
        let mut s = StatusSet::empty();
        for &st in statuses {
            s.insert(st);
        }
        s
    }
    /// Add one status.
    pub fn insert(&mut self, status: u16) {
        let i = status as usize;
        if i < 640 {
            self.bits[i / 64] |= 1 << (i % 64);
        }
    }
    /// Membership.
    pub fn contains(&self, status: u16) -> bool {
        let i = status as usize;
        i < 640 && self.bits[i / 64] & (1 << (i % 64)) != 0
    }
    /// The members, ascending.
    pub fn iter(&self) -> impl Iterator<Item = u16> + '_ {
        (0u16..640).filter(|&s| self.contains(s))
    }
}

impl Default for StatusSet {
    /// 408, 425, 429 and every 5xx.
    fn default() -> StatusSet {
        let mut s = StatusSet::of(&[408, 425, 429]);
        for st in 500..600 {
            s.insert(st);
        }
        s
    }
}

impl std::fmt::Debug for StatusSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_retries_throttling_and_5xx_only() {
        let s = StatusSet::default();
        for st in [408, 425, 429, 500, 502, 503, 504, 599] {
            assert!(s.contains(st), "{st}");
        }
        for st in [200, 400, 401, 402, 403, 404, 409, 422, 600] {
            assert!(!s.contains(st), "{st}");
        }
    }

    #[test]
    fn explicit_sets_hold_exactly_their_members() {
        let s = StatusSet::of(&[429, 503]);
        assert_eq!(s.iter().collect::<Vec<_>>(), vec![429, 503]);
    }
}
