//! The atlas's tables: a point's runs reduced to each figure's mean and 95% interval
//! (Student's t over the seeds), one row per point (`atlas.{parquet,csv}`) and one row per run
//! (`runs.{parquet,csv}`), the point's axes first.

use super::{AtlasPoint, AtlasRun, FIGURES};
use crate::tables::{stats, Cell, Stats, Table};

/// A point with its runs' statistics, in [`FIGURES`] order.
#[derive(Clone, Debug, PartialEq)]
pub struct PointStats {
    /// The point.
    pub point: AtlasPoint,
    /// Runs (seeds).
    pub runs: usize,
    /// One per figure of [`FIGURES`].
    pub figures: Vec<Stats>,
}

impl PointStats {
    /// The mean of figure `name`.
    pub fn mean(&self, name: &str) -> f64 {
        FIGURES
            .iter()
            .position(|f| f.0 == name)
            .and_then(|i| self.figures.get(i))
            .map_or(f64::NAN, |s| s.mean)
    }
}

/// The points of `runs` (grouped by point in first-seen order) with their statistics.
pub fn point_stats(runs: &[AtlasRun]) -> Vec<PointStats> {
    let mut points: Vec<(AtlasPoint, Vec<&AtlasRun>)> = Vec::new();
    for r in runs {
        match points.iter_mut().find(|(p, _)| *p == r.point) {
            Some((_, rs)) => rs.push(r),
            None => points.push((r.point.clone(), vec![r])),
        }
    }
    points
        .into_iter()
        .map(|(point, rs)| PointStats {
            point,
            runs: rs.len(),
            figures: FIGURES
                .iter()
                .map(|(_, f)| {
                    let xs: Vec<f64> = rs.iter().map(|r| f(r)).collect();
                    stats(&xs).unwrap_or(Stats {
                        n: 0,
                        mean: f64::NAN,
                        std: None,
                        ci95: None,
                    })
                })
                .collect(),
        })
        .collect()
}

fn key_cells(p: &AtlasPoint) -> Vec<(&'static str, Cell)> {
    let opt = |v: &Option<String>| v.clone().map_or(Cell::Null, Cell::Str);
    vec![
        ("design", Cell::Str(p.design.clone())),
        ("sync_interval", opt(&p.interval)),
        ("store_rtt", opt(&p.rtt)),
        ("balancer", Cell::Str(p.balancer.clone())),
        ("replicas", Cell::U64(u64::from(p.replicas))),
    ]
}

/// One row per run.
pub fn runs_table(runs: &[AtlasRun]) -> Table {
    let mut t = Table::new();
    for r in runs {
        let mut row = key_cells(&r.point);
        row.extend([
            ("seed", Cell::U64(r.seed)),
            ("admitted", Cell::U64(r.admitted)),
            ("admitted_over_limit", Cell::U64(r.admitted_over_limit)),
            ("refused_with_room", Cell::U64(r.refused_with_room)),
        ]);
        row.extend(FIGURES.iter().map(|(name, f)| (*name, Cell::F64(f(r)))));
        t.push(row);
    }
    t
}

/// One row per point: each figure's mean and 95% interval.
pub fn points_table(points: &[PointStats]) -> Table {
    let mut t = Table::new();
    for p in points {
        let mut row: Vec<(String, Cell)> = key_cells(&p.point)
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect();
        row.push(("runs".into(), Cell::U64(p.runs as u64)));
        for ((name, _), s) in FIGURES.iter().zip(&p.figures) {
            let (lo, hi) = s.ci95.map_or((None, None), |(l, h)| (Some(l), Some(h)));
            row.push((format!("{name}_mean"), Cell::F64(s.mean)));
            row.push((format!("{name}_ci95_lo"), Cell::from(lo)));
            row.push((format!("{name}_ci95_hi"), Cell::from(hi)));
        }
        t.push(row);
    }
    t
}
