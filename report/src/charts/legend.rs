//! The legend, drawn in its own strip to the right of the plot so it never hides data.

use super::render::{err, text, Area, LABEL_PX};
use super::ChartError;
use plotters::prelude::{DrawingBackend, PathElement, Rectangle};
use plotters::style::{Color, RGBColor};

/// How a legend entry's swatch looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Swatch {
    /// A solid line.
    Line,
    /// A dashed line.
    Dashed,
    /// A filled box.
    Fill,
    /// A translucent box (shaded windows, bands).
    Shade,
}

/// One legend row.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    pub label: String,
    pub color: RGBColor,
    pub swatch: Swatch,
}

impl Entry {
    pub(crate) fn new(label: impl Into<String>, color: RGBColor, swatch: Swatch) -> Self {
        Entry {
            label: label.into(),
            color,
            swatch,
        }
    }
}

/// Longest label drawn in full; longer ones are cut with an ellipsis.
const MAX_CHARS: usize = 26;
/// Row height in pixels.
const ROW: i32 = 22;

/// Draw the entries top to bottom in `area`, starting level with the top of the plot.
pub(crate) fn draw<DB: DrawingBackend>(
    area: &Area<DB>,
    entries: &[Entry],
) -> Result<(), ChartError> {
    let (_, h) = area.dim_in_pixel();
    let max_rows = ((h as i32 - 20) / ROW).max(1) as usize;
    for (i, e) in entries.iter().take(max_rows).enumerate() {
        let y = 20 + i as i32 * ROW;
        let (x0, x1) = (12, 40);
        match e.swatch {
            Swatch::Line => area
                .draw(&PathElement::new(
                    vec![(x0, y), (x1, y)],
                    e.color.stroke_width(3),
                ))
                .map_err(err)?,
            Swatch::Dashed => {
                for k in 0..4 {
                    let a = x0 + k * 8;
                    area.draw(&PathElement::new(
                        vec![(a, y), (a + 4, y)],
                        e.color.stroke_width(2),
                    ))
                    .map_err(err)?;
                }
            }
            Swatch::Fill => area
                .draw(&Rectangle::new(
                    [(x0, y - 6), (x1, y + 6)],
                    e.color.filled(),
                ))
                .map_err(err)?,
            Swatch::Shade => area
                .draw(&Rectangle::new(
                    [(x0, y - 6), (x1, y + 6)],
                    e.color.mix(0.25).filled(),
                ))
                .map_err(err)?,
        }
        area.draw_text(
            &shorten(&e.label),
            &text(LABEL_PX, RGBColor(0x20, 0x20, 0x20)),
            (48, y - 7),
        )
        .map_err(err)?;
    }
    if entries.len() > max_rows {
        let y = 20 + max_rows as i32 * ROW;
        let more = format!("(+{} more)", entries.len() - max_rows);
        area.draw_text(
            &more,
            &text(LABEL_PX, RGBColor(0x60, 0x60, 0x60)),
            (48, y - 7),
        )
        .map_err(err)?;
    }
    Ok(())
}

/// Cut a label to [`MAX_CHARS`] characters.
fn shorten(label: &str) -> String {
    if label.chars().count() <= MAX_CHARS {
        label.to_owned()
    } else {
        let mut s: String = label.chars().take(MAX_CHARS - 1).collect();
        s.push('…');
        s
    }
}

#[cfg(test)]
mod tests {
    use super::shorten;

    #[test]
    fn long_labels_are_cut() {
        assert_eq!(shorten("web"), "web");
        let long = "x".repeat(40);
        assert_eq!(shorten(&long).chars().count(), 26);
        assert!(shorten(&long).ends_with('…'));
    }
}
