//! Rendering a [`Page`] (plain data) into one HTML document.

use super::escape::escape;
use super::style::CSS;
use crate::charts::Chart;
use std::fmt::Write;

/// A column of the summary table: "all" or a fleet, with its palette colour.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// Header text.
    pub name: String,
    /// CSS colour of the swatch beside the name, if any.
    pub color: Option<String>,
}

/// A row of the summary table: a figure with its unit and one cell per column.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// The figure (`goodput`).
    pub label: String,
    /// A breakdown of the row above (`rejected 429` under `rejected`): drawn indented.
    pub sub: bool,
    /// Its unit (`req/s`), may be empty.
    pub unit: String,
    /// Formatted values, one per column.
    pub cells: Vec<String>,
}

/// The summary table: figures down, whole run and fleets across.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Table {
    /// The value columns.
    pub columns: Vec<Column>,
    /// The rows.
    pub rows: Vec<Row>,
}

/// A row of a [`Grid`]: its cells and a CSS class (`better`, `worse`, or empty).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct GridRow {
    /// Formatted cells, one per column.
    pub cells: Vec<String>,
    /// CSS class of the row.
    pub class: String,
}

/// A plain table with its own heading (sweep points, comparison verdicts, parameters).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Grid {
    /// Element id (`points`, `verdicts`).
    pub id: String,
    /// Heading above it.
    pub heading: String,
    /// How to read it, under the heading.
    pub caption: String,
    /// Column headers.
    pub head: Vec<String>,
    /// Rows.
    pub rows: Vec<GridRow>,
}

/// How charts are put in the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Embed {
    /// Inline `<svg>` elements (sharp at any zoom; the run report).
    #[default]
    InlineSvg,
    /// `<img>` elements with the PNG as a `data:` URI (the bundled font exactly as drawn).
    PngDataUri,
}

/// Everything on the page.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Page {
    /// Scenario name (the heading).
    pub title: String,
    /// One-line description.
    pub description: String,
    /// (label, value) facts shown under the heading: seed, duration, bucket, events.
    pub meta: Vec<(String, String)>,
    /// The summary table.
    pub table: Table,
    /// Further tables, after the summary table.
    pub grids: Vec<Grid>,
    /// How charts are embedded.
    pub embed: Embed,
    /// The scenario file text, shown in a collapsed block.
    pub scenario_text: String,
    /// The charts, in order.
    pub charts: Vec<Chart>,
    /// Remarks (charts left out and why).
    pub notes: Vec<String>,
    /// Footer text (generator and version).
    pub footer: String,
}

/// Render the page. Deterministic: the same page gives the same bytes.
///
/// ```
/// let page = report::html::Page { title: "calm <1>".into(), ..Default::default() };
/// let html = report::html::render_page(&page);
/// assert!(html.starts_with("<!DOCTYPE html>"));
/// assert!(html.contains("<h1>calm &lt;1&gt;</h1>"));
/// ```
pub fn render_page(page: &Page) -> String {
    let mut h =
        String::with_capacity(64 * 1024 + page.charts.iter().map(|c| c.svg.len()).sum::<usize>());
    let title = escape(&page.title);
    // Writing into a String cannot fail; `let _ =` keeps clippy quiet about the Result.
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{title} - throttlelab report</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n"
    );
    let _ = writeln!(h, "<header>\n<h1>{title}</h1>");
    if !page.description.is_empty() {
        let _ = writeln!(h, "<p class=\"desc\">{}</p>", escape(&page.description));
    }
    if !page.meta.is_empty() {
        h.push_str("<dl class=\"meta\">");
        for (k, v) in &page.meta {
            let _ = write!(h, "<div><dt>{}</dt><dd>{}</dd></div>", escape(k), escape(v));
        }
        h.push_str("</dl>\n");
    }
    h.push_str("</header>\n");
    table(&mut h, &page.table);
    for g in &page.grids {
        grid(&mut h, g);
    }
    if !page.scenario_text.is_empty() {
        let _ = writeln!(
            h,
            "<details id=\"scenario\">\n<summary>Scenario file (parameters)</summary>\n<pre>{}</pre>\n</details>",
            escape(&page.scenario_text)
        );
    }
    if !page.charts.is_empty() {
        h.push_str("<section id=\"charts\">\n");
        for c in &page.charts {
            match page.embed {
                Embed::InlineSvg => chart(&mut h, c),
                Embed::PngDataUri => chart_img(&mut h, c),
            }
        }
        h.push_str("</section>\n");
    }
    if !page.notes.is_empty() {
        h.push_str("<h2>Notes</h2>\n<ul class=\"notes\">\n");
        for n in &page.notes {
            let _ = writeln!(h, "<li>{}</li>", escape(n));
        }
        h.push_str("</ul>\n");
    }
    if !page.footer.is_empty() {
        let _ = writeln!(h, "<footer>{}</footer>", escape(&page.footer));
    }
    h.push_str("</main>\n</body>\n</html>\n");
    h
}

fn table(h: &mut String, t: &Table) {
    if t.rows.is_empty() {
        return;
    }
    h.push_str("<section id=\"summary\">\n<h2>Summary</h2>\n<table class=\"summary\">\n<thead><tr><th>figure</th><th>unit</th>");
    for c in &t.columns {
        h.push_str("<th>");
        if let Some(color) = &c.color {
            let _ = write!(
                h,
                "<span class=\"swatch\" style=\"background:{}\"></span>",
                escape(color)
            );
        }
        let _ = write!(h, "{}</th>", escape(&c.name));
    }
    h.push_str("</tr></thead>\n<tbody>\n");
    for r in &t.rows {
        let class = if r.sub { " class=\"sub\"" } else { "" };
        let _ = write!(
            h,
            "<tr><td{class}>{}</td><td class=\"unit\">{}</td>",
            escape(&r.label),
            escape(&r.unit)
        );
        for cell in &r.cells {
            let _ = write!(h, "<td>{}</td>", escape(cell));
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody>\n</table>\n</section>\n");
}

fn grid(h: &mut String, g: &Grid) {
    if g.rows.is_empty() {
        return;
    }
    let _ = writeln!(
        h,
        "<section id=\"{}\">\n<h2>{}</h2>",
        escape(&g.id),
        escape(&g.heading)
    );
    if !g.caption.is_empty() {
        let _ = writeln!(h, "<p class=\"caption\">{}</p>", escape(&g.caption));
    }
    h.push_str("<div class=\"scroll\"><table class=\"summary grid\">\n<thead><tr>");
    for c in &g.head {
        let _ = write!(h, "<th>{}</th>", escape(c));
    }
    h.push_str("</tr></thead>\n<tbody>\n");
    for r in &g.rows {
        if r.class.is_empty() {
            h.push_str("<tr>");
        } else {
            let _ = write!(h, "<tr class=\"{}\">", escape(&r.class));
        }
        for c in &r.cells {
            let _ = write!(h, "<td>{}</td>", escape(c));
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody>\n</table></div>\n</section>\n");
}

/// A chart as an `<img>` whose source is its PNG, base64-encoded in a `data:` URI.
fn chart_img(h: &mut String, c: &Chart) {
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

fn chart(h: &mut String, c: &Chart) {
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

    fn page() -> Page {
        Page {
            title: "retry-storm".into(),
            description: "a storm".into(),
            meta: vec![("seed".into(), "42".into())],
            table: Table {
                columns: vec![
                    Column {
                        name: "all".into(),
                        color: None,
                    },
                    Column {
                        name: "web".into(),
                        color: Some("#4e79a7".into()),
                    },
                ],
                rows: vec![Row {
                    label: "goodput".into(),
                    sub: false,
                    unit: "req/s".into(),
                    cells: vec!["10.0".into(), "10.0".into()],
                }],
            },
            scenario_text: "name = \"retry-storm\"\n# <b>not bold</b>\n".into(),
            charts: vec![Chart {
                name: "timeline".into(),
                title: "T".into(),
                caption: "C".into(),
                svg: "<svg width=\"1\" height=\"1\"></svg>\n".into(),
                png: vec![],
            }],
            notes: vec!["n".into()],
            footer: "throttlelab".into(),
            ..Default::default()
        }
    }

    #[test]
    fn every_part_is_present_and_escaped() {
        let h = render_page(&page());
        assert!(h.contains("<h1>retry-storm</h1>"));
        assert!(h.contains("<dt>seed</dt><dd>42</dd>"));
        assert!(h.contains("background:#4e79a7"));
        assert!(h.contains("&lt;b&gt;not bold&lt;/b&gt;"));
        assert!(h.contains("<figure id=\"chart-timeline\">"));
        assert!(h.contains("<svg width=\"1\" height=\"1\"></svg></div>"));
        assert!(h.ends_with("</html>\n"));
    }

    #[test]
    fn no_external_resources() {
        let h = render_page(&page());
        for bad in ["http://", "https://", "<script", "<link", "src=\""] {
            assert!(!h.contains(bad), "page refers to {bad}");
        }
    }

    #[test]
    fn xml_declaration_is_dropped() {
        let mut p = page();
        p.charts[0].svg = "<?xml version=\"1.0\"?>\n<svg></svg>".into();
        let h = render_page(&p);
        assert!(!h.contains("<?xml"));
        assert!(h.contains("<svg></svg>"));
    }

    #[test]
    fn png_charts_and_grids() {
        let mut p = page();
        p.embed = Embed::PngDataUri;
        p.charts[0].png = vec![1, 2, 3];
        p.grids.push(Grid {
            id: "verdicts".into(),
            heading: "Verdicts".into(),
            caption: "<why>".into(),
            head: vec!["figure".into()],
            rows: vec![GridRow {
                cells: vec!["goodput".into()],
                class: "better".into(),
            }],
        });
        let h = render_page(&p);
        assert!(h.contains("src=\"data:image/png;base64,AQID\""), "{h}");
        assert!(!h.contains("<svg"));
        assert!(h.contains("<tr class=\"better\"><td>goodput</td></tr>"));
        assert!(h.contains("&lt;why&gt;"));
    }

    #[test]
    fn rendering_is_deterministic() {
        assert_eq!(render_page(&page()), render_page(&page()));
    }
}
