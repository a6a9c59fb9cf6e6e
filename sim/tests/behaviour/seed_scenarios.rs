//! The seed API scenarios (`scenarios/seeds/*.toml`): each loads, runs at a reduced size, and
//! shows the rule of its document in the figures, with the document's own client next to the
//! lab's recommended one. Run `cargo test -p sim --test seed_scenarios -- --ignored
//! --nocapture` to print every fleet's figures at full size.

use limiters::Nanos;
use sim::metrics::{RunResult, Summary};
use sim::model::{FaultKind, Scenario};
use std::path::PathBuf;

fn path(file: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../scenarios/seeds")
        .join(file)
}

/// Load a seed scenario; `minutes` shortens the run (faults clipped to it).
fn load(file: &str, minutes: Option<u64>) -> Scenario {
    let mut s = sim::scenario::load_file(&path(file)).unwrap();
    if let Some(m) = minutes {
        s.duration = s.duration.min(Nanos::from_secs(60 * m));
        let end = s.duration;
        s.faults.retain(|f| f.start < end);
        for f in &mut s.faults {
            f.duration = f.duration.min(end - f.start);
        }
    }
    s
}

fn run(file: &str, minutes: Option<u64>) -> RunResult {
    let s = load(file, minutes);
    sim::run(&s, s.seed).unwrap()
}

fn fleet<'a>(r: &'a RunResult, name: &str) -> &'a Summary {
    &r.fleets[name]
}

fn rejected(s: &Summary, status: u16) -> u64 {
    s.rejected.get(&status).copied().unwrap_or(0)
}

fn errors(s: &Summary, status: u16) -> u64 {
    s.server_errors.get(&status).copied().unwrap_or(0)
}

/// One line per fleet: the figures `docs/seed-apis.md` quotes.
fn show(r: &RunResult) {
    println!(
        "== {} (seed {}, {} s, {} events)",
        r.scenario, r.seed, r.duration_s, r.events
    );
    for (name, s) in &r.fleets {
        println!(
            "  {name:>6}: logical {} attempts {} (x{:.2}) admitted {} ok {} ({:.1} %) rejected {:?} errors {:?} give-ups {:?} in flight {} duplicates {} wasted {} p50 {:.0} ms p99 {:.0} ms",
            s.logical_requests,
            s.attempts,
            s.retry_amplification,
            s.admitted,
            s.successes,
            100.0 * s.success_ratio,
            s.rejected,
            s.server_errors,
            s.give_ups,
            s.in_flight_at_end,
            s.duplicates_executed,
            s.wasted_attempts,
            s.latency.as_ref().map_or(0.0, |l| l.p50_ms),
            s.latency.as_ref().map_or(0.0, |l| l.p99_ms),
        );
    }
}

/// Every file of `scenarios/seeds/`, in name order.
fn files() -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(path(""))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".toml"))
        .collect();
    v.sort();
    v
}

#[test]
#[ignore = "prints the figures of every seed scenario at full size"]
fn print_figures() {
    for f in files() {
        show(&run(&f, None));
    }
}

#[test]
fn every_seed_scenario_loads_and_cites_its_document() {
    let files = files();
    // One scenario per seed document, 000 to 004.
    let seeds: Vec<&str> = files.iter().map(|f| &f[..3]).collect();
    assert_eq!(seeds, ["000", "001", "002", "003", "004"]);
    for f in &files {
        let text = std::fs::read_to_string(path(f)).unwrap();
        let seed = &f[..3];
        assert!(
            text.contains(&format!("shared/seeds/{seed}_")),
            "{f} must name its seed document"
        );
        let s = sim::scenario::load_str(f, &text).unwrap();
        assert!(
            s.fleets.len() >= 2,
            "{f}: the document's client and the lab's"
        );
    }
}

#[test]
fn seed_000_fixed_retry_after_credits_402_and_refunds() {
    let s = load("000-armox.toml", None);
    assert!(s
        .faults
        .iter()
        .any(|f| matches!(f.kind, FaultKind::ErrorRate { status: 500, .. })));
    let r = run("000-armox.toml", None);
    show(&r);
    let (doc, lab) = (fleet(&r, "doc"), fleet(&r, "lab"));
    for f in [doc, lab] {
        // 402 once the account's 1,500 runs are spent: charged on acceptance, failed runs
        // refunded, so exactly 1,500 accepted runs did not fail.
        assert!(rejected(f, 402) > 0);
        assert!(errors(f, 500) > 0, "failed runs to refund");
        assert_eq!(f.admitted - errors(f, 500), 1500);
    }
    // The document's loop waits exactly Retry-After (60, whatever the window holds) every time.
    let d = &r.retry_delays["doc"];
    assert!(d.count > 0);
    assert_eq!((d.mean_ms, d.max_ms), (60_000.0, 60_000.0));
    // The lab's client (queueing behind an adaptive client-side rate, jittered waits) spends
    // far fewer attempts on 429s for the same runs.
    let per_ok = |f: &Summary| rejected(f, 429) as f64 / f.successes as f64;
    assert!(
        per_ok(lab) < 0.5 * per_ok(doc),
        "{} vs {}",
        per_ok(lab),
        per_ok(doc)
    );
}

/// Admitted attempts of `fleet` in each bucket.
fn admitted_per_bucket(r: &RunResult, fleet: &str) -> Vec<u64> {
    r.series.fleets[fleet]
        .iter()
        .map(|row| row.admitted)
        .collect()
}

#[test]
fn seed_001_check_then_record_over_admits() {
    let r = run("001-limitry.toml", None);
    show(&r);
    // 3 customers x 100 per minute, in 60 s buckets aligned with the windows.
    let cap = 300;
    let lab = admitted_per_bucket(&r, "lab");
    let doc = admitted_per_bucket(&r, "doc");
    println!("admitted per minute: doc {doc:?} lab {lab:?}");
    assert!(lab.iter().all(|&a| a <= cap), "{lab:?}");
    assert!(
        lab.iter().filter(|&&a| a == cap).count() >= lab.len() - 1,
        "{lab:?}"
    );
    let over: u64 = doc.iter().map(|&a| a.saturating_sub(cap)).sum();
    assert!(
        doc.iter().filter(|&&a| a > cap).count() >= doc.len() / 2,
        "{doc:?}"
    );
    assert!(over >= 100, "over-admission {over}");
    // The document's retry: 5xx only, 3 attempts, sleeps of 1 s and 2 s.
    let d = &r.retry_delays["doc"];
    assert!(
        d.count > 0 && d.max_ms <= 2000.0 && d.mean_ms >= 1000.0,
        "{d:?}"
    );
    assert_eq!(fleet(&r, "doc").retries, d.count);
}

#[test]
fn seed_002_org_limit_binds_and_the_first_second_bursts() {
    let r = run("002-eu-audit.toml", Some(5));
    show(&r);
    for name in ["doc", "lab"] {
        let per_sec = admitted_per_bucket(&r, name);
        let minutes: Vec<u64> = per_sec.chunks(60).map(|m| m.iter().sum()).collect();
        let first: Vec<u64> = per_sec.chunks(60).map(|m| m[0]).collect();
        println!("{name}: admitted per minute {minutes:?}, in its first second {first:?}");
        // 20 credentials x 60 = 1,200 a minute, but the org allows 600 across them.
        assert!(minutes.iter().all(|&m| m <= 600), "{minutes:?}");
        assert!(minutes.iter().filter(|&&m| m == 600).count() >= minutes.len() - 1);
    }
    // The document's client: retries parked by Retry-After land at the top of the minute,
    // and the fixed window lets a burst through in its first second.
    let doc = admitted_per_bucket(&r, "doc");
    let mean = 600.0 / 60.0;
    let bursts = doc
        .chunks(60)
        .skip(1)
        .filter(|m| m[0] as f64 > 5.0 * mean)
        .count();
    assert!(bursts >= 4, "first-second bursts in {bursts} of 4 minutes");
    let (d, l) = (fleet(&r, "doc"), fleet(&r, "lab"));
    assert!(l.retry_amplification < d.retry_amplification);
    assert!(rejected(l, 429) * 10 < rejected(d, 429));
    // The org's capacity is the same for both: queueing in the client costs no goodput.
    assert!(l.successes as f64 >= 0.98 * d.successes as f64);
}

/// Index of the first bucket of `fleet` with a `status` rejection.
fn first_bucket_with(r: &RunResult, fleet: &str, status: u16) -> Option<usize> {
    r.series.fleets[fleet]
        .iter()
        .position(|row| row.rejected.get(&status).copied().unwrap_or(0) > 0)
}

#[test]
fn seed_003_credits_run_out_into_402_and_502s_burn_them() {
    let r = run("003-forecast.toml", None);
    show(&r);
    let (doc, lab) = (fleet(&r, "doc"), fleet(&r, "lab"));
    for (name, f) in [("doc", doc), ("lab", lab)] {
        // 500 credits, one per admitted request, none refunded: then 402 on every request.
        assert_eq!(f.admitted, 500, "{name}");
        assert!(rejected(f, 402) > 0, "{name}");
        assert!(errors(f, 502) > 0, "{name}");
        let first = first_bucket_with(&r, name, 402).unwrap();
        let admitted: u64 = r.series.fleets[name][..first]
            .iter()
            .map(|b| b.admitted)
            .sum();
        assert!(
            (490..=500).contains(&admitted),
            "{name}: {admitted} before the first 402"
        );
        println!("{name}: first 402 in minute {first}");
    }
    // The free tier's 1,000 rpm never binds: no 429.
    assert_eq!(rejected(doc, 429) + rejected(lab, 429), 0);
    // The incident (minutes 10-15) hits the primary model only: a request that met two 502s
    // fails over to the secondary and gets its forecast there (before fail-over was modelled,
    // every attempt went to the failing upstream: no forecast in those minutes).
    let during: u64 = r.series.fleets["doc"][11..14]
        .iter()
        .map(|b| b.successes)
        .sum();
    assert!(during >= 10, "doc forecasts in minutes 11-14: {during}");
    // The breaker stops paying credits for 502s in the incident: more forecasts per credit,
    // and the credits last longer.
    assert!(
        lab.successes > doc.successes + 20,
        "{} vs {}",
        lab.successes,
        doc.successes
    );
    assert!(first_bucket_with(&r, "lab", 402) > first_bucket_with(&r, "doc", 402));
}

#[test]
fn seed_004_bucket_429s_retry_after_1_and_504s_past_the_deadline() {
    let r = run("004-noxdren.toml", None);
    show(&r);
    let (doc, lab) = (fleet(&r, "doc"), fleet(&r, "lab"));
    let bin = |name: &str, lo_ms: f64| -> u64 {
        r.retry_delays[name]
            .bins
            .iter()
            .filter(|b| b.lo_ms <= lo_ms && lo_ms < b.hi_ms)
            .map(|b| b.count)
            .sum()
    };
    // The SDK waits the bucket's Retry-After: 1 (exactly 1 s: the bin from 1,000 ms) ...
    assert!(bin("doc", 1000.0) > 10_000, "{}", bin("doc", 1000.0));
    // ... and, once the account's 50,000 are spent, the quota's month-long one.
    assert_eq!((doc.admitted, lab.admitted), (50_000, 50_000));
    assert!(
        bin("doc", 1e9) > 0,
        "QUOTA_EXCEEDED asks to wait for the rollover"
    );
    assert!(doc.in_flight_at_end > 1000, "parked until next month");
    // 504 once queue and service pass the 30 s deadline: only from the surge (minute 10) on.
    for name in ["doc", "lab"] {
        assert!(errors(fleet(&r, name), 504) > 0);
        let first = r.series.fleets[name]
            .iter()
            .position(|b| b.server_errors.get(&504).copied().unwrap_or(0) > 0)
            .unwrap();
        assert!(first * 10 >= 600, "{name}: first 504 at {} s", first * 10);
    }
    // Without an Idempotency-Key, analyses that timed out run again; with one, never.
    assert!(doc.duplicates_executed > 1000);
    assert_eq!(lab.duplicates_executed, 0);
    // The deadline runs from acceptance, service included (the document's meaning): every
    // attempt is answered within 30 s, before `lab`'s 35 s timeout, so no retry meets its
    // first attempt still running (with a 30 s `queue_timeout` instead, an analysis started
    // at 29 s ran on past the timeout: 315 409s).
    assert_eq!(lab.timeouts, 0);
    assert_eq!(
        rejected(lab, 409),
        0,
        "no retry meets a running first attempt"
    );
    // The lab client: fewer attempts per request, more analyses out of the same quota.
    assert!(lab.retry_amplification < doc.retry_amplification);
    assert!(lab.successes as f64 > 1.5 * doc.successes as f64);
}
