//! The chart of BENCHMARKS.md's scaled fleets (issue #19): simulator events/s against the
//! number of clients, before and after the event-set work, beside the bare `BinaryHeap` loop.
//! It draws only what was measured: the figures are read from a CSV of the bench's results.
//!
//! ```sh
//! cargo run -p report --example events_per_client -- docs/events-per-client.csv docs/events-per-client.png
//! ```

use report::charts::sweep::{sweep_chart, MeanLine, MeanPoint, SweepChart};
use report::charts::Palette;
use std::process::ExitCode;

/// `1000000` as `1,000,000`.
fn thousands(n: &str) -> String {
    let mut out = String::new();
    for (i, ch) in n.chars().enumerate() {
        if i > 0 && (n.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(input), Some(output)) = (args.first(), args.get(1)) else {
        eprintln!("usage: events_per_client FIGURES.csv OUT.png");
        return ExitCode::from(2);
    };
    let text = match std::fs::read_to_string(input) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("{input}: {e}");
            return ExitCode::from(2);
        }
    };
    let mut rows = text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty());
    let header: Vec<&str> = rows.next().unwrap_or_default().split(',').collect();
    let mut clients = Vec::new();
    let mut columns: Vec<Vec<f64>> = vec![Vec::new(); header.len().saturating_sub(1)];
    for (n, row) in rows.enumerate() {
        let cells: Vec<&str> = row.split(',').collect();
        let parsed: Option<Vec<f64>> = cells
            .iter()
            .skip(1)
            .map(|c| c.trim().parse().ok())
            .collect();
        match (cells.first(), parsed) {
            (Some(c), Some(v)) if v.len() == columns.len() => {
                clients.push(thousands(c.trim()));
                for (col, x) in columns.iter_mut().zip(v) {
                    col.push(x);
                }
            }
            _ => {
                eprintln!(
                    "{input}: data row {}: expected {} numbers",
                    n + 1,
                    header.len()
                );
                return ExitCode::from(2);
            }
        }
    }
    let label = |h: &str| match h {
        "bare" => "bare BinaryHeap loop".to_string(),
        "old" => "simulator before (868c5e8)".to_string(),
        "new" => "simulator".to_string(),
        other => other.to_string(),
    };
    let lines: Vec<MeanLine> = header[1..]
        .iter()
        .zip(&columns)
        .map(|(h, col)| MeanLine {
            name: label(h),
            points: col
                .iter()
                .enumerate()
                .map(|(i, &y)| MeanPoint {
                    x: i as f64,
                    mean: y,
                    ci95: None,
                })
                .collect(),
        })
        .collect();
    let palette = Palette::new(lines.iter().map(|l| l.name.clone()));
    let data = SweepChart {
        name: "events_per_client".into(),
        title: "Simulator events/s against clients (fleet-429 scaled)".into(),
        caption: "Events/s by thread CPU time, ~10 M events a case, round 2 of BENCHMARKS.md"
            .into(),
        x_desc: "clients".into(),
        y_desc: "million events/s".into(),
        categories: clients,
        lines,
        models: Vec::new(),
    };
    let chart = match sweep_chart(&data, &palette) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{input}: {e}");
            return ExitCode::from(1);
        }
    };
    if let Err(e) = std::fs::write(output, &chart.png) {
        eprintln!("{output}: {e}");
        return ExitCode::from(1);
    }
    ExitCode::SUCCESS
}
