//! The page's tables: the summary table (figures down, the whole run and each fleet across,
//! with the fleets' colour swatches) and the plain grids with their own headings (sweep
//! points, comparison verdicts). Every cell is escaped; an empty table is not drawn.

use super::super::escape::escape;
use super::{Grid, Table};
use std::fmt::Write;

/// The summary table, with its heading.
pub(super) fn table(h: &mut String, t: &Table) {
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

/// A grid, with its heading and caption; rows carry their CSS class.
pub(super) fn grid(h: &mut String, g: &Grid) {
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
        // A dotted parameter path may break after any dot: a narrow column, not a wide table.
        let _ = write!(h, "<th>{}</th>", escape(c).replace('.', ".<wbr>"));
    }
    h.push_str("</tr></thead>\n<tbody>\n");
    for r in &g.rows {
        if r.class.is_empty() {
            h.push_str("<tr>");
        } else {
            let _ = write!(h, "<tr class=\"{}\">", escape(&r.class));
        }
        for c in &r.cells {
            let _ = write!(h, "<td>{}</td>", escape(&keep_intervals(c)));
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody>\n</table></div>\n</section>\n");
}

/// A cell with no-break spaces inside its intervals (`12.3 [11.9, 12.7]`): a narrow column
/// wraps between a value and its interval, never inside the interval. Only an interval's
/// brackets (short, numbers only) are kept whole: a bracketed TOML value such as a limiter
/// layout must wrap, or it pushes the table past the page's edge.
fn keep_intervals(cell: &str) -> String {
    let mut out = String::with_capacity(cell.len());
    let mut rest = cell;
    while let Some(open) = rest.find('[') {
        out.push_str(&rest[..open]);
        let group = &rest[open..];
        let close = group.find(']').map_or(group.len(), |c| c + 1);
        let (inside, after) = group.split_at(close);
        let interval = inside.len() <= 40 && !inside[1..].contains(['{', '"', '=', '[']);
        if interval {
            out.extend(inside.chars().map(|c| if c == ' ' { '\u{a0}' } else { c }));
        } else {
            out.push_str(inside);
        }
        rest = after;
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::keep_intervals;

    #[test]
    fn intervals_do_not_break() {
        assert_eq!(
            keep_intervals("12.3 [11.9, 12.7] x"),
            "12.3 [11.9,\u{a0}12.7] x"
        );
    }

    /// A limiter layout `[{ algorithm = "token_bucket", ... }]` in a cell was kept on one line
    /// and pushed the parameters table past the page's right edge.
    #[test]
    fn toml_values_in_brackets_still_wrap() {
        let v = r#"[{ algorithm = "token_bucket", burst = 100 }]"#;
        assert_eq!(keep_intervals(v), v);
        assert_eq!(
            keep_intervals("1 [0, 2] and [3, 4]"),
            "1 [0,\u{a0}2] and [3,\u{a0}4]"
        );
    }
}
