//! The report as a person sees it: headless Chromium loads `report.html` from disk (no
//! network), and the test checks the page loads with every chart present and drawn.
//!
//! - `--dump-dom`: every figure holds an inline `<svg>` with drawn content, there is no `<img>`
//!   without a decodable `data:` URI, and no external resource is referenced.
//! - `--screenshot` of the whole page: the image is not blank (pixel variance), and from the
//!   top of the page to the end of its content there is no blank band as tall as half a
//!   chart, which a chart that failed to draw would leave.
//!
//! Every page is also probed at 1280 px (`browser::overflow_at_1280`): the document may not be
//! wider than the viewport, and no element may scroll sideways (a hidden verdict column).
//!
//! The same for a sweep's report and a comparison's report (small sweeps of the
//! retry-amplification experiment), whose charts are `<img>` elements with PNG `data:` URIs:
//! every image decodes to a chart of the expected size that is not blank, and the screenshot
//! has no blank band.
//!
//! SKIPS (prints why and passes) when `chromium` is not installed; CI installs it.

use std::path::{Path, PathBuf};

mod browser;
use browser::{assert_no_overflow, chromium, run_chromium};

fn build_report(dir: &Path) -> (PathBuf, usize) {
    let path: PathBuf = [
        env!("CARGO_MANIFEST_DIR"),
        "..",
        "scenarios",
        "retry-storm.toml",
    ]
    .iter()
    .collect();
    let text = std::fs::read_to_string(&path).expect("scenario file");
    let s = sim::scenario::load_str("retry-storm.toml", &text).expect("valid scenario");
    let r = sim::run(&s, s.seed).expect("run");
    let charts = report::html::build_run_report(&r, &text)
        .expect("report")
        .charts()
        .len();
    let html = report::write_run_report(dir, &r, &text).expect("write");
    (html, charts)
}

/// Luminance rows of an RGB(A) screenshot.
fn decode(png_bytes: &[u8]) -> (usize, usize, Vec<u8>) {
    let mut reader = png::Decoder::new(png_bytes)
        .read_info()
        .expect("PNG header");
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).expect("PNG frame");
    let channels = info.color_type.samples();
    assert_eq!(info.bit_depth, png::BitDepth::Eight);
    let luma = buf[..info.buffer_size()]
        .chunks(channels)
        .map(|p| {
            if channels >= 3 {
                ((u32::from(p[0]) * 299 + u32::from(p[1]) * 587 + u32::from(p[2]) * 114) / 1000)
                    as u8
            } else {
                p[0]
            }
        })
        .collect();
    (info.width as usize, info.height as usize, luma)
}

#[test]
fn report_renders_in_headless_chromium_with_every_chart() {
    let Some(bin) = chromium() else {
        println!(
            "SKIP: chromium is not installed (apt-get install chromium); browser test not run"
        );
        return;
    };
    let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join("browser");
    let _ = std::fs::remove_dir_all(&root);
    let dir = root.join("retry-storm");
    let (html_path, n_charts) = build_report(&dir);
    assert!(n_charts >= 5, "only {n_charts} charts");
    // Nothing scrolls sideways at 1280 px, and the page opens with its question and answer.
    assert_no_overflow(&bin, &root, &html_path);
    let url = format!(
        "file://{}",
        html_path.canonicalize().expect("path").display()
    );

    // The DOM as Chromium parsed it.
    let dom = String::from_utf8(run_chromium(
        &bin,
        &root.join("profile-dom"),
        &["--dump-dom".into()],
        &url,
    ))
    .expect("utf8 DOM");
    assert!(
        dom.contains("<h1>retry-storm</h1>"),
        "page did not load: {}",
        &dom[..dom.len().min(400)]
    );
    let figures: Vec<&str> = dom.split("<figure ").skip(1).collect();
    assert_eq!(figures.len(), n_charts, "figures in the DOM");
    for f in &figures {
        let svg = f
            .split_once("<svg")
            .map(|(_, s)| s)
            .expect("figure without inline svg");
        let body = svg
            .split_once("</svg>")
            .map(|(b, _)| b)
            .expect("unclosed svg");
        assert!(body.matches("<text").count() >= 5, "svg without labels");
        assert!(
            body.contains("<polyline") || body.contains("<rect") || body.contains("<polygon"),
            "svg without marks"
        );
    }
    for img in dom.split("<img").skip(1) {
        let src = img
            .split_once("src=\"")
            .map(|(_, s)| s.split('"').next().unwrap_or(""))
            .unwrap_or("");
        let b64 = src
            .strip_prefix("data:image/png;base64,")
            .expect("img without a data: URI");
        assert!(!b64.is_empty());
    }
    for bad in ["<script", "<link", "src=\"http", "url(http"] {
        assert!(!dom.contains(bad), "page refers to {bad}");
    }

    // The page as a person sees it.
    let height = 1400 + 700 * n_charts;
    let shot = root.join("screenshot.png");
    run_chromium(
        &bin,
        &root.join("profile-shot"),
        &[
            format!("--screenshot={}", shot.display()),
            format!("--window-size=1280,{height}"),
        ],
        &url,
    );
    let (w, h, luma) = decode(&std::fs::read(&shot).expect("screenshot written"));
    assert_eq!((w, h), (1280, height));
    let mean = luma.iter().map(|&v| f64::from(v)).sum::<f64>() / luma.len() as f64;
    let var = luma
        .iter()
        .map(|&v| (f64::from(v) - mean).powi(2))
        .sum::<f64>()
        / luma.len() as f64;
    assert!(var > 100.0, "screenshot looks blank (variance {var:.1})");

    // Ink per row: a row has ink if it holds dark pixels (text, lines, bars).
    let inked: Vec<bool> = luma
        .chunks(w)
        .map(|row| row.iter().filter(|&&v| v < 200).count() > 2)
        .collect();
    let last = inked.iter().rposition(|&i| i).expect("no ink at all");
    assert!(
        last + 50 < h,
        "page taller than the screenshot window: raise the window height"
    );
    let mut blank_run = 0;
    let mut longest = 0;
    for &i in &inked[..=last] {
        blank_run = if i { 0 } else { blank_run + 1 };
        longest = longest.max(blank_run);
    }
    assert!(
        longest < 250,
        "a blank band of {longest} px: a chart did not render"
    );
    // The charts take most of the page: the inked part is at least half a chart per chart.
    assert!(
        last > 250 * n_charts,
        "page content ends at {last} px for {n_charts} charts"
    );
}

/// Luminance variance of a decoded image: near zero for a blank one.
fn variance(luma: &[u8]) -> f64 {
    let mean = luma.iter().map(|&v| f64::from(v)).sum::<f64>() / luma.len().max(1) as f64;
    luma.iter()
        .map(|&v| (f64::from(v) - mean).powi(2))
        .sum::<f64>()
        / luma.len().max(1) as f64
}

/// Load a page whose charts are `<img>` data URIs; check its DOM, every image and a screenshot.
fn check_img_page(bin: &Path, root: &Path, html: &Path, heading: &str, n_charts: usize) {
    use base64::Engine as _;
    let url = format!("file://{}", html.canonicalize().expect("path").display());
    assert_no_overflow(bin, root, html);
    let dom = String::from_utf8(run_chromium(
        bin,
        &root.join("profile-dom"),
        &["--dump-dom".into()],
        &url,
    ))
    .expect("utf8 DOM");
    let headline = dom.find("id=\"headline\"").expect("no headline block");
    assert!(
        headline < dom.find("<table").unwrap_or(dom.len()),
        "the headline does not open the page"
    );
    assert!(
        dom.contains(&format!("<h1>{heading}</h1>")),
        "page did not load: {}",
        &dom[..dom.len().min(400)]
    );
    let figures: Vec<&str> = dom.split("<figure ").skip(1).collect();
    assert_eq!(figures.len(), n_charts, "figures in the DOM");
    for f in &figures {
        let src = f
            .split_once("<img")
            .and_then(|(_, s)| s.split_once("src=\""))
            .map(|(_, s)| s.split('"').next().unwrap_or(""))
            .expect("figure without an img");
        let b64 = src
            .strip_prefix("data:image/png;base64,")
            .expect("img without a PNG data: URI");
        let png = base64::engine::general_purpose::STANDARD
            .decode(b64)
            .expect("data: URI is base64");
        let (w, h, luma) = decode(&png);
        assert_eq!((w, h), (1000, 500), "chart size");
        assert!(variance(&luma) > 100.0, "a chart image is blank");
    }
    for bad in ["<script", "<link", "src=\"http", "url(http"] {
        assert!(!dom.contains(bad), "page refers to {bad}");
    }
    let height = 2400 + 700 * n_charts;
    let shot = root.join("screenshot.png");
    run_chromium(
        bin,
        &root.join("profile-shot"),
        &[
            format!("--screenshot={}", shot.display()),
            format!("--window-size=1280,{height}"),
        ],
        &url,
    );
    let (w, h, luma) = decode(&std::fs::read(&shot).expect("screenshot written"));
    assert_eq!((w, h), (1280, height));
    assert!(variance(&luma) > 100.0, "screenshot looks blank");
    let inked: Vec<bool> = luma
        .chunks(w)
        .map(|row| row.iter().filter(|&&v| v < 200).count() > 2)
        .collect();
    let last = inked.iter().rposition(|&i| i).expect("no ink at all");
    assert!(last + 50 < h, "page taller than the screenshot window");
    let mut blank_run = 0;
    let mut longest = 0;
    for &i in &inked[..=last] {
        blank_run = if i { 0 } else { blank_run + 1 };
        longest = longest.max(blank_run);
    }
    assert!(
        longest < 250,
        "a blank band of {longest} px: an image did not render"
    );
    assert!(last > 250 * n_charts, "page content ends at {last} px");
}

/// A small sweep of the retry-amplification experiment: p in {0, 0.3, 0.6},
/// max_attempts in {1, 4} (from the file), 2 seeds: 12 runs. Returns the plan and its runs.
fn small_sweep() -> (sim::sweep::Plan, Vec<report::tables::RunRecord>) {
    use report::tables::{param_cell, Cell, RunRecord};
    use sim::sweep::{Param, Plan, SweepArgs};
    let path: PathBuf = [
        env!("CARGO_MANIFEST_DIR"),
        "..",
        "scenarios",
        "experiments",
        "retry-amplification.toml",
    ]
    .iter()
    .collect();
    let text = std::fs::read_to_string(&path).expect("experiment file");
    let args = SweepArgs {
        params: vec![Param::parse_arg("faults.0.rate=0,0.3,0.6").expect("param")],
        seeds: Some(2),
        first_seed: None,
    };
    let plan = Plan::from_text("retry-amplification.toml", &text, &args).expect("plan");
    let records = plan
        .jobs()
        .iter()
        .map(|j| {
            let point = &plan.points[j.point];
            let mut keys = vec![("point".to_string(), Cell::U64(j.point as u64))];
            keys.extend(
                plan.params
                    .iter()
                    .zip(&point.values)
                    .map(|(p, v)| (p.path.clone(), param_cell(v))),
            );
            keys.push(("seed".to_string(), Cell::U64(j.seed)));
            let r = sim::run(&point.scenario, j.seed).expect("run");
            RunRecord::of(keys, &r, false)
        })
        .collect();
    (plan, records)
}

#[test]
fn sweep_and_compare_reports_render_in_headless_chromium() {
    use report::tables::{
        compare, runs_table, sweep_points, CompareManifest, ParamManifest, SweepKeys, SweepManifest,
    };
    let Some(bin) = chromium() else {
        println!(
            "SKIP: chromium is not installed (apt-get install chromium); browser test not run"
        );
        return;
    };
    let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join("browser-sweep");
    let _ = std::fs::remove_dir_all(&root);
    let (plan, records) = small_sweep();
    let keys = SweepKeys {
        params: plan.params.iter().map(|p| p.path.clone()).collect(),
        bucket_s: None,
    };
    let points = sweep_points(&keys, &runs_table(&records));
    let manifest = SweepManifest {
        kind: SweepManifest::KIND.into(),
        version: "test".into(),
        scenario: plan.base.name.clone(),
        hash: plan.hash.clone(),
        params: plan
            .params
            .iter()
            .map(|p| ParamManifest {
                path: p.path.clone(),
                values: p.shown(),
            })
            .collect(),
        seeds: plan.seeds.clone(),
        points: plan.points.len(),
        jobs: records.len(),
        shard: None,
        jobs_here: records.len(),
        timeseries: false,
        bucket_s: None,
    };
    let scenarios: Vec<&sim::model::Scenario> = plan.points.iter().map(|p| &p.scenario).collect();
    let input = report::html::SweepReportInput {
        manifest: &manifest,
        points: &points,
        scenario_text: "name = \"retry-amplification\"\n",
        scenarios: &scenarios,
    };
    let page = report::html::build_sweep_report(&input).expect("sweep report");
    let names: Vec<&str> = page.charts.iter().map(|c| c.name.as_str()).collect();
    for want in [
        "sweep_goodput_rps",
        "amplification_vs_failure",
        "heatmap_goodput_rps",
    ] {
        assert!(names.contains(&want), "{want} missing from {names:?}");
    }
    let dir = root.join("sweep");
    let html = report::html::write_sweep_report(&dir, &input).expect("write sweep report");
    check_img_page(
        &bin,
        &dir,
        &html,
        "retry-amplification (sweep)",
        page.charts.len(),
    );

    // No retries (max_attempts = 1) against 3 retries at p = 0.3: points 1 and 4.
    let s = plan.seeds.len();
    let (a, b) = (&records[s..2 * s], &records[4 * s..5 * s]);
    let diffs = compare(a, b);
    let m = CompareManifest {
        kind: CompareManifest::KIND.into(),
        version: "test".into(),
        a: "no-retries".into(),
        b: "three-retries".into(),
        a_file: "a.toml".into(),
        b_file: "b.toml".into(),
        seeds: plan.seeds.clone(),
    };
    let cinput = report::html::CompareReportInput {
        manifest: &m,
        diffs: &diffs,
        a_text: "name = \"a\"",
        b_text: "name = \"b\"",
    };
    let cpage = report::html::build_compare_report(&cinput).expect("compare report");
    assert!(!cpage.charts.is_empty());
    let verdicts = &cpage.grids[0];
    let amp = verdicts
        .rows
        .iter()
        .find(|r| r.cells[0] == "retry_amplification")
        .expect("amplification row");
    assert_eq!(amp.cells[7], "B worse", "retries add load: {:?}", amp.cells);
    let cdir = root.join("compare");
    let chtml = report::html::write_compare_report(&cdir, &cinput).expect("write compare");
    check_img_page(
        &bin,
        &cdir,
        &chtml,
        "no-retries vs three-retries",
        cpage.charts.len(),
    );
}
