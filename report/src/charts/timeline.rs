//! The retry-storm timeline: offered load split into first tries and retries (stacked), against
//! goodput and the capacity or limit line, with fault windows shaded and the rejection rate on
//! a second axis. This is the chart that shows a retry storm (retries swelling offered load
//! while goodput collapses) and whether the system recovers after the fault ends
//! (Brooker, "Timeouts, retries, and backoff with jitter", AWS Builders' Library;
//! Bronson et al., "Metastable Failures in Distributed Systems", HotOS 2021).

use super::data::{finite_range, padded_x, zero_based_y, Window};
use super::legend::{self, Entry, Swatch};
use super::overlay::shade_windows;
use super::palette::role;
use super::render::{
    err, fmt_num, frame, render, text, Area, Figure, DESC_PX, GRID_BOLD, GRID_LIGHT, LABEL_PX,
};
use super::{Chart, ChartError};
use plotters::prelude::{
    AreaSeries, ChartBuilder, DashedLineSeries, DrawingBackend, LineSeries, Polygon,
};
use plotters::style::{Color, ShapeStyle};

/// One time-series bucket; rates are per second.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TimelineBucket {
    /// Bucket start, seconds since scenario start.
    pub t_s: f64,
    /// First attempts of logical requests sent, per second.
    pub first_tries: f64,
    /// Retry attempts sent, per second.
    pub retries: f64,
    /// Successful logical requests, per second.
    pub goodput: f64,
    /// Attempts refused (limiter 4xx or server 5xx), as % of attempts sent in the bucket;
    /// NaN when the bucket has no attempts (the line breaks there).
    pub rejected_pct: f64,
}

/// The capacity or limit line (a step line: a capacity drop fault lowers it).
#[derive(Debug, Clone, PartialEq)]
pub struct Capacity {
    /// Legend label (`limit 100 req/s`).
    pub label: String,
    /// (seconds, requests per second) points.
    pub points: Vec<(f64, f64)>,
}

/// Data of the timeline chart.
#[derive(Debug, Clone, PartialEq)]
pub struct Timeline {
    /// Chart title.
    pub title: String,
    /// Bucket width, seconds.
    pub bucket_s: f64,
    /// The buckets, in time order.
    pub buckets: Vec<TimelineBucket>,
    /// The capacity or limit line, if known.
    pub capacity: Option<Capacity>,
    /// Fault windows to shade.
    pub faults: Vec<Window>,
}

/// Draw the timeline chart (`charts/timeline.*`).
pub fn timeline(data: &Timeline) -> Result<Chart, ChartError> {
    if data.buckets.is_empty() {
        return Err(ChartError::Empty("timeline has no buckets"));
    }
    render(data, "timeline", &data.title, caption(data))
}

/// Caption with the run's figures: total retry amplification and peak offered load.
fn caption(data: &Timeline) -> String {
    let first: f64 = data.buckets.iter().map(|b| b.first_tries).sum();
    let retries: f64 = data.buckets.iter().map(|b| b.retries).sum();
    let peak = data
        .buckets
        .iter()
        .map(|b| b.first_tries + b.retries)
        .fold(0.0, f64::max);
    let amp = if first > 0.0 {
        format!("{:.2}", (first + retries) / first)
    } else {
        "n/a".to_owned()
    };
    format!(
        "Attempts sent per second, stacked: first tries (blue) and retries (orange), against \
         goodput (green, successful logical requests per second){}. Shaded bands are fault \
         windows; the red line (right axis) is the share of attempts refused (limiter 4xx or server 5xx). Retry \
         amplification over the run: {amp} attempts per first try; peak offered load {peak:.1} req/s.",
        if data.capacity.is_some() {
            " and the capacity line (dashed)"
        } else {
            ""
        }
    )
}

/// Step points: each bucket's value held across its width.
fn steps(data: &Timeline, value: impl Fn(&TimelineBucket) -> f64) -> Vec<(f64, f64)> {
    data.buckets
        .iter()
        .flat_map(|b| [(b.t_s, value(b)), (b.t_s + data.bucket_s, value(b))])
        .collect()
}

impl Figure for Timeline {
    fn draw<DB: DrawingBackend>(&self, root: &Area<DB>) -> Result<(), ChartError> {
        let (plot, legend_area) = frame(root, &self.title)?;
        let (x0, x1) = finite_range(
            self.buckets
                .iter()
                .flat_map(|b| [b.t_s, b.t_s + self.bucket_s]),
        )
        .ok_or(ChartError::Empty("timeline has no finite times"))?;
        let cap_max = self
            .capacity
            .iter()
            .flat_map(|c| c.points.iter().map(|p| p.1))
            .fold(0.0, f64::max);
        let y_max = self
            .buckets
            .iter()
            .map(|b| (b.first_tries + b.retries).max(b.goodput))
            .fold(cap_max, f64::max);
        let mut chart = ChartBuilder::on(&plot)
            .margin(10)
            .x_label_area_size(45)
            .y_label_area_size(65)
            .right_y_label_area_size(60)
            .build_cartesian_2d(padded_x(x0, x1), zero_based_y(y_max))
            .map_err(err)?
            .set_secondary_coord(padded_x(x0, x1), 0.0..110.0);
        chart
            .configure_mesh()
            .light_line_style(GRID_LIGHT)
            .bold_line_style(GRID_BOLD)
            .x_label_formatter(&|v| fmt_num(*v))
            .y_label_formatter(&|v| fmt_num(*v))
            .x_desc("time since start, s")
            .y_desc("requests per second")
            .label_style(text(LABEL_PX, plotters::style::BLACK))
            .axis_desc_style(text(DESC_PX, plotters::style::BLACK))
            .draw()
            .map_err(err)?;
        chart
            .configure_secondary_axes()
            // Headroom above 100% (as on the left axis) keeps a 100% line off the frame.
            .y_label_formatter(&|v| {
                if *v > 100.0 {
                    String::new()
                } else {
                    fmt_num(*v)
                }
            })
            .y_desc("refused (4xx, 5xx), % of attempts")
            .label_style(text(LABEL_PX, role::REJECTED))
            .axis_desc_style(text(DESC_PX, role::REJECTED))
            .draw()
            .map_err(err)?;
        shade_windows(&mut *chart, &self.faults)?;
        let first = steps(self, |b| b.first_tries);
        let mut band = steps(self, |b| b.first_tries + b.retries);
        band.extend(first.iter().rev().copied());
        chart
            .draw_series(
                AreaSeries::new(first, 0.0, role::FIRST_TRIES.mix(0.55))
                    .border_style(role::FIRST_TRIES),
            )
            .map_err(err)?;
        chart
            .draw_series(std::iter::once(Polygon::new(
                band,
                role::RETRIES.mix(0.55).filled(),
            )))
            .map_err(err)?;
        chart
            .draw_series(LineSeries::new(
                steps(self, |b| b.goodput),
                role::GOODPUT.stroke_width(2),
            ))
            .map_err(err)?;
        if let Some(cap) = &self.capacity {
            let style: ShapeStyle = role::CAPACITY.stroke_width(2);
            chart
                .draw_series(DashedLineSeries::new(
                    cap.points.iter().copied(),
                    8,
                    5,
                    style,
                ))
                .map_err(err)?;
        }
        // A step per bucket; buckets without attempts have no rate, so the line breaks there.
        let mut segment: Vec<(f64, f64)> = Vec::new();
        let mut segments = Vec::new();
        for b in &self.buckets {
            if b.rejected_pct.is_finite() {
                let v = b.rejected_pct.clamp(0.0, 100.0);
                segment.extend([(b.t_s, v), (b.t_s + self.bucket_s, v)]);
            } else if !segment.is_empty() {
                segments.push(std::mem::take(&mut segment));
            }
        }
        segments.push(segment);
        for seg in segments.into_iter().filter(|s| !s.is_empty()) {
            chart
                .draw_secondary_series(LineSeries::new(seg, role::REJECTED.stroke_width(1)))
                .map_err(err)?;
        }

        let mut entries = vec![
            Entry::new("retries (stacked)", role::RETRIES, Swatch::Fill),
            Entry::new("first tries", role::FIRST_TRIES, Swatch::Fill),
            Entry::new("goodput", role::GOODPUT, Swatch::Line),
        ];
        if let Some(cap) = &self.capacity {
            entries.push(Entry::new(
                cap.label.clone(),
                role::CAPACITY,
                Swatch::Dashed,
            ));
        }
        entries.push(Entry::new(
            "refused % (right axis)",
            role::REJECTED,
            Swatch::Line,
        ));
        if !self.faults.is_empty() {
            entries.push(Entry::new("fault window", role::FAULT, Swatch::Shade));
        }
        legend::draw(&legend_area, &entries)
    }
}
