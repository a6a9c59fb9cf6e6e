//! The tidy ("long") form of a sweep's runs: one row per point, seed, scope and figure
//! (`point`, the parameters, `seed`, `scope` = `all` / `fleet` / `tenant`, `name` = `all` or
//! the fleet's or tenant's name, `figure`, `value`), beside the wide `runs` and `points`
//! tables, whose hundreds of `fleet:figure` columns a notebook would otherwise have to parse.
//! A figure a run did not produce (latency without a success) has no row; flags are 0 or 1.

use super::figures::{rank, FIGURES};
use super::scopes::split_scope;
use super::table::{Cell, Table};

/// The long form of `runs` (rows in `runs`' order; within a run the whole run's figures, then
/// each fleet's, then each tenant's, figures in canonical order). `keys` are copied to every
/// row; every other numeric column is a figure.
pub fn long_table(runs: &Table, keys: &[&str]) -> Table {
    let mut figures: Vec<&String> = runs
        .names()
        .iter()
        .filter(|n| !keys.contains(&n.as_str()))
        .collect();
    figures.sort_by_cached_key(|n| rank(n, &[], FIGURES));
    let split: Vec<_> = figures.iter().map(|n| split_scope(n)).collect();
    let mut out = Table::new();
    for r in 0..runs.len() {
        let key: Vec<(String, Cell)> = keys
            .iter()
            .map(|k| {
                (
                    k.to_string(),
                    runs.column(k).map_or(Cell::Null, |c| c[r].clone()),
                )
            })
            .collect();
        for (name, (scope, figure)) in figures.iter().zip(&split) {
            let Some(v) = runs.column(name).and_then(|c| c[r].as_f64()) else {
                continue;
            };
            let mut cells = key.clone();
            cells.extend([
                ("scope".to_string(), Cell::Str(scope.kind().into())),
                ("name".to_string(), Cell::Str(scope.name().into())),
                ("figure".to_string(), Cell::Str((*figure).to_owned())),
                ("value".to_string(), Cell::F64(v)),
            ]);
            out.push(cells);
        }
    }
    out
}

/// Column order of a long table: `keys`, then `scope`, `name`, `figure`, `value`.
pub fn long_rank(name: &str, keys: &[&str]) -> usize {
    keys.iter()
        .chain(&["scope", "name", "figure", "value"])
        .position(|k| *k == name)
        .unwrap_or(usize::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_row_per_run_scope_and_figure() {
        let mut runs = Table::new();
        for (seed, g) in [(1u64, 2.0), (2, 3.0)] {
            runs.push([
                ("point", Cell::U64(0)),
                ("seed", Cell::U64(seed)),
                ("web:goodput_rps", Cell::F64(g)),
                ("goodput_rps", Cell::F64(g * 2.0)),
                ("tenant/t-0:goodput_rps", Cell::F64(g)),
                ("latency_p99_ms", Cell::Null),
                ("recovered", Cell::Bool(true)),
            ]);
        }
        let t = long_table(&runs, &["point", "seed"]);
        assert_eq!(t.len(), 8, "4 figures with a value per run");
        let col = |n: &str| t.column(n).unwrap().to_vec();
        assert_eq!(
            col("scope")[..4],
            [
                Cell::Str("all".into()),
                Cell::Str("all".into()),
                Cell::Str("fleet".into()),
                Cell::Str("tenant".into()),
            ]
        );
        assert_eq!(col("name")[2], Cell::Str("web".into()));
        assert_eq!(col("figure")[3], Cell::Str("goodput_rps".into()));
        assert_eq!(col("value")[1], Cell::F64(1.0), "recovered as 1");
        assert_eq!(col("value")[4], Cell::F64(6.0));
        assert_eq!(col("seed")[7], Cell::U64(2));
    }
}
