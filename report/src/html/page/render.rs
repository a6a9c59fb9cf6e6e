//! Rendering a [`Page`] into one HTML document: head and inline style, the header with its
//! facts, the headline (question, answer, the chart that shows it), the tables, the scenario
//! file, the other charts, the notes and the footer, in that order.
//! Deterministic: the same page gives the same bytes.

use super::super::escape::escape;
use super::super::style::CSS;
use super::figures::{chart, chart_img};
use super::tables::{grid, table};
use super::{Embed, Page};
use std::fmt::Write;

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
    let key = page.headline.as_ref().and_then(|hl| hl.chart.as_deref());
    let embed = |h: &mut String, c: &crate::charts::Chart| match page.embed {
        Embed::InlineSvg => chart(h, c),
        Embed::PngDataUri => chart_img(h, c),
    };
    if let Some(hl) = &page.headline {
        h.push_str("<section id=\"headline\" class=\"headline\">\n");
        let _ = writeln!(
            h,
            "<p class=\"question\"><span>Question</span> {}</p>\n<p class=\"answer\"><span>Answer</span> {}</p>",
            escape(&hl.question),
            escape(&hl.answer)
        );
        if let Some(c) = page.charts.iter().find(|c| Some(c.name.as_str()) == key) {
            embed(&mut h, c);
        }
        h.push_str("</section>\n");
    }
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
        for c in page
            .charts
            .iter()
            .filter(|c| page.headline.is_none() || Some(c.name.as_str()) != key)
        {
            embed(&mut h, c);
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

#[cfg(test)]
mod tests {
    use super::super::{Column, Grid, GridRow, Row, Table};
    use super::*;
    use crate::charts::Chart;

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
    fn headline_comes_first_with_its_chart_drawn_once() {
        let mut p = page();
        p.headline = Some(crate::html::Headline {
            question: "Does jitter help?".into(),
            answer: "Yes: 0 vs 162.".into(),
            chart: Some("timeline".into()),
        });
        let h = render_page(&p);
        let head = h.find("id=\"headline\"").expect("headline");
        assert!(head < h.find("id=\"summary\"").unwrap(), "before the table");
        assert!(h[head..].starts_with("id=\"headline\" class=\"headline\">\n<p class=\"question\"><span>Question</span> Does jitter help?</p>"));
        assert_eq!(h.matches("<figure id=\"chart-timeline\">").count(), 1);
        assert!(h.find("chart-timeline").unwrap() < h.find("id=\"summary\"").unwrap());
    }

    #[test]
    fn rendering_is_deterministic() {
        assert_eq!(render_page(&page()), render_page(&page()));
    }
}
