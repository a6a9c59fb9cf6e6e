//! Drawing one figure into both backends: SVG text and a PNG file.
//!
//! A chart is a value implementing [`Figure`]; [`render`] draws it twice, once into an
//! in-memory SVG string and once into an RGB buffer that is PNG-encoded here (no image
//! crate, no file I/O). Both outputs are deterministic for the same input.

use super::glyphs::TextFix;
use super::{font, Chart, ChartError, CHART_SIZE};
use plotters::coord::Shift;
use plotters::drawing::DrawingAreaErrorKind;
use plotters::prelude::{BitMapBackend, DrawingArea, DrawingBackend, IntoDrawingArea, SVGBackend};
use plotters::style::{IntoFont, RGBColor, TextStyle, WHITE};

/// A drawing area of any backend.
pub(crate) type Area<DB> = DrawingArea<DB, Shift>;

/// Something that can draw itself on any plotters backend.
pub(crate) trait Figure {
    /// Draw onto `root` (already sized to [`CHART_SIZE`]).
    fn draw<DB: DrawingBackend>(&self, root: &Area<DB>) -> Result<(), ChartError>;
}

/// Map a plotters error into ours.
pub(crate) fn err<E: std::error::Error + Send + Sync>(e: DrawingAreaErrorKind<E>) -> ChartError {
    ChartError::Draw(e.to_string())
}

/// Text style of the bundled font at `size` px in `color`.
pub(crate) fn text(size: u32, color: RGBColor) -> TextStyle<'static> {
    (font::FAMILY, size).into_font().color(&color)
}

/// Axis label and description styles.
pub(crate) const LABEL_PX: u32 = 15;
/// Axis description size.
pub(crate) const DESC_PX: u32 = 16;
/// Title size.
pub(crate) const TITLE_PX: u32 = 21;
/// Light grid line colour.
pub(crate) const GRID_LIGHT: RGBColor = RGBColor(0xEE, 0xEE, 0xEE);
/// Bold grid line colour.
pub(crate) const GRID_BOLD: RGBColor = RGBColor(0xD4, 0xD4, 0xD4);
/// Width of the legend strip to the right of the plot.
pub(crate) const LEGEND_W: u32 = 220;

/// Fill the background white, draw the title, and split off the legend strip on the right.
/// Returns (plot area, legend area).
pub(crate) fn frame<DB: DrawingBackend>(
    root: &Area<DB>,
    title: &str,
) -> Result<(Area<DB>, Area<DB>), ChartError> {
    root.fill(&WHITE).map_err(err)?;
    let body = root
        .titled(title, text(TITLE_PX, RGBColor(0x20, 0x20, 0x20)))
        .map_err(err)?;
    let (w, _) = body.dim_in_pixel();
    let (plot, legend) = body.split_horizontally(w.saturating_sub(LEGEND_W));
    Ok((plot, legend))
}

/// Draw `figure` into SVG and PNG and wrap it as a [`Chart`].
pub(crate) fn render(
    figure: &impl Figure,
    name: &str,
    title: &str,
    caption: String,
) -> Result<Chart, ChartError> {
    font::ensure_registered()?;
    let (w, h) = CHART_SIZE;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, CHART_SIZE).into_drawing_area();
        figure.draw(&root)?;
        root.present().map_err(err)?;
    }
    let mut rgb = vec![0u8; w as usize * h as usize * 3];
    {
        let backend = TextFix::new(BitMapBackend::with_buffer(&mut rgb, CHART_SIZE))?;
        let root = backend.into_drawing_area();
        figure.draw(&root)?;
        root.present().map_err(err)?;
    }
    Ok(Chart {
        name: name.to_owned(),
        title: title.to_owned(),
        caption,
        svg,
        png: encode_png(&rgb, w, h)?,
    })
}

/// Encode an RGB8 buffer as PNG.
pub(crate) fn encode_png(rgb: &[u8], w: u32, h: u32) -> Result<Vec<u8>, ChartError> {
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, w, h);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        enc.set_compression(png::Compression::Default);
        enc.set_adaptive_filter(png::AdaptiveFilterType::Adaptive);
        let mut writer = enc
            .write_header()
            .map_err(|e| ChartError::Png(e.to_string()))?;
        writer
            .write_image_data(rgb)
            .map_err(|e| ChartError::Png(e.to_string()))?;
    }
    Ok(out)
}

/// Format seconds for an x axis: `90` -> `90`, `1.5` -> `1.5`.
pub(crate) fn fmt_num(v: f64) -> String {
    if v.abs() >= 100.0 || v == v.trunc() {
        format!("{v:.0}")
    } else if v.abs() >= 1.0 {
        format!("{v:.1}")
    } else {
        let s = format!("{v:.3}");
        s.trim_end_matches('0').trim_end_matches('.').to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_format_short() {
        assert_eq!(fmt_num(90.0), "90");
        assert_eq!(fmt_num(1.5), "1.5");
        assert_eq!(fmt_num(0.25), "0.25");
        assert_eq!(fmt_num(250.4), "250");
    }

    /// What must not happen: the charts' PNG bytes changing with the build's features (polars
    /// turns on flate2's zlib-rs backend, and a build without Parquet compressed with
    /// miniz_oxide instead, issue #18). The digest is pinned; both builds must give it.
    #[test]
    fn png_bytes_do_not_depend_on_the_build() {
        use sha2::{Digest, Sha256};
        let (w, h) = (64u32, 48u32);
        let rgb: Vec<u8> = (0..w * h * 3)
            .map(|i| ((i % 251) ^ (i / 97)) as u8)
            .collect();
        let bytes = encode_png(&rgb, w, h).unwrap();
        let hex: String = Sha256::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(
            hex,
            "a7c4b8de88aa871a42ebce57c07658269f79183e5dcc59ab550fe5da37d9bf0f"
        );
    }

    #[test]
    fn png_encoding_round_trips() {
        let rgb = vec![10u8; 4 * 3 * 3];
        let bytes = encode_png(&rgb, 4, 3).unwrap();
        let decoder = png::Decoder::new(bytes.as_slice());
        let mut reader = decoder.read_info().unwrap();
        let mut buf = vec![0; reader.output_buffer_size()];
        let info = reader.next_frame(&mut buf).unwrap();
        assert_eq!((info.width, info.height), (4, 3));
        assert_eq!(&buf[..info.buffer_size()], rgb.as_slice());
    }
}
