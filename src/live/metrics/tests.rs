use super::*;
use limiters::Nanos;

#[test]
fn renders_counters_gauges_and_limiter_state() {
    let m = Metrics::default();
    m.admitted();
    m.response(200);
    m.response(429);
    m.response(429);
    {
        let _g = m.in_flight();
        assert!(m.render().contains("throttlelab_in_flight 1"));
    }
    m.limiter_state(0, "key", "key-\"0", &Decision::allow(10, 7, Nanos::ZERO));
    let text = m.render();
    assert!(text.contains("throttlelab_admitted_total 1"));
    assert!(text.contains("throttlelab_rejected_total{status=\"429\"} 2"));
    assert!(!text.contains("throttlelab_rejected_total{status=\"200\"}"));
    assert!(text.contains("throttlelab_in_flight 0"), "guard released");
    assert!(text
        .contains("throttlelab_limiter_remaining{level=\"0\",scope=\"key\",id=\"key-\\\"0\"} 7"));
}

#[test]
fn concurrent_updates_are_all_counted_and_the_latest_state_wins() {
    let m = std::sync::Arc::new(Metrics::default());
    let threads: Vec<_> = (0..4u64)
        .map(|t| {
            let m = std::sync::Arc::clone(&m);
            std::thread::spawn(move || {
                for i in 0..1_000u64 {
                    m.response(if i % 4 == 0 { 429 } else { 200 });
                    let id = format!("key-{}", i % 3);
                    m.limiter_state(1, "key", &id, &Decision::allow(10, t, Nanos::ZERO));
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    m.limiter_state(1, "key", "key-0", &Decision::allow(10, 9, Nanos::ZERO));
    let text = m.render();
    assert!(text.contains("throttlelab_responses_total{status=\"200\"} 3000"));
    assert!(text.contains("throttlelab_rejected_total{status=\"429\"} 1000"));
    assert!(
        text.contains("throttlelab_limiter_remaining{level=\"1\",scope=\"key\",id=\"key-0\"} 9")
    );
    assert!(text.contains("id=\"key-2\"} 10"), "limit gauge per id");
    // statuses outside 100..=599 are not lost
    m.response(42);
    m.response(999);
    let r = m.responses();
    assert_eq!(r.get(&100), Some(&1));
    assert_eq!(r.get(&599), Some(&1));
}

#[test]
fn store_failures_are_counted_by_mode() {
    let m = Metrics::default();
    m.store_result(false);
    m.store_fallback(OnStoreError::FailClosed);
    let text = m.render();
    assert!(text.contains("throttlelab_store_up 0"));
    assert!(text.contains("throttlelab_store_errors_total 1"));
    assert!(text.contains("throttlelab_store_fallback_total{mode=\"fail-closed\"} 1"));
    assert!(m.should_log_store_error());
    assert!(!m.should_log_store_error(), "rate-limited logging");
}
