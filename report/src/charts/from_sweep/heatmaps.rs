//! The heatmaps of a two-parameter sweep: one per headline figure marked for it in
//! [`SWEEP_FIGURES`], the mean over the seeds of each point in the cell of its two values.
//!
//! Kept apart from the line charts because it reads the points by the parameters' declared
//! values (a grid), not by the layout's lines, and draws only for exactly two swept
//! parameters.

use super::layout::{axis_desc, cell, short_name, show_cell, x_desc_of, Layout};
use super::{SweepInput, SWEEP_FIGURES};
use crate::charts::heatmap::{heatmap, Heatmap};
use crate::charts::{Chart, ChartError};
use crate::tables::Cell;

/// Heatmaps when exactly two parameters have more than one value.
pub(super) fn heatmaps(
    input: &SweepInput<'_>,
    l: &Layout,
    charts: &mut Vec<Chart>,
    notes: &mut Vec<String>,
) -> Result<(), ChartError> {
    let multi: Vec<usize> = (0..input.params.len())
        .filter(|&i| input.params[i].values.len() > 1)
        .collect();
    if multi.len() != 2 {
        if multi.len() > 2 {
            notes.push(format!(
                "{} parameters are swept: heatmaps are drawn for two-parameter sweeps only.",
                multi.len()
            ));
        }
        return Ok(());
    }
    let Some(xi) = l.x else { return Ok(()) };
    let yi = if multi[0] == xi { multi[1] } else { multi[0] };
    let (xp, yp) = (&input.params[xi], &input.params[yi]);
    let pts = input.points;
    let find = |values: &[String], c: &Cell| {
        let t = show_cell(c);
        values.iter().position(|v| {
            *v == t
                || v.parse::<f64>()
                    .ok()
                    .zip(c.as_f64())
                    .is_some_and(|(a, b)| a == b)
        })
    };
    for (fig, noun, y_desc, wanted) in SWEEP_FIGURES {
        let Some(mean) = pts.column(&format!("{fig}_mean")) else {
            continue;
        };
        if !wanted {
            continue;
        }
        let mut cells = vec![vec![None; xp.values.len()]; yp.values.len()];
        let mut ci = vec![vec![None; xp.values.len()]; yp.values.len()];
        let lo = pts.column(&format!("{fig}_ci95_lo"));
        let hi = pts.column(&format!("{fig}_ci95_hi"));
        for (r, m) in mean.iter().enumerate() {
            let (Some(cx), Some(cy)) = (
                find(&xp.values, cell(pts, &xp.path, r)),
                find(&yp.values, cell(pts, &yp.path, r)),
            ) else {
                continue;
            };
            cells[cy][cx] = m.as_f64();
            ci[cy][cx] = lo
                .and_then(|c| c[r].as_f64())
                .zip(hi.and_then(|c| c[r].as_f64()));
        }
        let values: Vec<f64> = cells.iter().flatten().flatten().copied().collect();
        if values.is_empty() || values.iter().all(|v| *v == 0.0) {
            continue;
        }
        let h = Heatmap {
            name: format!("heatmap_{fig}"),
            title: format!(
                "{noun} over {} and {}",
                short_name(&xp.path),
                short_name(&yp.path)
            ),
            caption: format!(
                "{noun} ({y_desc}), mean over the seeds of each point, for every combination \
                 of {} (x) and {} (y); the value is printed in each cell, the colour bar gives \
                 the scale and its range. Grey: the cell's 95% confidence interval contains the \
                 mean of the other cells (the seeds do not tell it apart from them); light \
                 grey: no value (for latency, no success at that point).",
                xp.path, yp.path
            ),
            x_desc: axis_desc(&xp.path),
            y_desc: x_desc_of(&yp.path),
            x_labels: xp.values.clone(),
            y_labels: yp.values.clone(),
            cells,
            ci,
            unit: y_desc.to_owned(),
        };
        charts.push(heatmap(&h)?);
    }
    Ok(())
}
