//! Synthetic chart data shaped like a retry storm: 100 req/s limit, 80 req/s of first tries,
//! an outage from 60 s to 90 s during which retries pile up, and slow recovery after.
#![allow(dead_code)]

use report::charts::*;

const BUCKET: f64 = 1.0;

fn outage() -> Vec<Window> {
    vec![Window {
        start_s: 60.0,
        end_s: 90.0,
        label: "outage 503".into(),
    }]
}

/// Retries per second at time t.
fn retries(t: f64) -> f64 {
    if t < 60.0 {
        2.0 + (t * 0.7).sin().abs() * 2.0
    } else if t < 90.0 {
        20.0 + (t - 60.0) * 6.0
    } else {
        (200.0 - (t - 90.0) * 2.5).max(4.0)
    }
}

pub fn timeline() -> Timeline {
    let buckets = (0..180)
        .map(|i| {
            let t = i as f64 * BUCKET;
            let first = 80.0 + 10.0 * (t / 7.0).sin();
            let r = retries(t);
            let offered = first + r;
            let goodput = if (60.0..90.0).contains(&t) {
                0.0
            } else {
                first.min(100.0 * first / offered)
            };
            let rejected = if (60.0..90.0).contains(&t) {
                100.0
            } else {
                ((offered - 100.0) / offered * 100.0).max(0.0)
            };
            TimelineBucket {
                t_s: t,
                first_tries: first,
                retries: r,
                goodput,
                rejected_pct: rejected,
            }
        })
        .collect();
    Timeline {
        title: "retry-storm: offered load vs goodput".into(),
        bucket_s: BUCKET,
        buckets,
        capacity: Some(Capacity {
            label: "limit 100 req/s".into(),
            points: vec![(0.0, 100.0), (180.0, 100.0)],
        }),
        faults: outage(),
    }
}

pub fn latency_time() -> LatencyOverTime {
    let buckets = (0..180)
        .filter(|i| !(60..90).contains(i))
        .map(|i| {
            let t = i as f64;
            let slow = if t > 90.0 {
                1.0 + 30.0 * (-(t - 90.0) / 20.0).exp()
            } else {
                1.0
            };
            LatencyBucket {
                t_s: t,
                p50_ms: 50.0 * slow,
                p90_ms: 120.0 * slow,
                p99_ms: 400.0 * slow,
            }
        })
        .collect();
    LatencyOverTime {
        title: "Latency of successful requests over time".into(),
        bucket_s: BUCKET,
        buckets,
        faults: outage(),
    }
}

pub fn percentiles() -> LatencyPercentiles {
    let ps = [50.0, 75.0, 90.0, 95.0, 99.0, 99.5, 99.9, 99.95, 99.99];
    let curve = |name: &str, scale: f64| PercentileCurve {
        name: name.into(),
        points: ps
            .iter()
            .map(|&p: &f64| (p, scale * (1.0 / (1.0 - p / 100.0)).powf(0.8)))
            .collect(),
    };
    LatencyPercentiles {
        title: "Latency percentiles by fleet".into(),
        curves: vec![
            curve("web", 20.0),
            curve("batch", 60.0),
            curve("cron", 35.0),
        ],
    }
}

pub fn fairness() -> Fairness {
    let bars = (0..12)
        .map(|i| FairnessBar {
            label: format!("t{i}"),
            fleet: if i < 8 { "web".into() } else { "batch".into() },
            demand: 1000,
            served: if i < 8 { 950 - i * 20 } else { 300 + i * 10 },
        })
        .collect();
    Fairness {
        title: "Demand served per tenant".into(),
        group_kind: "tenant".into(),
        bars,
        jain: None,
        jain_clients: Some(0.71),
    }
}

pub fn limiter_state() -> LinesOverTime {
    let pts = |f: &dyn Fn(f64) -> f64| {
        (0..180)
            .map(|i| (i as f64, f(i as f64)))
            .collect::<Vec<_>>()
    };
    LinesOverTime {
        name: "limiter_state".into(),
        title: "Adaptive limit against requests in flight".into(),
        caption: "synthetic".into(),
        y_desc: "requests in flight".into(),
        lines: vec![
            Line {
                name: "limit (AIMD)".into(),
                color_key: "batch".into(),
                dashed: true,
                points: pts(&|t| {
                    if (60.0..90.0).contains(&t) {
                        10.0
                    } else {
                        40.0 + (t % 30.0)
                    }
                }),
            },
            Line {
                name: "in flight".into(),
                color_key: "web".into(),
                dashed: false,
                points: pts(&|t| 30.0 + 10.0 * (t / 5.0).sin()),
            },
        ],
        faults: outage(),
        marks: vec![],
    }
}

pub fn retry_delays() -> Histogram {
    let exp: Vec<f64> = (0..2000)
        .map(|i| 100.0 * 2f64.powi(i % 6) * ((i * 7919 % 1000) as f64 / 1000.0))
        .filter(|v| *v > 1.0)
        .collect();
    let fixed: Vec<f64> = (0..800).map(|i| 1000.0 + (i % 3) as f64).collect();
    let edges = histogram::log_edges(1.0, 10_000.0, 8);
    Histogram {
        name: "retry_delays".into(),
        title: "Retry delay by strategy".into(),
        caption: "synthetic".into(),
        x_desc: "retry delay, ms (log scale)".into(),
        y_desc: "retries".into(),
        log_x: true,
        groups: vec![
            HistGroup {
                name: "exponential+full jitter".into(),
                bins: histogram::bin_samples(&exp, &edges),
            },
            HistGroup {
                name: "fixed 1s".into(),
                bins: histogram::bin_samples(&fixed, &edges),
            },
        ],
        marks: vec![],
    }
}

pub fn arrivals() -> Histogram {
    let samples: Vec<f64> = (0..6000)
        .map(|i| {
            let k = (i % 3) as f64 * 60.0;
            if i % 2 == 0 {
                k + (i * 37 % 400) as f64 / 1000.0
            } else {
                (i * 7919 % 180_000) as f64 / 1000.0
            }
        })
        .collect();
    let edges: Vec<f64> = (0..=1800).map(|i| i as f64 * 0.1).collect();
    Histogram {
        name: "arrivals".into(),
        title: "Server arrivals (herds at window resets)".into(),
        caption: "synthetic".into(),
        x_desc: "time since start, s".into(),
        y_desc: "arrivals per 100 ms".into(),
        log_x: false,
        groups: vec![HistGroup {
            name: "web".into(),
            bins: histogram::bin_samples(&samples, &edges),
        }],
        marks: (0..3)
            .map(|k| Mark {
                x: k as f64 * 60.0,
                label: "window reset".into(),
            })
            .collect(),
    }
}
