//! `<out>/index.html`: the front page of the pack. One section per item: its key chart as a
//! thumbnail beside the question it answers and a one-line answer naming the winner (both
//! from the headline its report wrote, `headline.json`), then the figures read from the step's
//! files ([`super::figures`]), the links to its reports and tables (relative, so the folder
//! can be zipped or moved), and the command that made it. Text in backticks is rendered as
//! code, never shown as raw Markdown. No timestamp: the same pack gives the same bytes.

use super::figures::{count, jain_max_min, num, pct, peak_retries, secs, tenant_share, Csv};
use super::plan::{Out, Pack};
use super::DemoArgs;
use crate::cli::CliError;
use anyhow::{anyhow, Context, Result};
use report::html::escape;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// One section of the page.
struct Section {
    title: String,
    /// The folder of the report whose headline leads the section.
    lead: PathBuf,
    /// The chart that shows this item's answer, when it is not the headline's (see [`thumb`]).
    thumb: Option<&'static str>,
    question: String,
    answer: String,
    links: Vec<(String, PathBuf)>,
    commands: Vec<String>,
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

/// The report of a run, and its summary table.
fn run_links(name: &str, out: &Out) -> Vec<(String, PathBuf)> {
    let mut links = vec![
        (format!("{name}: report"), out.dir.join("report.html")),
        (format!("{name}: summary.csv"), out.dir.join("summary.csv")),
    ];
    if let Some(v) = &out.variant {
        links.push((format!("{name}: scenario"), v.clone()));
    }
    links
}

/// The sweep's report when `sweep` writes one, and its per-point table.
fn sweep_links(name: &str, out: &Out) -> Vec<(String, PathBuf)> {
    let report = out.dir.join("report.html");
    let mut links = Vec::new();
    if report.is_file() {
        links.push((format!("{name}: report"), report));
    }
    links.push((format!("{name}: points.csv"), out.dir.join("points.csv")));
    links
}

fn fleet_line(row: &std::collections::BTreeMap<String, String>) -> String {
    format!(
        "{:.0} attempts, {:.0} refused by the limiter, {:.0} of {:.0} requests succeeded, p99 {}",
        count(row, "attempts"),
        count(row, "rejected_total"),
        count(row, "successes"),
        count(row, "logical_requests"),
        secs(num(row, "latency_p99_ms")),
    )
}

fn storm(pack: &Pack) -> Result<Section> {
    let out = &pack.storm;
    let summary = Csv::read(&out.dir.join("summary.csv"))?;
    let series = Csv::read(&out.dir.join("timeseries.csv"))?;
    let scenario = run_scenario(&out.dir)?;
    let outage_end = scenario
        .faults
        .iter()
        .map(|f| f.end().as_secs_f64())
        .fold(0.0, f64::max);
    let mut parts = Vec::new();
    for (fleet, name) in [("nojitter", "no jitter"), ("jitter", "full jitter")] {
        let row = summary.row("fleet", fleet)?;
        let (peak, at) = peak_retries(&series, fleet, outage_end)
            .ok_or_else(|| anyhow!("no time series for {fleet}"))?;
        parts.push(format!(
            "{name}: {:.0} answers of 429, p99 latency {}, at most {peak:.0} retries in one second after it (t = {at:.0} s)",
            count(row, "rejected_429"),
            secs(num(row, "latency_p99_ms")),
        ));
    }
    Ok(Section {
        title: "Retry storm: no jitter vs full jitter".into(),
        lead: out.dir.clone(),
        thumb: Some(ARRIVALS),
        question: format!(
            "After an outage that ends at {outage_end:.0} s, do clients that back off without \
             jitter come back in synchronised waves that the limiter then refuses?"
        ),
        answer: format!("Seed {}: {}.", scenario.seed, parts.join("; ")),
        links: run_links("retry-storm", out),
        commands: vec![out.command.clone()],
    })
}

/// The scenario a run directory recorded (`scenario.toml`).
fn run_scenario(dir: &Path) -> Result<sim::model::Scenario> {
    let path = dir.join(report::html::SCENARIO_COPY);
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    sim::scenario::load_str(
        &path.display().to_string(),
        &sim::sweep::without_sweep(&text),
    )
    .map_err(|e| anyhow!("{e}"))
}

fn jitter(pack: &Pack) -> Result<Section> {
    let out = &pack.jitter_sweep;
    let points = Csv::read(&out.dir.join("points.csv"))?;
    let key = "fleet.jitter.retry.jitter";
    let mut parts = Vec::new();
    let mut best: Option<(f64, String)> = None;
    let mut runs = 0.0;
    for row in points.rows() {
        let j = row.get(key).cloned().unwrap_or_default();
        let p99 = num(row, "jitter:latency_p99_ms_mean");
        runs = count(row, "runs");
        parts.push(format!(
            "{j}: {:.0} attempts, {:.0} refused, p99 {}",
            count(row, "jitter:attempts_mean"),
            count(row, "jitter:rejected_total_mean"),
            secs(p99)
        ));
        if let Some(p) = p99 {
            if best.as_ref().is_none_or(|(b, _)| p < *b) {
                best = Some((p, j));
            }
        }
    }
    let best = best.map_or_else(String::new, |(p, j)| {
        format!(" Lowest p99: {j} ({}).", secs(Some(p)))
    });
    let mut links = sweep_links("jitter sweep", out);
    links.extend(run_links("four strategies in one run", &pack.jitter_run));
    Ok(Section {
        title: "Jitter experiment: none, full, equal, decorrelated".into(),
        lead: out.dir.clone(),
        thumb: None,
        question: "Which jitter strategy of exponential backoff (Brooker 2015) spreads the \
                   retries after the outage best, and what does each cost in attempts and tail \
                   latency?"
            .into(),
        answer: format!(
            "Mean over {runs:.0} seeds, fleet `jitter` of the retry storm: {}.{best}",
            parts.join("; ")
        ),
        links,
        commands: vec![out.command.clone(), pack.jitter_run.command.clone()],
    })
}

fn fairness(pack: &Pack) -> Result<Section> {
    let out = &pack.fairness_sweep;
    let points = Csv::read(&out.dir.join("points.csv"))?;
    let mut parts = Vec::new();
    let mut links = sweep_links("fairness sweep", out);
    let mut commands = vec![out.command.clone()];
    for (i, (label, run)) in pack.fairness_runs.iter().enumerate() {
        let row = points.row("point", &i.to_string())?;
        let share = |fleet: &str| {
            pct(
                count(row, &format!("{fleet}:successes_mean")),
                count(row, &format!("{fleet}:logical_requests_mean")),
            )
        };
        let tenants = Csv::read(&run.dir.join("tenants.csv"))?;
        let jain = jain_max_min(&tenants).map_or_else(|| "-".into(), |j| format!("{j:.2}"));
        let (ok, demand) = tenant_share(&tenants, "quiet-");
        parts.push(format!(
            "{label}: quiet tenants get {} of their demand, the noisy one {} (seed {}: quiet {}, Jain's max-min index {jain})",
            share("quiet"),
            share("noisy"),
            run_scenario(&run.dir)?.seed,
            pct(ok, demand),
        ));
        links.extend(run_links(&format!("fairness-{label}"), run));
        commands.push(run.command.clone());
    }
    let runs = points.rows().first().map_or(0.0, |r| count(r, "runs"));
    Ok(Section {
        title: "Fairness experiment: a noisy neighbour".into(),
        lead: out.dir.clone(),
        thumb: None,
        question: "Three quiet tenants ask 10/s each, a noisy one 200/s, the API serves 100/s: \
                   does a global limit, a per-tenant limit or a hierarchy protect the quiet \
                   tenants?"
            .into(),
        answer: format!("Mean over {runs:.0} seeds: {}.", parts.join("; ")),
        links,
        commands,
    })
}

fn seed(stem: &str, out: &Out) -> Result<Section> {
    let summary = Csv::read(&out.dir.join("summary.csv"))?;
    let description = run_scenario(&out.dir)?.description;
    let parts: Vec<String> = summary
        .rows()
        .iter()
        .filter(|r| r.get("fleet").is_some_and(|f| f != "all"))
        .map(|r| format!("{}: {}", r["fleet"], fleet_line(r)))
        .collect();
    let short = out
        .shortened
        .map_or_else(String::new, |d| format!(" (--quick: the first {d} only)"));
    Ok(Section {
        title: format!("Seed API {stem}"),
        lead: out.dir.clone(),
        thumb: Some(ARRIVALS),
        question: format!(
            "{description}: what does the document's client (`doc`) cost against the lab's \
             (`lab`)?"
        ),
        answer: format!("{}{short}.", parts.join("; ")),
        links: run_links(stem, out),
        commands: vec![out.command.clone()],
    })
}

/// The attempts reaching the server per fleet over time (the run charts' `arrivals`): the
/// storm's synchronised waves, and what each seed API's client sends against the lab's. The
/// headline's latency percentiles (log scale, shrunk to a thumbnail) show neither.
const ARRIVALS: &str = "arrivals";

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
mod tests {
    use super::*;

    #[test]
    fn links_are_relative_with_slashes() {
        let base = Path::new("notebooks-out");
        let p = base.join("retry-storm").join("42").join("report.html");
        assert_eq!(href(base, &p), "retry-storm/42/report.html");
    }

    #[test]
    fn backticks_become_code_and_answers_cut_at_the_first_sentence() {
        assert_eq!(
            inline("fleet `jitter` <b>"),
            "fleet <code>jitter</code> &lt;b&gt;"
        );
        assert_eq!(
            first_sentence("p99 47.0 s vs 39.1 s. One seed (42): no interval."),
            "p99 47.0 s vs 39.1 s."
        );
        assert_eq!(first_sentence("no end"), "no end");
    }
}
