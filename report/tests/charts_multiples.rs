//! Run charts of three fleets or more are small multiples: one panel per fleet on shared axes
//! (#12), since overlaid, four translucent histograms or four crossing percentile curves hide
//! one another. The run is the retry storm with four jitter strategies, as the demo's
//! jitter-strategies run.

use report::charts::from_run::run_charts;
use std::collections::BTreeMap;

/// The retry storm with two more fleets, `equal` and `decorrelated`, copies of `jitter`.
fn four_fleets() -> sim::model::Scenario {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../scenarios/retry-storm.toml");
    let text = std::fs::read_to_string(path).expect("scenario file");
    let block = &text[text.find("[fleet.jitter]").expect("jitter fleet")..];
    let mut all = text.clone();
    for strategy in ["equal", "decorrelated"] {
        all.push('\n');
        all.push_str(
            &block
                .replace("[fleet.jitter", &format!("[fleet.{strategy}"))
                .replace("jitter = \"full\"", &format!("jitter = \"{strategy}\"")),
        );
    }
    sim::scenario::load_str("four.toml", &all).expect("valid scenario")
}

/// The trimmed content of every `<text>` element.
fn texts(svg: &str) -> Vec<String> {
    svg.split("<text")
        .skip(1)
        .filter_map(|t| t.split_once('>')?.1.split("</text>").next())
        .map(|t| t.trim().to_owned())
        .collect()
}

#[test]
fn four_fleet_run_charts_have_one_panel_per_fleet_on_shared_axes() {
    let s = four_fleets();
    let r = sim::run(&s, s.seed).expect("run");
    assert_eq!(r.fleets.len(), 4);
    let drawn = run_charts(&r, Some(&s)).expect("charts");
    for name in ["arrivals", "retry_delays", "latency_percentiles"] {
        let chart = drawn
            .charts
            .iter()
            .find(|c| c.name == name)
            .unwrap_or_else(|| panic!("{name} drawn"));
        let texts = texts(&chart.svg);
        for fleet in r.fleets.keys() {
            // Once in the legend, once as its panel's heading.
            let n = texts.iter().filter(|t| *t == fleet).count();
            assert_eq!(n, 2, "{name}: fleet {fleet} named {n} times in {texts:?}");
        }
        // Shared axes: every panel has the same tick labels (`p99` on the scale of nines), so
        // each appears 4 times (or 8).
        let mut ticks: BTreeMap<&str, usize> = BTreeMap::new();
        for t in texts
            .iter()
            .filter(|t| t.trim_start_matches('p').parse::<f64>().is_ok())
        {
            *ticks.entry(t).or_default() += 1;
        }
        assert!(ticks.len() >= 4, "{name}: tick labels {ticks:?}");
        assert!(
            ticks.values().all(|n| n % 4 == 0),
            "{name}: tick labels differ between panels: {ticks:?}"
        );
    }
}

#[test]
fn two_fleet_run_charts_stay_one_overlay() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../scenarios/retry-storm.toml");
    let text = std::fs::read_to_string(path).expect("scenario file");
    let s = sim::scenario::load_str("retry-storm.toml", &text).expect("valid");
    let r = sim::run(&s, s.seed).expect("run");
    let drawn = run_charts(&r, Some(&s)).expect("charts");
    for name in ["arrivals", "retry_delays", "latency_percentiles"] {
        let chart = drawn.charts.iter().find(|c| c.name == name).expect(name);
        let texts = texts(&chart.svg);
        for fleet in r.fleets.keys() {
            let n = texts.iter().filter(|t| *t == fleet).count();
            assert_eq!(n, 1, "{name}: {fleet} only in the legend: {texts:?}");
        }
    }
}
