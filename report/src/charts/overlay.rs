//! Things drawn over a time chart: shaded fault windows and vertical marks.

use super::data::{Mark, Window};
use super::palette::role;
use super::render::{err, text, LABEL_PX};
use super::ChartError;
use plotters::chart::ChartContext;
use plotters::coord::ranged1d::Ranged;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::{Cartesian2d, DrawingBackend, EmptyElement, PathElement, Rectangle, Text};
use plotters::style::{Color, RGBColor};

/// A chart with a linear f64 x axis and any f64 y axis.
pub(crate) type Ctx<'a, DB, Y> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, Y>>;

/// Shade each window across the full height, with its label at the top.
pub(crate) fn shade_windows<DB, Y>(
    chart: &mut Ctx<'_, DB, Y>,
    windows: &[Window],
) -> Result<(), ChartError>
where
    DB: DrawingBackend,
    Y: Ranged<ValueType = f64>,
{
    let y = chart.y_range();
    let x = chart.x_range();
    for w in windows {
        let (a, b) = (w.start_s.max(x.start), w.end_s.min(x.end));
        if b <= a {
            continue;
        }
        chart
            .draw_series(std::iter::once(Rectangle::new(
                [(a, y.start), (b, y.end)],
                role::FAULT.mix(0.18).filled(),
            )))
            .map_err(err)?;
        chart
            .draw_series(std::iter::once(
                EmptyElement::at((a, y.end))
                    + Text::new(
                        w.label.clone(),
                        (4, 4),
                        text(LABEL_PX - 1, RGBColor(0x50, 0x50, 0x50)),
                    ),
            ))
            .map_err(err)?;
    }
    Ok(())
}

/// Draw each mark as a thin vertical line across the full height.
pub(crate) fn draw_marks<DB, Y>(
    chart: &mut Ctx<'_, DB, Y>,
    marks: &[Mark],
) -> Result<(), ChartError>
where
    DB: DrawingBackend,
    Y: Ranged<ValueType = f64>,
{
    let y = chart.y_range();
    let x = chart.x_range();
    let style = role::MARK.mix(0.6).stroke_width(1);
    chart
        .draw_series(
            marks
                .iter()
                .filter(|m| m.x >= x.start && m.x <= x.end)
                .map(|m| PathElement::new(vec![(m.x, y.start), (m.x, y.end)], style)),
        )
        .map_err(err)?;
    Ok(())
}
