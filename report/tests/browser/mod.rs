//! Headless Chromium for the browser tests of the reports (`report/tests/browser_report.rs`)
//! and of the demo index (`tests/cli/cli_demo.rs`, which includes this file by path): find the
//! binary, run it with a deadline, and measure horizontal overflow at 1280 px.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The `chromium` binary on `PATH`, if installed.
pub fn chromium() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join("chromium"))
        .find(|p| p.is_file())
}

/// Run chromium headless with `extra` arguments on `url`; return stdout. Killed after 120 s.
pub fn run_chromium(bin: &Path, profile: &Path, extra: &[String], url: &str) -> Vec<u8> {
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

/// The probe appended to a copy of the page: it lists the document's scroll width against the
/// viewport, every element whose right edge lies beyond the viewport, and every element that
/// scrolls sideways (an `overflow-x: auto` box hides a column as surely as the page edge).
const PROBE: &str = r##"<pre id="overflow-probe"></pre><script>
(function () {
  var vw = document.documentElement.clientWidth, out = [];
  out.push("scrollWidth " + document.documentElement.scrollWidth + " viewport " + vw);
  var all = document.body.querySelectorAll("*");
  for (var i = 0; i < all.length; i++) {
    var el = all[i];
    if (el.id === "overflow-probe" || el.closest("details:not([open])")) continue;
    var name = el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
      (typeof el.className === "string" && el.className ? "." + el.className : "");
    var r = el.getBoundingClientRect();
    if (r.width > 0 && r.right > vw + 0.5) out.push("beyond: " + name + " right " + Math.round(r.right));
    var ox = getComputedStyle(el).overflowX;
    if ((ox === "auto" || ox === "scroll") && el.scrollWidth > el.clientWidth + 1)
      out.push("scrolls: " + name + " " + el.scrollWidth + " > " + el.clientWidth);
  }
  document.getElementById("overflow-probe").textContent = out.join("\n");
})();
</script>"##;

/// Load a copy of `html` with [`PROBE`] in a 1280 px wide window; return the document's
/// scroll width and what overflows (empty when nothing does).
pub fn overflow_at_1280(bin: &Path, work: &Path, html: &Path) -> (u32, Vec<String>) {
    let text = std::fs::read_to_string(html).expect("read page");
    let probed = match text.rfind("</body>") {
        Some(i) => format!("{}{PROBE}{}", &text[..i], &text[i..]),
        None => format!("{text}{PROBE}"),
    };
    // Beside the page, so its relative links and images resolve the same.
    let copy = html.with_file_name("overflow-probe.html");
    std::fs::write(&copy, probed).expect("write probe page");
    let url = format!("file://{}", copy.canonicalize().expect("path").display());
    let dom = String::from_utf8(run_chromium(
        bin,
        &work.join("profile-overflow"),
        &["--dump-dom".into(), "--window-size=1280,900".into()],
        &url,
    ))
    .expect("utf8 DOM");
    let _ = std::fs::remove_file(&copy);
    let report = dom
        .split("<pre id=\"overflow-probe\">")
        .nth(1)
        .and_then(|s| s.split("</pre>").next())
        .expect("the probe did not run");
    let mut lines = report.lines();
    let first = lines.next().expect("probe output");
    let width: u32 = first
        .split_whitespace()
        .nth(1)
        .and_then(|w| w.parse().ok())
        .expect("scrollWidth");
    let viewport: u32 = first
        .split_whitespace()
        .nth(3)
        .and_then(|w| w.parse().ok())
        .expect("viewport");
    assert_eq!(viewport, 1280, "the window is not 1280 px wide");
    (width, lines.map(str::to_owned).collect())
}

/// Assert that nothing on the page at `html` overflows horizontally at 1280 px.
pub fn assert_no_overflow(bin: &Path, work: &Path, html: &Path) {
    let (width, offenders) = overflow_at_1280(bin, work, html);
    assert!(
        width <= 1280 && offenders.is_empty(),
        "{}: scrollWidth {width} at a 1280 px viewport; overflowing: {offenders:#?}",
        html.display()
    );
}
