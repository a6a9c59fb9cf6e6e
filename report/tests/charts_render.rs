//! Every chart function draws a valid, non-blank PNG and a well-formed SVG from synthetic
//! data; SVG bytes are deterministic; empty data is a typed error, not a panic.
//! The charts are also written to `$CARGO_TARGET_TMPDIR/charts/` for a look by eye.

use report::charts::{self, Chart, ChartError, Palette};

mod charts_synthetic;
use charts_synthetic as syn;

/// Decode a PNG; return (width, height, RGB(A) bytes).
fn decode(png_bytes: &[u8]) -> (u32, u32, Vec<u8>) {
    let decoder = png::Decoder::new(png_bytes);
    let mut reader = decoder.read_info().expect("PNG header");
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).expect("PNG frame");
    buf.truncate(info.buffer_size());
    (info.width, info.height, buf)
}

/// Share of pixels that are not white: a blank chart scores 0.
fn ink(rgb: &[u8]) -> f64 {
    let px = rgb.chunks(3).filter(|p| p.iter().any(|&c| c < 240)).count();
    px as f64 / (rgb.len() / 3) as f64
}

/// Count of distinct colours: a chart with data has many (anti-aliased text, fills).
fn distinct_colours(rgb: &[u8]) -> usize {
    let set: std::collections::BTreeSet<&[u8]> = rgb.chunks(3).collect();
    set.len()
}

fn check(chart: &Chart, min_colours: usize) {
    let (w, h, rgb) = decode(&chart.png);
    assert_eq!((w, h), charts::CHART_SIZE, "{}", chart.name);
    let ink = ink(&rgb);
    assert!(ink > 0.02 && ink < 0.9, "{}: ink {ink}", chart.name);
    let colours = distinct_colours(&rgb);
    assert!(
        colours >= min_colours,
        "{}: only {colours} colours",
        chart.name
    );
    assert!(chart.svg.starts_with("<svg"), "{}", chart.name);
    assert!(chart.svg.trim_end().ends_with("</svg>"), "{}", chart.name);
    assert!(
        chart.svg.contains("<text"),
        "{}: SVG has no text",
        chart.name
    );
    assert!(chart.svg.contains(&chart.title.replace('&', "&amp;")) || chart.svg.contains("<text"));
    assert!(!chart.caption.is_empty());
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("charts");
    std::fs::create_dir_all(&dir).expect("mkdir");
    std::fs::write(dir.join(format!("{}.png", chart.name)), &chart.png).expect("write png");
    std::fs::write(dir.join(format!("{}.svg", chart.name)), &chart.svg).expect("write svg");
}

/// The text content of every `<text>` element, trimmed.
fn svg_texts(svg: &str) -> Vec<String> {
    svg.split("<text")
        .skip(1)
        .filter_map(|t| {
            let body = t.split_once('>')?.1;
            Some(body.split_once("</text>")?.0.trim().to_owned())
        })
        .collect()
}

fn palette() -> Palette {
    Palette::new(["web", "batch", "cron"])
}

#[test]
fn timeline_renders_and_is_deterministic() {
    let a = charts::timeline(&syn::timeline()).expect("draw");
    check(&a, 20);
    let b = charts::timeline(&syn::timeline()).expect("draw");
    assert_eq!(a.svg, b.svg);
    assert_eq!(a.png, b.png);
    assert!(a.caption.contains("amplification"));
}

#[test]
fn timeline_legend_names_every_element() {
    let c = charts::timeline(&syn::timeline()).expect("draw");
    let texts = svg_texts(&c.svg);
    for label in [
        "retries (stacked)",
        "first tries",
        "goodput",
        "limit 100 req/s",
        "refused % (right axis)",
        "fault window",
    ] {
        assert!(
            texts.iter().any(|t| t == label),
            "legend lacks {label}: {texts:?}"
        );
    }
}

#[test]
fn latency_charts_render() {
    let c = charts::latency_over_time(&syn::latency_time()).expect("draw");
    check(&c, 20);
    let p = charts::latency_percentiles(&syn::percentiles(), &palette()).expect("draw");
    check(&p, 20);
    let texts = svg_texts(&p.svg);
    for tick in ["p50", "p90", "p99", "p99.9", "p99.99"] {
        assert!(
            texts.iter().any(|t| t == tick),
            "missing tick {tick} in {texts:?}"
        );
    }
}

#[test]
fn fairness_renders_with_jain_in_title() {
    let c = charts::fairness(&syn::fairness(), &palette()).expect("draw");
    check(&c, 10);
    assert!(c.title.contains("Jain's index 0."), "{}", c.title);
}

#[test]
fn limiter_state_renders() {
    let c = charts::lines_over_time(&syn::limiter_state(), &palette()).expect("draw");
    check(&c, 10);
}

#[test]
fn histograms_render_linear_and_log() {
    let pal = Palette::new(["exponential+full jitter", "fixed 1s"]);
    let c = charts::histogram(&syn::retry_delays(), &pal).expect("draw");
    check(&c, 10);
    let a = charts::histogram(&syn::arrivals(), &palette()).expect("draw");
    check(&a, 10);
}

#[test]
fn empty_data_is_an_error_not_a_panic() {
    let mut t = syn::timeline();
    t.buckets.clear();
    assert!(matches!(charts::timeline(&t), Err(ChartError::Empty(_))));
    let mut f = syn::fairness();
    f.bars.clear();
    assert!(matches!(
        charts::fairness(&f, &palette()),
        Err(ChartError::Empty(_))
    ));
    let mut h = syn::retry_delays();
    h.groups.clear();
    assert!(matches!(
        charts::histogram(&h, &palette()),
        Err(ChartError::Empty(_))
    ));
}

#[test]
fn odd_values_do_not_panic() {
    // NaN, zeros, a single bucket: still a chart or a typed error.
    let mut t = syn::timeline();
    t.buckets.truncate(1);
    t.buckets[0].rejected_pct = f64::NAN;
    assert!(charts::timeline(&t).is_ok());
    let mut l = syn::latency_time();
    l.buckets.truncate(1);
    l.buckets[0].p50_ms = 0.0;
    assert!(charts::latency_over_time(&l).is_ok());
}
