//! `compare A.toml B.toml --json`: the comparison as one JSON document for scripts, every
//! figure with both means, the paired difference, its 95% interval and the verdict (figures
//! that are zero in every run only with `--all`, as in the printed table).

use report::tables::FigureDiff;
use serde_json::{json, Value};
use std::path::Path;

/// The document: A and B (name, file), the seeds, the output folder, the report, the figures.
pub fn document(
    (na, da): (&str, &str),
    (nb, db): (&str, &str),
    seeds: &[u64],
    out: &Path,
    report: Option<&Path>,
    diffs: &[FigureDiff],
    all: bool,
) -> Value {
    let figures: Vec<Value> = diffs
        .iter()
        .filter(|d| all || d.a_mean.unwrap_or(0.0) != 0.0 || d.b_mean.unwrap_or(0.0) != 0.0)
        .map(|d| {
            json!({
                "figure": d.figure,
                "a_mean": d.a_mean,
                "b_mean": d.b_mean,
                "pairs": d.n,
                "diff_mean": d.diff_mean,
                "diff_ci95": d.diff_ci95.map(|(lo, hi)| [lo, hi]),
                "change_pct": d.change_pct(),
                "significant": d.significant(),
            })
        })
        .collect();
    json!({
        "a": { "name": na, "file": da },
        "b": { "name": nb, "file": db },
        "seeds": seeds,
        "out": out,
        "report": report,
        "figures": figures,
    })
}
