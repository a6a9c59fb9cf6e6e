//! The report as a person sees it: headless Chromium loads `report.html` from disk (no
//! network), and the test checks the page loads with every chart present and drawn.
//!
//! - `--dump-dom`: every figure holds an inline `<svg>` with drawn content, there is no `<img>`
//!   without a decodable `data:` URI, and no external resource is referenced.
//! - `--screenshot` of the whole page: the image is not blank (pixel variance), and from the
//!   top of the page to the end of its content there is no blank band as tall as half a
//!   chart, which a chart that failed to draw would leave.
//!
//! SKIPS (prints why and passes) when `chromium` is not installed; CI installs it.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn chromium() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join("chromium"))
        .find(|p| p.is_file())
}

/// Run chromium headless with `extra` arguments on `url`; return stdout. Killed after 120 s.
fn run_chromium(bin: &Path, profile: &Path, extra: &[String], url: &str) -> Vec<u8> {
    let mut child = Command::new(bin)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra)
        .arg(url)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromium");
    let mut stdout = child.stdout.take().expect("stdout");
    let reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        std::io::Read::read_to_end(&mut stdout, &mut buf).map(|_| buf)
    });
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            assert!(status.success(), "chromium exited with {status}");
            break;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium did not finish within 120 s");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    reader.join().expect("reader").expect("read stdout")
}

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
