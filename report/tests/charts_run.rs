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
        "latency_time",
        "latency_time_nojitter",
        "latency_time_jitter",
        "retry_delays",
        "limiter_state",
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
    // Every chart has its data: nothing is left out.
    assert!(!html.contains("left out"), "a chart was left out");
    // The keyed (per-tenant) level's state is its busiest tenant's.
    assert!(html.contains("limiter, hottest tenant"));
    // Retry delays: no jitter is a few spikes, full jitter a spread over many bins.
    let d = report::charts::run_series::retry_delay_data(&r);
    let bins = |name: &str| {
        d.groups
            .iter()
            .find(|g| g.name == name)
            .map_or(0, |g| g.bins.len())
    };
    assert!(bins("nojitter") <= 6, "{}", bins("nojitter"));
    assert!(bins("jitter") > 20, "{}", bins("jitter"));
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

/// A small scenario with a global fixed window, a bounded backend and an outage: every
/// decoration (capacity line, fault band, window resets, limiter state) has data.
const TINY_GLOBAL: &str = r#"
name = "tiny-global"
description = "global fixed window, bounded backend, a 5 s outage"
seed = 7
duration = "40s"
bucket = "1s"

[server]
dialect = "x-ratelimit-delta"

[[server.limiters]]
scope = "global"
algorithm = "fixed_window"
limit = 100
period = "10s"

[server.backend]
workers = 4
queue = 50
service_time = { dist = "constant", value = "20ms" }

[[faults]]
kind = "outage"
start = "15s"
duration = "5s"
status = 503

[fleet.web]
count = 20
tenants = 4
arrival = { process = "poisson", rate = "1/s" }
timeout = "2s"

[fleet.web.retry]
policy = "exponential"
base = "200ms"
cap = "2s"
jitter = "full"
max_attempts = 3
"#;

#[test]
fn global_limiter_gives_capacity_line_limiter_state_and_resets() {
    let s = sim::scenario::load_str("tiny.toml", TINY_GLOBAL).expect("valid scenario");
    let r = sim::run(&s, s.seed).expect("run");
    // Capacity: min(global limit 100 per 10 s = 10/s, backend 4 workers / 20 ms = 200/s).
    let cap = report::charts::from_run::capacity(&s, r.duration_s).expect("capacity");
    assert_eq!(cap.label, "global limit 10 req/s");
    assert!(cap.points.iter().all(|p| (p.1 - 10.0).abs() < 1e-9));
    let resets = report::charts::from_run::window_resets(&s, r.duration_s);
    assert_eq!(
        resets.iter().map(|m| m.x).collect::<Vec<_>>(),
        vec![0.0, 10.0, 20.0, 30.0, 40.0]
    );
    let faults = report::charts::from_run::fault_windows(&s);
    assert_eq!(faults.len(), 1);
    assert_eq!((faults[0].start_s, faults[0].end_s), (15.0, 20.0));

    let rep = report::html::build_run_report(&r, TINY_GLOBAL).expect("report");
    let dir = out_dir("tiny-global");
    report::write_run_report(&dir, &r, TINY_GLOBAL).expect("write");
    assert_eq!(
        std::fs::read_to_string(dir.join("report.html")).expect("html"),
        rep.html,
        "written page is the built page"
    );
    let names: Vec<&str> = rep.charts().iter().map(|c| c.name.as_str()).collect();
    for want in [
        "timeline",
        "latency_percentiles",
        "fairness",
        "limiter_state",
        "backend_state",
        "arrivals",
    ] {
        assert!(names.contains(&want), "{want} missing from {names:?}");
    }
    // One fleet: no per-fleet timelines; four tenants: one bar each.
    assert!(!names.iter().any(|n| n.starts_with("timeline_")));
    let fair = report::charts::from_run::fairness_data(&r);
    assert_eq!(fair.bars.len(), 4);
    assert_eq!(fair.group_kind, "tenant");
    let demand: u64 = fair.bars.iter().map(|b| b.demand).sum();
    assert_eq!(demand, r.summary.logical_requests);
    // Timeline rates are per second and add up to the run's attempts.
    let t =
        report::charts::from_run::timeline_data("t", r.series.bucket_s, &r.series.total, None, &[]);
    let attempts: f64 = t
        .buckets
        .iter()
        .map(|b| (b.first_tries + b.retries) * r.series.bucket_s)
        .sum();
    assert!(
        (attempts - r.summary.attempts as f64).abs() < 1e-6,
        "{attempts} vs {}",
        r.summary.attempts
    );
    assert!(rep.html.contains("limit 10 req/s"));
}

/// A live run (`throttlelab load`) is measured, not simulated: neither its report nor its
/// printed summary may say "simulated" (issue #12).
#[test]
fn a_live_run_is_never_labelled_simulated() {
    let (text, s) = scenario("calm.toml");
    assert!(!text.to_lowercase().contains("simulat"), "the premise");
    let mut r = sim::run(&s, s.seed).expect("run");
    let simulated = report::html::build_run_report(&r, &text).expect("report");
    assert!(
        simulated.html.contains("simulated"),
        "a simulated run says so"
    );
    r.live = true;
    let live = report::html::build_run_report(&r, &text).expect("report");
    assert!(!live.html.to_lowercase().contains("simulated"));
    assert!(live.html.contains("live"));
    let table = report::files::summary_table(&r);
    assert!(!table.contains("simulated"), "{table}");
    assert!(table.contains("s live"), "{table}");
}
