//! `points`: the runs of a sweep aggregated per point, every figure as mean, sample standard
//! deviation and 95% confidence interval of the mean over the point's seeds
//! (`goodput_rps_mean`, `goodput_rps_std`, `goodput_rps_ci95_lo`, `goodput_rps_ci95_hi`).
//! Flags (`recovered`) average to the fraction of seeds where they held. A figure a seed did
//! not produce (latency without any success) is left out of that point's statistics; `runs`
//! is the number of seeds.

use super::figures::{rank, Rank, FIGURES};
use super::stats::stats;
use super::table::{Cell, Table};
use std::collections::HashMap;

/// Statistic suffixes, in column order.
pub const SUFFIXES: [&str; 4] = ["_mean", "_std", "_ci95_lo", "_ci95_hi"];

/// Aggregate `runs` over the rows that share the values of `group` (rows of one group need
/// not be adjacent; groups come in order of first appearance). Columns in `skip` (the seed)
/// are dropped; every other column that is not in `group` is a figure.
pub fn points_table(runs: &Table, group: &[&str], skip: &[&str]) -> Table {
    let figures: Vec<&String> = runs
        .names()
        .iter()
        .filter(|n| !group.contains(&n.as_str()) && !skip.contains(&n.as_str()))
        .collect();
    let mut groups: Vec<(Vec<Cell>, Vec<usize>)> = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for r in 0..runs.len() {
        let key: Vec<Cell> = group
            .iter()
            .map(|g| runs.column(g).map_or(Cell::Null, |c| c[r].clone()))
            .collect();
        let id = key
            .iter()
            .map(|c| format!("{c:?}"))
            .collect::<Vec<_>>()
            .join("\u{1f}");
        match seen.get(&id) {
            Some(&g) => groups[g].1.push(r),
            None => {
                seen.insert(id, groups.len());
                groups.push((key, vec![r]));
            }
        }
    }
    let mut out = Table::new();
    for (key, rows) in groups {
        let mut cells: Vec<(String, Cell)> = group
            .iter()
            .zip(key)
            .map(|(g, c)| (g.to_string(), c))
            .collect();
        cells.push(("runs".into(), Cell::U64(rows.len() as u64)));
        for f in &figures {
            let Some(col) = runs.column(f) else { continue };
            if col.iter().any(|c| matches!(c, Cell::Str(_))) {
                continue;
            }
            let xs: Vec<f64> = rows.iter().filter_map(|&r| col[r].as_f64()).collect();
            let s = stats(&xs).map(|mut s| {
                s.ci95 = s.ci95.map(|ci| clip_to_range(f, ci));
                s
            });
            cells.push((format!("{f}_mean"), s.map(|s| s.mean).into()));
            cells.push((format!("{f}_std"), s.and_then(|s| s.std).into()));
            cells.push((
                format!("{f}_ci95_lo"),
                s.and_then(|s| s.ci95).map(|c| c.0).into(),
            ));
            cells.push((
                format!("{f}_ci95_hi"),
                s.and_then(|s| s.ci95).map(|c| c.1).into(),
            ));
        }
        out.push(cells);
    }
    out
}

/// Ratios and indexes of the run's figures: never above 1.
const AT_MOST_ONE: [&str; 6] = [
    "rejection_rate",
    "success_ratio",
    "fairness_clients",
    "fairness_tenants",
    "jain_max_min",
    "recovered",
];

/// A 95% interval clipped to what the figure can be: every figure of a run (a count, a rate,
/// a time, a ratio; a fleet's or tenant's `web:` prefix aside) is at least 0, and ratios at
/// most 1. Student's t over two seeds gives `38 [-127, 203]` rejected attempts or a success
/// ratio of `0.980 [0.894, 1.06]`: bounds no run can have, drawn as whiskers below zero.
fn clip_to_range(figure: &str, (lo, hi): (f64, f64)) -> (f64, f64) {
    let base = figure.rsplit(':').next().unwrap_or(figure);
    let known = super::figures::FIGURES
        .iter()
        .any(|f| match f.strip_suffix('*') {
            Some(family) => base.starts_with(family),
            None => *f == base,
        });
    if !known {
        return (lo, hi);
    }
    let top = if AT_MOST_ONE.contains(&base) {
        1.0
    } else {
        f64::INFINITY
    };
    (lo.clamp(0.0, top), hi.clamp(0.0, top))
}

/// Column order of a points table: the group keys and `runs`, then each figure's four
/// statistics together, figures in canonical order.
pub fn points_rank(name: &str, group: &[&str]) -> (Rank, usize) {
    let mut keys: Vec<&str> = group.to_vec();
    keys.push("runs");
    for (i, suffix) in SUFFIXES.iter().enumerate() {
        if let Some(base) = name.strip_suffix(suffix) {
            if !keys.contains(&name) {
                return (rank(base, &keys, FIGURES), i);
            }
        }
    }
    (rank(name, &keys, FIGURES), 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two seeds of a fleet with 0 and 76 rejections gave `38 [-127, 203]`; a success ratio of
    /// 0.96 and 1.0 gave `[0.853, 1.11]`: bounds no run can have, drawn below zero.
    #[test]
    fn intervals_stay_inside_what_a_figure_can_be() {
        let mut runs = Table::new();
        for (seed, rejected, ratio) in [(1u64, 0u64, 1.0), (2, 76, 0.96)] {
            runs.push([
                ("point", Cell::U64(0)),
                ("seed", Cell::U64(seed)),
                ("quiet:rejected_total", Cell::U64(rejected)),
                ("success_ratio", Cell::F64(ratio)),
                ("some_signed_figure", Cell::F64(rejected as f64)),
            ]);
        }
        let pts = points_table(&runs, &["point"], &["seed"]);
        let get = |c: &str| pts.column(c).unwrap()[0].as_f64().unwrap();
        assert_eq!(get("quiet:rejected_total_ci95_lo"), 0.0);
        assert!(get("quiet:rejected_total_ci95_hi") > 400.0);
        assert_eq!(get("success_ratio_ci95_hi"), 1.0);
        assert!(get("success_ratio_ci95_lo") < 0.8);
        // A column that is not one of the run's figures keeps its interval as computed.
        assert!(get("some_signed_figure_ci95_lo") < -400.0);
    }

    #[test]
    fn aggregates_per_group_with_t_intervals() {
        let mut runs = Table::new();
        for (p, seed, g) in [
            (0u64, 1u64, 10.0),
            (0, 2, 12.0),
            (0, 3, 14.0),
            (1, 1, 5.0),
            (1, 2, 5.0),
            (1, 3, 5.0),
        ] {
            runs.push([
                ("point", Cell::U64(p)),
                ("seed", Cell::U64(seed)),
                ("goodput_rps", Cell::F64(g)),
                ("recovered", Cell::Bool(seed != 2)),
                (
                    "latency_p99_ms",
                    if seed == 1 { Cell::Null } else { Cell::F64(g) },
                ),
            ]);
        }
        let pts = points_table(&runs, &["point"], &["seed"]);
        assert_eq!(pts.len(), 2);
        assert_eq!(pts.column("runs").unwrap(), [Cell::U64(3), Cell::U64(3)]);
        assert_eq!(pts.column("goodput_rps_mean").unwrap()[0], Cell::F64(12.0));
        assert_eq!(pts.column("goodput_rps_std").unwrap()[0], Cell::F64(2.0));
        // mean 12, s = 2, t(2) = 4.3026527: half = 4.3026527 * 2 / sqrt(3) = 4.968275
        let Cell::F64(hi) = pts.column("goodput_rps_ci95_hi").unwrap()[0] else {
            panic!()
        };
        assert!((hi - 16.968275).abs() < 1e-5, "{hi}");
        assert_eq!(
            pts.column("goodput_rps_ci95_lo").unwrap()[1],
            Cell::F64(5.0)
        );
        let Cell::F64(frac) = pts.column("recovered_mean").unwrap()[0] else {
            panic!()
        };
        assert!((frac - 2.0 / 3.0).abs() < 1e-12);
        assert_eq!(
            pts.column("latency_p99_ms_mean").unwrap()[0],
            Cell::F64(13.0)
        );
        assert!(pts.column("seed_mean").is_none());
    }

    #[test]
    fn columns_group_by_figure() {
        let mut names = vec![
            "goodput_rps_std",
            "clients_mean",
            "runs",
            "goodput_rps_mean",
            "point",
            "clients_ci95_hi",
        ];
        names.sort_by_key(|n| points_rank(n, &["point"]));
        assert_eq!(
            names,
            [
                "point",
                "runs",
                "clients_mean",
                "clients_ci95_hi",
                "goodput_rps_mean",
                "goodput_rps_std"
            ]
        );
    }
}
