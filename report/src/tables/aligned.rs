//! Plain-text tables for the terminal: `run`'s summary per fleet, `compare`'s figures and
//! `sweep`'s points. Each column is as wide as its widest cell, columns are two spaces apart,
//! and a rule of `-` as wide as the table sits under the header row.
//!
//! One function so the three tables print alike (they had grown three copies of this loop).

use std::fmt::Write;

/// How the cells of a row are aligned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Align {
    /// The first column (a name) to the left, the rest (numbers) to the right.
    FirstLeft,
    /// Every column to the right.
    AllRight,
}

/// `rows`, the header first, as aligned text: one line per row, each ending in a newline and
/// without trailing spaces, the rule after the first. No rows give an empty string.
///
/// A row shorter than the header leaves its last columns blank.
pub(crate) fn aligned(rows: &[Vec<String>], align: Align) -> String {
    let Some(header) = rows.first() else {
        return String::new();
    };
    let cols = header.len();
    let widths: Vec<usize> = (0..cols)
        .map(|c| {
            rows.iter()
                .map(|r| r.get(c).map_or(0, |cell| cell.chars().count()))
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for (i, r) in rows.iter().enumerate() {
        let line: Vec<String> = r
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(c, (cell, w))| {
                if c == 0 && align == Align::FirstLeft {
                    format!("{cell:<w$}")
                } else {
                    format!("{cell:>w$}")
                }
            })
            .collect();
        let _ = writeln!(out, "{}", line.join("  ").trim_end());
        if i == 0 {
            let rule = widths.iter().sum::<usize>() + 2 * cols.saturating_sub(1);
            let _ = writeln!(out, "{}", "-".repeat(rule));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(cells: &[&[&str]]) -> Vec<Vec<String>> {
        cells
            .iter()
            .map(|r| r.iter().map(|c| c.to_string()).collect())
            .collect()
    }

    #[test]
    fn columns_align_under_a_rule() {
        let t = rows(&[&["fleet", "goodput"], &["web", "9.5"], &["mobile", "10.25"]]);
        assert_eq!(
            aligned(&t, Align::FirstLeft),
            "fleet   goodput\n---------------\nweb         9.5\nmobile    10.25\n"
        );
        assert_eq!(
            aligned(&t, Align::AllRight),
            " fleet  goodput\n---------------\n   web      9.5\nmobile    10.25\n"
        );
    }

    #[test]
    fn no_trailing_spaces_and_nothing_for_no_rows() {
        let t = rows(&[&["figure", ""], &["goodput", ""]]);
        assert_eq!(
            aligned(&t, Align::FirstLeft),
            "figure\n---------\ngoodput\n"
        );
        assert_eq!(aligned(&[], Align::AllRight), "");
    }
}
