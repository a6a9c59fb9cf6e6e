//! How charts are put in the page: inline `<svg>` (the run report; sharp at any zoom) or an
//! `<img>` with the PNG in a `data:` URI (sweeps and comparisons; the bundled font exactly as
//! drawn). Either way the figure has the chart's title, caption and file names, and the page
//! needs no side file.

use super::super::escape::escape;
use crate::charts::Chart;
use std::fmt::Write;

/// A chart as an `<img>` whose source is its PNG, base64-encoded in a `data:` URI.
pub(super) fn chart_img(h: &mut String, c: &Chart) {
    use base64::Engine as _;
    let id = escape(&c.name);
    let (w, ht) = crate::charts::CHART_SIZE;
    let _ = write!(
        h,
        "<figure id=\"chart-{id}\">\n<h2>{}</h2>\n<div class=\"chart\"><img alt=\"{}\" width=\"{w}\" height=\"{ht}\" src=\"data:image/png;base64,",
        escape(&c.title),
        escape(&c.title)
    );
    h.push_str(&base64::engine::general_purpose::STANDARD.encode(&c.png));
    let _ = write!(
        h,
        "\"></div>\n<figcaption>{} <span class=\"files\">(charts/{id}.svg, charts/{id}.png)</span></figcaption>\n</figure>\n",
        escape(&c.caption)
    );
}

/// A chart as its inline SVG document, without an XML declaration.
pub(super) fn chart(h: &mut String, c: &Chart) {
    let id = escape(&c.name);
    let _ = write!(
        h,
        "<figure id=\"chart-{id}\">\n<h2>{}</h2>\n<div class=\"chart\">",
        escape(&c.title)
    );
    // The SVG comes from plotters (our own output, not user input); labels inside it were
    // escaped by plotters' SVG backend. Drop an XML declaration if one is ever emitted.
    let svg = c.svg.trim_start();
    let svg = match svg.strip_prefix("<?xml") {
        Some(rest) => rest
            .split_once("?>")
            .map_or(svg, |(_, after)| after.trim_start()),
        None => svg,
    };
    h.push_str(svg.trim_end());
    let _ = write!(
        h,
        "</div>\n<figcaption>{} <span class=\"files\">(charts/{id}.svg, charts/{id}.png)</span></figcaption>\n</figure>\n",
        escape(&c.caption)
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn svg_chart(svg: &str) -> Chart {
        Chart {
            name: "timeline".into(),
            title: "T".into(),
            caption: "C".into(),
            svg: svg.into(),
            png: vec![1, 2, 3],
        }
    }

    #[test]
    fn xml_declaration_is_dropped() {
        let mut h = String::new();
        chart(&mut h, &svg_chart("<?xml version=\"1.0\"?>\n<svg></svg>"));
        assert!(!h.contains("<?xml"));
        assert!(h.contains("<div class=\"chart\"><svg></svg></div>"), "{h}");
    }

    #[test]
    fn png_is_a_data_uri() {
        let mut h = String::new();
        chart_img(&mut h, &svg_chart("<svg></svg>"));
        assert!(h.contains("src=\"data:image/png;base64,AQID\""), "{h}");
        assert!(!h.contains("<svg"));
        assert!(h.contains("(charts/timeline.svg, charts/timeline.png)"));
    }
}
