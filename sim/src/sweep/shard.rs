//! `--shard i/n`: one deterministic slice of a sweep's jobs, so a large sweep can be spread
//! over machines by any batch scheduler (array jobs, CI matrices) and joined afterwards with
//! `throttlelab merge`. Job `j` belongs to shard `j mod n + 1`: the shards partition the jobs,
//! each shard gets every point's seeds in turn, and no shard needs to know the others ran.

use std::fmt;
use std::str::FromStr;

/// Shard `index` of `count` (1-based: `1/4` .. `4/4`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    /// This shard, from 1.
    pub index: u32,
    /// How many shards.
    pub count: u32,
}

impl Shard {
    /// The whole sweep as one shard.
    pub const ALL: Shard = Shard { index: 1, count: 1 };

    /// Whether job `job` belongs to this shard.
    ///
    /// ```
    /// let s: sim::sweep::Shard = "2/3".parse().unwrap();
    /// let mine: Vec<usize> = (0..9).filter(|j| s.owns(*j)).collect();
    /// assert_eq!(mine, [1, 4, 7]);
    /// ```
    pub fn owns(&self, job: usize) -> bool {
        job % self.count as usize == (self.index - 1) as usize
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl FromStr for Shard {
    type Err = String;
    fn from_str(s: &str) -> Result<Shard, String> {
        let usage = || format!("`{s}`: expected a shard as I/N with 1 <= I <= N, such as 2/8");
        let (i, n) = s.split_once('/').ok_or_else(usage)?;
        let index: u32 = i.trim().parse().map_err(|_| usage())?;
        let count: u32 = n.trim().parse().map_err(|_| usage())?;
        if index == 0 || count == 0 || index > count {
            return Err(usage());
        }
        Ok(Shard { index, count })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_partition_the_jobs() {
        for n in 1..6u32 {
            let shards: Vec<Shard> = (1..=n)
                .map(|i| format!("{i}/{n}").parse().unwrap())
                .collect();
            for job in 0..50 {
                assert_eq!(shards.iter().filter(|s| s.owns(job)).count(), 1);
            }
        }
    }

    #[test]
    fn bad_shards_are_refused() {
        for s in ["0/3", "4/3", "1/0", "1", "a/b", "1/2/3", ""] {
            assert!(s.parse::<Shard>().is_err(), "{s}");
        }
        assert_eq!("3/3".parse::<Shard>().unwrap().to_string(), "3/3");
    }
}
