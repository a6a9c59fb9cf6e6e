//! Charts and report from real simulator runs of the shipped scenarios: every expected chart is
//! drawn, the HTML embeds each one inline, and the same run gives byte-identical output.

use std::path::{Path, PathBuf};

fn scenario(name: &str) -> (String, sim::model::Scenario) {
    let path: PathBuf = [env!("CARGO_MANIFEST_DIR"), "..", "scenarios", name]
        .iter()
        .collect();
    let text = std::fs::read_to_string(&path).expect("scenario file");
    let s = sim::scenario::load_str(name, &text).expect("valid scenario");
    (text, s)
}

fn out_dir(name: &str) -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("run-reports")
        .join(name);
    let _ = std::fs::remove_dir_all(&d);
    d
}

#[test]
fn retry_storm_report_has_every_chart_inline() {
    let (text, s) = scenario("retry-storm.toml");
    let r = sim::run(&s, s.seed).expect("run");
    let dir = out_dir("retry-storm");
    let html_path = report::write_run_report(&dir, &r, &text).expect("report");
    let html = std::fs::read_to_string(&html_path).expect("read html");
    for name in [
        "timeline",
        "timeline_nojitter",
        "timeline_jitter",
        "latency_percentiles",
        "fairness",
        "backend_state",
        "arrivals",
    ] {
        assert!(
            dir.join("charts").join(format!("{name}.png")).is_file(),
            "charts/{name}.png"
        );
        assert!(
            dir.join("charts").join(format!("{name}.svg")).is_file(),
            "charts/{name}.svg"
        );
        assert!(
            html.contains(&format!("<figure id=\"chart-{name}\">")),
            "figure {name}"
        );
    }
    let figures = html.matches("<figure ").count();
    assert_eq!(
        figures,
        html.matches("<svg ").count(),
        "one inline svg per figure"
    );
    // The outage is shaded and labelled; the scenario text is in the page, escaped.
    assert!(html.contains("outage 503"));
    assert!(html.contains("<details id=\"scenario\">"));
    assert!(html.contains("name = &quot;retry-storm&quot;"));
    // Summary table: one column per fleet plus the total.
    assert!(html.contains(">nojitter</th>") && html.contains(">jitter</th>"));
}

#[test]
fn same_run_gives_identical_bytes() {
    let (text, s) = scenario("calm.toml");
    let r = sim::run(&s, s.seed).expect("run");
    let a = report::html::build_run_report(&r, &text).expect("a");
    let b = report::html::build_run_report(&r, &text).expect("b");
    assert_eq!(a.html, b.html);
    for (x, y) in a.charts().iter().zip(b.charts()) {
        assert_eq!(x.png, y.png, "{}", x.name);
    }
}

#[test]
fn unparsable_scenario_text_still_gives_a_report() {
    let (_, s) = scenario("calm.toml");
    let r = sim::run(&s, s.seed).expect("run");
    let rep = report::html::build_run_report(&r, "this is not toml = = =").expect("report");
    assert!(rep.html.contains("did not parse"));
    assert!(!rep.charts().is_empty());
}
