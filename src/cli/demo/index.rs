//! `<out>/index.html`: the front page of the pack. One section per item: its key chart as a
//! thumbnail beside the question it answers and a one-line answer naming the winner (both
//! from the headline its report wrote, `headline.json`), then the figures read from the step's
//! files ([`super::figures`]), the links to its reports and tables (relative, so the folder
//! can be zipped or moved), and the command that made it. Text in backticks is rendered as
//! code, never shown as raw Markdown. No timestamp: the same pack gives the same bytes.

mod sections;

use super::plan::Pack;
use super::DemoArgs;
use crate::cli::CliError;
use anyhow::{Context, Result};
use report::html::escape;
use sections::{fairness, jitter, seed, storm};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// One section of the page.
pub(super) struct Section {
    pub(super) title: String,
    /// The folder of the report whose headline leads the section.
    pub(super) lead: PathBuf,
    /// The chart that shows this item's answer, when it is not the headline's (see [`thumb`]).
    pub(super) thumb: Option<&'static str>,
    pub(super) question: String,
    pub(super) answer: String,
    pub(super) links: Vec<(String, PathBuf)>,
    pub(super) commands: Vec<String>,
}

/// Build every section from the outputs and write `<out>/index.html`.
pub fn write(args: &DemoArgs, pack: &Pack) -> Result<PathBuf, CliError> {
    let mut sections = vec![storm(pack)?, jitter(pack)?, fairness(pack)?];
    for (stem, out) in &pack.seeds {
        sections.push(seed(stem, out).with_context(|| format!("summarising {stem}"))?);
    }
    let html = render(args, &sections);
    let path = args.out.join("index.html");
    std::fs::write(&path, html).with_context(|| format!("writing {}", path.display()))?;
    Ok(path)
}

/// The attempts reaching the server per fleet over time (the run charts' `arrivals`): the
/// storm's synchronised waves, and what each seed API's client sends against the lab's. The
/// headline's latency percentiles (log scale, shrunk to a thumbnail) show neither.
pub(super) const ARRIVALS: &str = "arrivals";

/// The thumbnail of a section: its own chart when drawn, else its headline's; with the PNG.
fn thumb(s: &Section, headline: Option<&report::html::Headline>) -> Option<(String, PathBuf)> {
    let png = |c: &str| s.lead.join("charts").join(format!("{c}.png"));
    s.thumb
        .map(str::to_owned)
        .filter(|c| png(c).is_file())
        .or_else(|| headline.and_then(|hl| hl.chart.clone()))
        .map(|c| {
            let p = png(&c);
            (c, p)
        })
        .filter(|(_, p)| p.is_file())
}

/// `path` relative to the page's folder, with `/` separators.
fn href(base: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(base).unwrap_or(path);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

/// Escape `text` and render its `code` spans (backticks) as `<code>`.
fn inline(text: &str) -> String {
    text.split('`')
        .enumerate()
        .map(|(i, part)| {
            if i % 2 == 1 {
                format!("<code>{}</code>", escape(part))
            } else {
                escape(part)
            }
        })
        .collect()
}

/// The first sentence of an answer (a sentence ends at `. ` followed by a capital).
fn first_sentence(text: &str) -> &str {
    let b = text.as_bytes();
    (0..b.len().saturating_sub(2))
        .find(|&i| b[i] == b'.' && b[i + 1] == b' ' && b[i + 2].is_ascii_uppercase())
        .map_or(text, |i| &text[..=i])
}

const CSS: &str = "\
body{font-family:system-ui,sans-serif;max-width:72rem;margin:2rem auto;padding:0 1rem;color:#222}\n\
section{border-top:1px solid #ddd;padding:.5rem 0 1rem}\n\
.lead{display:flex;flex-wrap:wrap;gap:1rem;align-items:flex-start}\n\
.lead a.thumb{flex:0 0 360px;max-width:100%}\n\
.lead a.thumb img{width:100%;height:auto;border:1px solid #ddd}\n\
.lead div{flex:1 1 20rem;min-width:0}\n\
.q{font-style:italic;margin-top:0}\n\
.a{background:#f4f7fb;padding:.5rem;border-left:3px solid #4a78b5;font-weight:600}\n\
.d{font-size:.9em;color:#333}\n\
code{font-size:.85em;color:#555;overflow-wrap:anywhere}\n";

fn render(args: &DemoArgs, sections: &[Section]) -> String {
    let mut h = format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>throttlelab design-review pack</title>\n<style>\n{CSS}</style>\n</head>\n<body>\n\
         <h1>throttlelab design-review pack</h1>\n"
    );
    let _ = writeln!(
        h,
        "<p>Made by <code>throttlelab demo{}</code>: every answer below is read from the files \
         of the step that made it; each report is one self-contained page.</p>",
        if args.quick { " --quick" } else { "" }
    );
    h.push_str("<ul>\n");
    for (i, s) in sections.iter().enumerate() {
        let _ = writeln!(h, "<li><a href=\"#s{i}\">{}</a></li>", inline(&s.title));
    }
    h.push_str("</ul>\n");
    for (i, s) in sections.iter().enumerate() {
        let _ = writeln!(h, "<section id=\"s{i}\">\n<h2>{}</h2>", inline(&s.title));
        let headline = report::html::read_headline(&s.lead);
        let question = headline
            .as_ref()
            .map_or(s.question.as_str(), |hl| hl.question.as_str());
        h.push_str("<div class=\"lead\">");
        if let Some((chart, png)) = thumb(s, headline.as_ref()) {
            let _ = write!(
                    h,
                    "<a class=\"thumb\" href=\"{}\"><img src=\"{}\" alt=\"{}\" width=\"360\" height=\"180\"></a>",
                    escape(&href(&args.out, &s.lead.join("report.html"))),
                    escape(&href(&args.out, &png)),
                    escape(&chart)
                );
        }
        let _ = write!(h, "<div><p class=\"q\">{}</p>", inline(question));
        if let Some(hl) = &headline {
            let _ = write!(
                h,
                "<p class=\"a\">{}</p>",
                inline(first_sentence(&hl.answer))
            );
        }
        let _ = writeln!(
            h,
            "<p class=\"d\">{}</p></div></div>\n<ul>",
            inline(&s.answer)
        );
        for (label, path) in &s.links {
            let _ = writeln!(
                h,
                "<li><a href=\"{}\">{}</a></li>",
                escape(&href(&args.out, path)),
                escape(label)
            );
        }
        h.push_str("</ul>\n");
        for c in &s.commands {
            let _ = writeln!(h, "<p><code>{}</code></p>", escape(c));
        }
        h.push_str("</section>\n");
    }
    h.push_str("</body>\n</html>\n");
    h
}

#[cfg(test)]
mod tests;
