//! The progress bar of a live run (`load`, `check-live`): wall time against the horizon and
//! the attempts sent so far, on stderr in the style of `sweep`'s bar. A live run lasts its
//! whole duration in wall-clock time, so a silent terminal for 30 s looked like a hang. Hidden
//! with `--quiet` and when stderr is not a terminal (a log file, a pipe, CI).

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::time::Duration;

/// A live run's bar; a hidden one when not shown.
pub struct LiveProgress(ProgressBar);

impl LiveProgress {
    /// A bar for the live run of `name` lasting `horizon`; `show`: not `--quiet`.
    pub fn new(show: bool, name: &str, horizon: Duration) -> LiveProgress {
        if !show || !std::io::stderr().is_terminal() {
            return LiveProgress(ProgressBar::hidden());
        }
        let ms = u64::try_from(horizon.as_millis()).unwrap_or(u64::MAX);
        let bar = ProgressBar::with_draw_target(Some(ms), ProgressDrawTarget::stderr());
        let style = ProgressStyle::with_template(&format!(
            "live {name} {{wide_bar}} {{msg}}, ~{{eta}} left"
        ))
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ");
        bar.set_style(style);
        LiveProgress(bar)
    }

    /// `elapsed` of the horizon, `attempts` sent.
    pub fn update(&self, elapsed: Duration, attempts: u64) {
        let len = self.0.length().unwrap_or(0);
        let ms = u64::try_from(elapsed.as_millis())
            .unwrap_or(u64::MAX)
            .min(len);
        self.0.set_position(ms);
        self.0.set_message(format!(
            "{:.0}/{:.0} s, {attempts} attempts",
            ms as f64 / 1e3,
            len as f64 / 1e3
        ));
    }

    /// Remove the bar.
    pub fn finish(&self) {
        self.0.finish_and_clear();
    }
}
