//! Cutting a scenario file's `[sweep]` table out before loading.
//!
//! The `[sweep]` table is not part of the scenario format (the loader rejects unknown
//! tables), so it is blanked out before loading: its lines are replaced by spaces, keeping
//! every newline, so errors elsewhere in the file keep their line and column.

use std::ops::Range;
use toml_edit::{ImDocument, Item};

/// The text with the `[sweep]` lines blanked, and the `sweep` item if there was one (with the
/// spans of the original text). A text that does not parse is returned as is: the loader
/// reports the syntax error with its location.
pub(crate) fn strip_sweep(text: &str) -> (String, Option<ImDocument<String>>) {
    let Ok(doc) = ImDocument::parse(text.to_string()) else {
        return (text.to_string(), None);
    };
    let Some((key, item)) = doc.as_table().get_key_value("sweep") else {
        return (text.to_string(), None);
    };
    let mut spans = Vec::new();
    spans.extend(key.span());
    collect_spans(item, &mut spans);
    let mut lines = Vec::new();
    for s in spans {
        lines.push(line_range(text, s));
    }
    (blank_lines(text, &lines), Some(doc))
}

fn collect_spans(item: &Item, out: &mut Vec<Range<usize>>) {
    out.extend(item.span());
    if let Some(t) = item.as_table_like() {
        for (k, v) in t.iter() {
            if let Some((key, _)) = t.get_key_value(k) {
                out.extend(key.span());
            }
            collect_spans(v, out);
        }
    }
    if let Some(aot) = item.as_array_of_tables() {
        for t in aot.iter() {
            out.extend(t.span());
            for (k, v) in t.iter() {
                if let Some((key, _)) = t.get_key_value(k) {
                    out.extend(key.span());
                }
                collect_spans(v, out);
            }
        }
    }
}

/// The byte range of the whole lines `span` touches (without the final newline).
fn line_range(text: &str, span: Range<usize>) -> Range<usize> {
    let start = span.start.min(text.len());
    let end = span.end.clamp(start, text.len());
    let ls = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let le = text[end..].find('\n').map_or(text.len(), |i| end + i);
    ls..le
}

fn blank_lines(text: &str, ranges: &[Range<usize>]) -> String {
    let mut blank = vec![false; text.len()];
    for r in ranges {
        for b in &mut blank[r.clone()] {
            *b = true;
        }
    }
    text.char_indices()
        .map(|(i, c)| {
            if blank[i] && c != '\n' && c != '\r' {
                ' '
            } else {
                c
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "name = \"x\"\n[sweep]\nseeds = 3\n[sweep.params]\n\"fleet.web.count\" = [1, 2]\nretry.jitter = \"none,full\"\n[fleet.web]\ncount = 5 # clients\narrival = { process = \"poisson\", rate = \"1/s\" }\n[[server.limiters]]\nlimit = 3\n";

    #[test]
    fn strip_blanks_only_the_sweep_lines() {
        let (out, doc) = strip_sweep(TEXT);
        assert!(doc.is_some());
        assert_eq!(out.len(), TEXT.len());
        assert_eq!(out.lines().count(), TEXT.lines().count());
        let kept: Vec<&str> = out.lines().filter(|l| !l.trim().is_empty()).collect();
        assert_eq!(kept[0], "name = \"x\"");
        assert_eq!(kept[1], "[fleet.web]");
        assert!(!out.contains("sweep"), "{out}");
        assert!(out.parse::<toml::Table>().is_ok());
    }

    #[test]
    fn strip_handles_root_dotted_and_inline_sweeps() {
        for text in [
            "sweep.seeds = 2\nname = \"x\"\n",
            "sweep = { seeds = 2 }\nname = \"x\"\n",
        ] {
            let (out, doc) = strip_sweep(text);
            assert!(doc.is_some());
            assert_eq!(out.trim(), "name = \"x\"", "{text}");
        }
        let (out, doc) = strip_sweep("name = [\n");
        assert!(doc.is_none());
        assert_eq!(out, "name = [\n");
    }
}
