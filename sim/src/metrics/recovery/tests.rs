use super::*;

fn s(v: u64) -> Nanos {
    Nanos::from_secs(v)
}

fn rec(series: &[u64], start: u64, end: u64) -> Option<Recovery> {
    recovery(series, s(1), s(start), s(end), WINDOW)
}

#[test]
fn slow_ramp_recovers_when_the_window_is_back() {
    // 100/s before; fault 20..30; then 0 until 40, 95/s after.
    let mut series = vec![100u64; 80];
    for x in &mut series[20..40] {
        *x = 0;
    }
    for x in &mut series[40..] {
        *x = 95;
    }
    let r = rec(&series, 20, 30).unwrap();
    assert!(r.recovered);
    // [39, 49) averages 85.5; [40, 50) is the first window within 10% of 100/s.
    assert_eq!(r.recovered_at_s, Some(40.0));
    assert_eq!(r.time_to_recover_s, Some(10.0));
    assert_eq!(r.pre_fault_goodput_rps, 100.0);
    assert_eq!(r.window_s, 10.0);
}

#[test]
fn metastable_series_does_not_recover() {
    let mut series = vec![100u64; 80];
    for x in &mut series[20..] {
        *x = 40;
    }
    let r = rec(&series, 20, 30).unwrap();
    assert!(!r.recovered);
    assert_eq!(r.time_to_recover_s, None);
}

#[test]
fn overshoot_is_not_recovery_and_partial_dip_within_tolerance_is() {
    let mut series = vec![100u64; 60];
    for x in &mut series[20..35] {
        *x = 160; // retry backlog draining above the old level
    }
    let r = rec(&series, 10, 20).unwrap();
    // [33, 43) averages 112, [34, 44) 106: the first window back within 10%.
    assert_eq!(r.recovered_at_s, Some(34.0));
    let mut series = vec![100u64; 60];
    series[21] = 80; // one bad bucket inside a 10 s window averaging 98
    let r = rec(&series, 10, 20).unwrap();
    assert_eq!(r.time_to_recover_s, Some(0.0));
}

/// Cron clients: one tall bucket every 10 s, nothing in between. No bucket is ever within
/// 10% of the 40/s mean, yet the load is back to normal right after the fault.
#[test]
fn periodic_load_is_not_reported_as_metastable() {
    let mut series: Vec<u64> = (0..180)
        .map(|b| if b % 10 == 0 { 400 } else { 0 })
        .collect();
    for x in &mut series[60..90] {
        *x = 0; // outage
    }
    let r = rec(&series, 60, 90).unwrap();
    assert_eq!(r.pre_fault_goodput_rps, 40.0);
    assert!(r.recovered, "{r:?}");
    assert_eq!(r.time_to_recover_s, Some(0.0));
}

#[test]
fn the_window_covers_the_longest_arrival_period() {
    use crate::model::Fleet;
    let mut sc = Scenario::new("w");
    assert_eq!(recovery_window(&sc), WINDOW);
    sc.bucket = s(3);
    assert_eq!(recovery_window(&sc), s(15));
    sc.fleets.push(Fleet::new(
        "cron",
        1,
        Arrival::Cron {
            period: s(60),
            offset: Nanos::ZERO,
        },
    ));
    assert_eq!(recovery_window(&sc), s(60));
}

#[test]
fn pre_fault_level_uses_whole_windows_next_to_the_fault() {
    // A 5 s warm-up at 0/s, then 100/s; fault at 25 s: the two windows before it are
    // [5, 25), all at 100/s.
    let mut series = vec![100u64; 60];
    for x in &mut series[..5] {
        *x = 0;
    }
    let r = rec(&series, 25, 30).unwrap();
    assert_eq!(r.pre_fault_goodput_rps, 100.0);
}

#[test]
fn the_run_recovers_at_its_slowest_fleet_and_only_if_all_do() {
    let mut quick = vec![100u64; 80];
    quick[20..30].fill(0);
    let mut slow = quick.clone();
    slow[30..45].fill(0);
    let (q, sl) = (rec(&quick, 20, 30).unwrap(), rec(&slow, 20, 30).unwrap());
    let run = of_fleets([("quick", Some(&q)), ("slow", Some(&sl)), ("idle", None)]).unwrap();
    assert!(run.recovered);
    // [44, 54) holds one empty bucket: 90/s, within 10%.
    assert_eq!(run.time_to_recover_s, Some(14.0));
    assert_eq!(run.slowest_fleet.as_deref(), Some("slow"));
    assert_eq!(run.pre_fault_goodput_rps, 200.0);
    let mut stuck = quick.clone();
    stuck[30..].fill(0);
    let st = rec(&stuck, 20, 30).unwrap();
    let run = of_fleets([("quick", Some(&q)), ("stuck", Some(&st))]).unwrap();
    assert!(!run.recovered);
    assert_eq!((run.time_to_recover_s, run.slowest_fleet), (None, None));
    assert_eq!(run.fleets_not_recovered, ["stuck"]);
    assert!(of_fleets([("idle", None)]).is_none());
}

#[test]
fn no_pre_fault_data_or_no_window_after_means_no_figure() {
    assert!(rec(&[5, 5, 5], 0, 1).is_none());
    assert!(rec(&[0, 0, 5], 2, 3).is_none());
    // 20 buckets, fault ends at 15: less than one 10 s window left.
    assert!(rec(&[5; 20], 10, 15).is_none());
}
