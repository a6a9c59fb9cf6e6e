//! The closed loop's files in `replay --out DIR`: `closed_summary`, `closed_tenants`,
//! `closed_clients` and `closed_classes`, each as Parquet and CSV (the report crate's writer:
//! the same table gives the same bytes), and `report.html` in the report crate's page style,
//! the verdict first: the question, the answer with its figures, then the tables.

use super::replay_loop::{describe, CandidateRows, Entity, LoopResult};
use super::replay_loop_text::{added, bite, difference};
use limiters::Nanos;
use report::html::{render_page, Grid, GridRow, Headline, Page};
use report::tables::{write_both, Cell, Table};
use std::path::Path;

fn secs(t: Option<Nanos>) -> Cell {
    t.map_or(Cell::Null, |t| Cell::F64(t.0 as f64 / 1e9))
}

fn entity_row(c: &CandidateRows, what: &str, e: &Entity) -> Vec<(String, Cell)> {
    let mut row = vec![
        ("candidate".to_string(), Cell::Str(c.name.clone())),
        (what.to_string(), Cell::Str(e.name.clone())),
        ("requests".into(), Cell::U64(e.fig.demand)),
        ("attempts".into(), Cell::U64(e.fig.attempts)),
        ("successes".into(), Cell::U64(e.fig.successes)),
        ("refused".into(), Cell::U64(e.fig.refused)),
        ("retries_induced".into(), Cell::I64(e.fig.retries_induced())),
        ("goodput_lost".into(), Cell::I64(e.fig.goodput_lost())),
        ("first_bite_s".into(), secs(e.fig.first)),
        ("static_refused".into(), Cell::U64(e.static_refused)),
    ];
    // a tenant: its p50 and p99 added (the simulator's tenant histograms); a client: the mean
    // over its successes (from the run's client trace)
    match &e.latency {
        Some(l) => {
            let diff = |a: Option<f64>, b: Option<f64>| Cell::from(a.zip(b).map(|(a, b)| a - b));
            row.push(("latency_p50_added_ms".into(), diff(l.cand.0, l.base.0)));
            row.push(("latency_p99_added_ms".into(), diff(l.cand.1, l.base.1)));
        }
        None => row.push((
            "latency_mean_added_ms".into(),
            Cell::from(e.fig.mean_latency_added_ms()),
        )),
    }
    row
}

/// The four tables.
pub fn tables(r: &LoopResult) -> Vec<(&'static str, Table)> {
    let mut summary = Table::new();
    let mut tenants = Table::new();
    let mut clients = Table::new();
    for c in &r.candidates {
        summary.push([
            ("candidate", Cell::Str(c.name.clone())),
            ("static_refused", Cell::U64(c.static_refused)),
            ("refused", Cell::U64(c.total.refused)),
            (
                "difference",
                Cell::I64(c.total.refused as i64 - c.static_refused as i64),
            ),
            ("requests", Cell::U64(c.total.demand)),
            ("attempts", Cell::U64(c.total.attempts)),
            ("successes", Cell::U64(c.total.successes)),
            ("retries_induced", Cell::I64(c.total.retries_induced())),
            ("goodput_lost", Cell::I64(c.total.goodput_lost())),
            ("clients_hurt", Cell::U64(c.clients_hurt() as u64)),
            ("tenants_hurt", Cell::U64(c.tenants_hurt() as u64)),
            ("first_bite_s", secs(c.total.first)),
        ]);
        for e in &c.tenants {
            tenants.push(entity_row(c, "tenant", e));
        }
        for e in &c.clients {
            clients.push(entity_row(c, "client", e));
        }
    }
    let mut classes = Table::new();
    for cp in &r.classes {
        classes.push([
            ("class", Cell::Str(cp.class.as_str().into())),
            ("clients", Cell::U64(u64::from(cp.pairs))),
            ("max_attempts", Cell::U64(u64::from(cp.policy.max_attempts))),
            ("policy", Cell::Str(describe(cp))),
        ]);
    }
    vec![
        ("closed_summary", summary),
        ("closed_tenants", tenants),
        ("closed_clients", clients),
        ("closed_classes", classes),
    ]
}

/// A table as a page grid: its first `limit` rows, without the columns named in `skip` (they
/// stay in the table's files; a page 1,280 px wide holds about twelve columns).
fn grid(id: &str, heading: &str, caption: &str, t: &Table, limit: usize, skip: &[&str]) -> Grid {
    let keep: Vec<usize> = (0..t.names().len())
        .filter(|&i| !skip.contains(&t.names()[i].as_str()))
        .collect();
    Grid {
        id: id.into(),
        heading: heading.into(),
        caption: caption.into(),
        head: keep.iter().map(|&i| t.names()[i].clone()).collect(),
        rows: (0..t.len().min(limit))
            .map(|r| {
                let row = t.row(r);
                GridRow {
                    cells: keep
                        .iter()
                        .map(|&i| match row[i].1 {
                            Cell::F64(v) => format!("{v:.3}"),
                            c => c.text(),
                        })
                        .collect(),
                    class: String::new(),
                }
            })
            .collect(),
    }
}

/// The verdict: which candidate hurts most, and the static answer's error under it.
pub fn verdict(r: &LoopResult) -> String {
    let Some(worst) = r
        .candidates
        .iter()
        .max_by_key(|c| (c.total.refused, std::cmp::Reverse(c.name.clone())))
    else {
        return "no candidate".into();
    };
    let hurt: Vec<&str> = worst
        .tenants
        .iter()
        .filter(|e| e.fig.refused > 0)
        .take(3)
        .map(|e| e.name.as_str())
        .collect();
    format!(
        "`{}` refuses most: {} refusals in the closed loop, {} successful requests lost, first at \
         {}; hurt most: {}. {}.",
        worst.name,
        worst.total.refused,
        worst.total.goodput_lost(),
        bite(worst.total.first),
        if hurt.is_empty() {
            "nobody".to_string()
        } else {
            hurt.join(", ")
        },
        difference(worst)
    )
}

/// Write the tables and `report.html` into `dir` (already staged by the caller).
pub fn write(r: &LoopResult, dir: &Path, logs: &str) -> Result<(), String> {
    let tables = tables(r);
    for (stem, t) in &tables {
        let meta = [("seed".to_string(), r.seed.to_string())];
        write_both(dir, stem, &t.frame(|_| 0u8), &meta).map_err(|e| e.to_string())?;
    }
    let mut grids = vec![
        grid(
            "candidates",
            "Candidates",
            "static_refused: each logged request checked as logged; refused: the closed loop \
             (originals and the retries the refusals cause); retries_induced and goodput_lost \
             against the same replay without the limit",
            &tables[0].1,
            usize::MAX,
            &[],
        ),
        grid(
            "classes",
            "Retry classes",
            "fitted from the log: the requests that follow a refusal on the same route",
            &tables[3].1,
            usize::MAX,
            &[],
        ),
    ];
    grids.push(grid(
        "tenants",
        "Who gets hurt: tenants",
        if report::tables::PARQUET {
            "worst first, per candidate (all rows, with attempts and successes, in \
             closed_tenants.parquet)"
        } else {
            "worst first, per candidate (all rows, with attempts and successes, in \
             closed_tenants.csv)"
        },
        &tables[1].1,
        200,
        &["attempts", "successes"],
    ));
    grids.push(grid(
        "clients",
        "Who gets hurt: clients",
        if report::tables::PARQUET {
            "worst first, per candidate (all rows, with attempts and successes, in \
             closed_clients.parquet)"
        } else {
            "worst first, per candidate (all rows, with attempts and successes, in \
             closed_clients.csv)"
        },
        &tables[2].1,
        200,
        &["attempts", "successes"],
    ));
    let lat = r
        .candidates
        .iter()
        .flat_map(|c| c.tenants.iter().take(1).map(move |e| (c, e)))
        .filter_map(|(c, e)| {
            e.latency.as_ref().map(|l| {
                format!(
                    "`{}`: p99 latency of `{}` {}",
                    c.name,
                    e.name,
                    added(l.cand.1, l.base.1)
                )
            })
        })
        .collect::<Vec<_>>()
        .join("; ");
    let page = Page {
        title: "replay: what would these limits have done to this traffic?".into(),
        description: format!("{logs}: the static answer and the closed loop, per candidate"),
        meta: vec![
            ("seed".into(), r.seed.to_string()),
            ("original requests".into(), r.originals.to_string()),
            ("logged retries dropped".into(), r.dropped.to_string()),
            ("replayed".into(), format!("{} s", r.duration.as_secs())),
        ],
        headline: Some(Headline {
            question: "What would each candidate limit have done to this traffic, counting the \
                       retries its refusals cause?"
                .into(),
            answer: verdict(r),
            chart: None,
        }),
        grids,
        notes: if lat.is_empty() { vec![] } else { vec![lat] },
        footer: format!(
            "throttlelab {} replay report (closed loop: simulated, deterministic per seed)",
            env!("CARGO_PKG_VERSION")
        ),
        ..Page::default()
    };
    std::fs::write(dir.join("report.html"), render_page(&page))
        .map_err(|e| format!("report.html: {e}"))
}
