//! Latency charts: percentile bands over time (p50, p90, p99 per bucket) and the percentile
//! distribution of a run (latency against p50 ... p99.99 on a scale of nines), one curve per
//! fleet or strategy. Both use a log latency axis, since a retry storm moves the tail by
//! orders of magnitude.

use super::data::{finite_range, log_bounds, padded_x, Window};
use super::legend::{self, Entry, Swatch};
use super::overlay::shade_windows;
use super::palette::role;
use super::render::{
    err, fmt_num, frame, render, text, Area, Figure, DESC_PX, GRID_BOLD, GRID_LIGHT, LABEL_PX,
};
use super::{Chart, ChartError};
use plotters::prelude::{ChartBuilder, DrawingBackend, IntoLogRange, LineSeries, Polygon};
use plotters::style::{Color, RGBColor, BLACK};

/// Latency percentiles of successful logical requests completed in one bucket, milliseconds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LatencyBucket {
    /// Bucket start, seconds.
    pub t_s: f64,
    /// Median, ms.
    pub p50_ms: f64,
    /// 90th percentile, ms.
    pub p90_ms: f64,
    /// 99th percentile, ms.
    pub p99_ms: f64,
}

/// Data of the latency-over-time chart. Buckets without successes are left out; a gap longer
/// than one bucket breaks the bands rather than bridging an outage.
#[derive(Debug, Clone, PartialEq)]
pub struct LatencyOverTime {
    /// Chart title.
    pub title: String,
    /// Bucket width, seconds.
    pub bucket_s: f64,
    /// Buckets with at least one success, in time order.
    pub buckets: Vec<LatencyBucket>,
    /// Fault windows to shade.
    pub faults: Vec<Window>,
}

const P50: RGBColor = RGBColor(0x1F, 0x4E, 0x89);
const P90: RGBColor = RGBColor(0x4E, 0x79, 0xA7);
const P99: RGBColor = RGBColor(0x9C, 0xBB, 0xDB);

/// Draw the latency bands over time (`charts/latency_time.*`).
pub fn latency_over_time(data: &LatencyOverTime) -> Result<Chart, ChartError> {
    if data.buckets.is_empty() {
        return Err(ChartError::Empty("no bucket has a successful request"));
    }
    let worst = data.buckets.iter().map(|b| b.p99_ms).fold(0.0, f64::max);
    let caption = format!(
        "Latency of successful logical requests (first send to final response, retries \
         included) by completion time: median line, p50-p90 band (dark) and p90-p99 band \
         (light), log scale. Worst bucket p99: {worst:.0} ms. Gaps are buckets with no success."
    );
    render(data, "latency_time", &data.title, caption)
}

/// Split buckets into runs with no gap longer than 1.5 bucket widths.
fn segments(data: &LatencyOverTime) -> Vec<&[LatencyBucket]> {
    let mut out = Vec::new();
    let mut start = 0;
    for i in 1..=data.buckets.len() {
        let gap = i == data.buckets.len()
            || data.buckets[i].t_s - data.buckets[i - 1].t_s > 1.5 * data.bucket_s;
        if gap {
            out.push(&data.buckets[start..i]);
            start = i;
        }
    }
    out
}

impl Figure for LatencyOverTime {
    fn draw<DB: DrawingBackend>(&self, root: &Area<DB>) -> Result<(), ChartError> {
        let (plot, legend_area) = frame(root, &self.title)?;
        let (x0, x1) = finite_range(
            self.buckets
                .iter()
                .flat_map(|b| [b.t_s, b.t_s + self.bucket_s]),
        )
        .ok_or(ChartError::Empty("no finite times"))?;
        let (lo, hi) = finite_range(
            self.buckets
                .iter()
                .flat_map(|b| [b.p50_ms, b.p90_ms, b.p99_ms])
                .filter(|v| *v > 0.0),
        )
        .unwrap_or((1.0, 10.0));
        let (ylo, yhi) = log_bounds(lo, hi);
        let mut chart = ChartBuilder::on(&plot)
            .margin(10)
            .x_label_area_size(45)
            .y_label_area_size(65)
            .build_cartesian_2d(padded_x(x0, x1), (ylo..yhi).log_scale())
            .map_err(err)?;
        chart
            .configure_mesh()
            .light_line_style(GRID_LIGHT)
            .bold_line_style(GRID_BOLD)
            .x_label_formatter(&|v| fmt_num(*v))
            .y_label_formatter(&|v| fmt_num(*v))
            .x_desc("completion time since start, s")
            .y_desc("latency, ms (log scale)")
            .label_style(text(LABEL_PX, BLACK))
            .axis_desc_style(text(DESC_PX, BLACK))
            .draw()
            .map_err(err)?;
        shade_windows(&mut chart, &self.faults)?;
        let clamp = |v: f64| v.max(ylo);
        for seg in segments(self) {
            // Steps: each bucket's figures span its width, as in the timeline. A lone bucket
            // (periodic load: one burst of successes every few buckets) keeps a visible band,
            // and a jump between neighbours is a jump, not a steep slope.
            let xs = |b: &LatencyBucket| -> [f64; 2] { [b.t_s, b.t_s + self.bucket_s] };
            let band = |lower: fn(&LatencyBucket) -> f64, upper: fn(&LatencyBucket) -> f64| {
                let mut pts: Vec<(f64, f64)> = seg
                    .iter()
                    .flat_map(|b| xs(b).into_iter().map(|x| (x, clamp(upper(b)))))
                    .collect();
                let mut low: Vec<(f64, f64)> = seg
                    .iter()
                    .flat_map(|b| xs(b).into_iter().map(|x| (x, clamp(lower(b)))))
                    .collect();
                low.reverse();
                pts.extend(low);
                pts
            };
            chart
                .draw_series(std::iter::once(Polygon::new(
                    band(|b| b.p90_ms, |b| b.p99_ms),
                    P99.mix(0.5).filled(),
                )))
                .map_err(err)?;
            chart
                .draw_series(std::iter::once(Polygon::new(
                    band(|b| b.p50_ms, |b| b.p90_ms),
                    P90.mix(0.6).filled(),
                )))
                .map_err(err)?;
            let line: Vec<(f64, f64)> = seg
                .iter()
                .flat_map(|b| xs(b).into_iter().map(|x| (x, clamp(b.p50_ms))))
                .collect();
            chart
                .draw_series(LineSeries::new(line, P50.stroke_width(2)))
                .map_err(err)?;
        }
        let mut entries = vec![
            Entry::new("p50 (median)", P50, Swatch::Line),
            Entry::new("p50-p90", P90, Swatch::Fill),
            Entry::new("p90-p99", P99, Swatch::Fill),
        ];
        if !self.faults.is_empty() {
            entries.push(Entry::new("fault window", role::FAULT, Swatch::Shade));
        }
        legend::draw(&legend_area, &entries)
    }
}
