use super::*;
use crate::live::gauges::LimiterSample;

fn sample(queue: u64, busy: u64, ids: &[(&str, u64, u64)]) -> ServerSample {
    ServerSample {
        queue_len: queue,
        busy,
        first_level: ids
            .iter()
            .map(|(id, remaining, decisions)| {
                let l = LimiterSample {
                    limit: 10,
                    remaining: *remaining,
                    decisions: *decisions,
                };
                (id.to_string(), l)
            })
            .collect(),
        ..ServerSample::default()
    }
}

#[test]
fn readings_land_in_their_buckets_with_the_hottest_id() {
    let s = Samples {
        start: Some(sample(0, 0, &[])),
        edges: BTreeMap::from([
            (1, sample(3, 2, &[("a", 7, 5), ("b", 1, 9)])),
            // no reading at edge 2: bucket 1 holds edge 1's
            (3, sample(1, 4, &[("a", 2, 20), ("b", 1, 10)])),
        ]),
        end: Some(ServerSample {
            wasted: 3,
            wasted_ns: 3_000,
            ..sample(9, 9, &[("a", 6, 20), ("b", 5, 10)])
        }),
    };
    let bucket = Nanos::from_secs(1);
    let mut feed = Feed::new(&s, bucket);
    assert!(feed.present());
    let mut rec = Recorder::new(2, Nanos::from_secs(5), bucket, &[]);
    feed.advance(&mut rec, Nanos::from_millis(2500));
    feed.finish(&mut rec, &[1, 2]);
    let rows = rec.series(&[0, 1], true);
    let got: Vec<_> = rows
        .iter()
        .map(|r| (r.queue_len, r.busy, r.limiter_remaining))
        .collect();
    assert_eq!(
        got,
        vec![
            (Some(3), Some(2), Some(1)), // b had 9 decisions, a 5
            (Some(3), Some(2), Some(1)), // held
            (Some(1), Some(4), Some(2)), // a had 15 more, b 1
            (Some(9), Some(9), Some(6)), // the horizon's reading, a still hottest
            (Some(9), Some(9), Some(6)),
        ]
    );
    assert_eq!(rows[0].limiter_limit, Some(10));
    let inputs = sim::metrics::SummaryInputs {
        clients: 2,
        duration: Nanos::from_secs(5),
        fairness_clients: None,
        fairness_tenants: None,
        fault: None,
        recovery_window: Nanos::from_secs(10),
    };
    let (f0, f1) = (rec.summary(&[0], inputs), rec.summary(&[1], inputs));
    assert_eq!((f0.wasted_attempts, f1.wasted_attempts), (1, 2));
    assert!((f0.wasted_work_s + f1.wasted_work_s - 3e-6).abs() < 1e-12);
}

#[test]
fn without_readings_the_columns_stay_empty() {
    let mut feed = Feed::new(&Samples::default(), Nanos::from_secs(1));
    assert!(!feed.present());
    let mut rec = Recorder::new(1, Nanos::from_secs(2), Nanos::from_secs(1), &[]);
    feed.advance(&mut rec, Nanos::from_millis(1500));
    feed.finish(&mut rec, &[0]);
    assert!(rec
        .series(&[0], false)
        .iter()
        .all(|r| r.queue_len.is_none()));
}

#[test]
fn wasted_work_splits_by_weight_and_adds_up() {
    assert_eq!(split((10, 1000), &[1, 1]), vec![(5, 500), (5, 500)]);
    assert_eq!(split((3, 100), &[0, 0]), vec![(3, 100), (0, 0)]);
    let v = split((7, 1001), &[1, 2, 0]);
    assert_eq!(v.iter().map(|x| x.0).sum::<u64>(), 7);
    assert_eq!(v.iter().map(|x| x.1).sum::<u64>(), 1001);
    assert_eq!(v[2], (0, 0));
    assert!(split((1, 1), &[]).is_empty());
}
