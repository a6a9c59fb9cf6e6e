//! The bundled font: DejaVu Sans (Bitstream Vera licence, see `report/assets/`), embedded in
//! the binary and registered with plotters' `ab_glyph` text renderer under the family name
//! `sans-serif`. Charts therefore render identically on every machine, with no fontconfig,
//! freetype or system font. SVG output names the family `sans-serif`, which browsers map to
//! their own sans-serif face.

use super::ChartError;
use plotters::style::FontStyle;
use std::sync::OnceLock;

/// The TTF bytes of DejaVu Sans.
pub static DEJAVU_SANS: &[u8] = include_bytes!("../../assets/DejaVuSans.ttf");

/// The family name charts ask for.
pub const FAMILY: &str = "sans-serif";

/// Register the bundled font once per process; later calls are free.
///
/// ```
/// assert!(report::charts::font::ensure_registered().is_ok());
/// assert!(report::charts::font::ensure_registered().is_ok());
/// ```
pub fn ensure_registered() -> Result<(), ChartError> {
    static DONE: OnceLock<bool> = OnceLock::new();
    let ok = *DONE.get_or_init(|| {
        [FontStyle::Normal, FontStyle::Bold]
            .into_iter()
            .all(|style| plotters::style::register_font(FAMILY, style, DEJAVU_SANS).is_ok())
    });
    if ok {
        Ok(())
    } else {
        Err(ChartError::Font)
    }
}
