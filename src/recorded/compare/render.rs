//! The judged rows as people and tables read them: the printed side-by-side table (simulated,
//! live, difference, verdict) and its CSV.

use super::Row;

/// Format a value: integers without decimals, others with 3 significant-looking decimals.
fn value(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{x:.0}")
    } else {
        format!("{x:.3}")
    }
}

/// A relative difference as a signed percentage (`inf` when unbounded).
pub fn percent(d: Option<f64>) -> String {
    d.map_or_else(|| "inf".to_string(), |x| format!("{:+.1}%", x * 100.0))
}

/// The rows as an aligned text table.
pub fn render(rows: &[Row]) -> String {
    render_labeled(rows, ["sim", "live"])
}

/// The rows as an aligned text table, the two sides' columns headed by `labels`.
pub fn render_labeled(rows: &[Row], labels: [&str; 2]) -> String {
    let mut cells = vec![[
        "fleet".to_string(),
        "figure".to_string(),
        labels[0].to_string(),
        labels[1].to_string(),
        "diff".to_string(),
        "verdict".to_string(),
    ]];
    for r in rows {
        cells.push([
            r.fleet.clone(),
            r.figure.clone(),
            value(r.sim),
            value(r.live),
            percent(r.rel_diff),
            r.verdict.as_str().to_string(),
        ]);
    }
    let mut width = [0usize; 6];
    for row in &cells {
        for (w, c) in width.iter_mut().zip(row) {
            *w = (*w).max(c.len());
        }
    }
    let mut out = String::new();
    for row in &cells {
        let line: Vec<String> = row
            .iter()
            .zip(width)
            .enumerate()
            .map(|(i, (c, w))| {
                if (2..5).contains(&i) {
                    format!("{c:>w$}")
                } else {
                    format!("{c:<w$}")
                }
            })
            .collect();
        out.push_str(line.join("  ").trim_end());
        out.push('\n');
    }
    out
}

/// The rows as CSV (`scenario,seed,duration_s,fleet,figure,sim,live,rel_diff,verdict`), one
/// figure per line, the long format `compare`'s tables use; `rel_diff` is empty when unbounded.
pub fn to_csv(scenario: &str, seed: u64, secs: f64, rows: &[Row]) -> String {
    to_csv_labeled(scenario, seed, secs, rows, ["sim", "live"])
}

/// [`to_csv`] with the two sides' columns named by `labels`.
pub fn to_csv_labeled(
    scenario: &str,
    seed: u64,
    secs: f64,
    rows: &[Row],
    labels: [&str; 2],
) -> String {
    let quote = |s: &str| {
        if s.contains([',', '"', '\n']) {
            format!("\"{}\"", s.replace('"', "\"\""))
        } else {
            s.to_string()
        }
    };
    let mut out = format!(
        "scenario,seed,duration_s,fleet,figure,{},{},rel_diff,verdict\n",
        labels[0], labels[1]
    );
    for r in rows {
        let verdict = serde_json::to_value(r.verdict)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        out.push_str(&format!(
            "{},{seed},{secs},{},{},{},{},{},{verdict}\n",
            quote(scenario),
            quote(&r.fleet),
            quote(&r.figure),
            r.sim,
            r.live,
            r.rel_diff.map_or(String::new(), |d| d.to_string()),
        ));
    }
    out
}
