use super::*;

fn count(a: &Arrival, secs: u64) -> u64 {
    let g = ArrivalGen::new(a);
    let h = Nanos::from_secs(secs);
    let mut rng = Stream::from_seed(17);
    let mut n = 0;
    let mut t = g.first(&mut rng, h);
    while let Some(x) = t {
        n += 1;
        t = g.next(x, &mut rng, h);
    }
    n
}

fn rate(s: &str) -> Rate {
    s.parse().unwrap()
}

#[test]
fn poisson_and_constant_hit_their_rate() {
    let n = count(&Arrival::Poisson { rate: rate("10/s") }, 10_000);
    assert!((n as f64 / 100_000.0 - 1.0).abs() < 0.02, "{n}");
    let n = count(&Arrival::Constant { rate: rate("4/s") }, 1_000);
    assert!((3_999..=4_000).contains(&n), "{n}");
}

#[test]
fn on_off_only_fires_while_on_at_its_duty_cycle() {
    let a = Arrival::OnOff {
        rate: rate("20/s"),
        on: Nanos::from_secs(2),
        off: Nanos::from_secs(8),
    };
    let g = ArrivalGen::new(&a);
    let h = Nanos::from_secs(20_000);
    let mut rng = Stream::from_seed(3);
    let mut t = g.first(&mut rng, h);
    let mut n = 0u64;
    while let Some(x) = t {
        assert!(x.0 % Nanos::from_secs(10).0 < Nanos::from_secs(2).0);
        n += 1;
        t = g.next(x, &mut rng, h);
    }
    // 20/s for 2 s out of every 10 s = 4/s on average.
    assert!((n as f64 / 80_000.0 - 1.0).abs() < 0.02, "{n}");
}

#[test]
fn cron_fires_once_per_period_near_the_top() {
    let g = ArrivalGen::new(&Arrival::Cron {
        period: Nanos::from_secs(60),
        offset: Nanos::from_millis(500),
    });
    let h = Nanos::from_secs(600);
    let mut rng = Stream::from_seed(1);
    let mut t = g.first(&mut rng, h);
    let mut fires = Vec::new();
    while let Some(x) = t {
        fires.push(x);
        t = g.next(x, &mut rng, h);
    }
    assert_eq!(fires.len(), 10);
    for (k, f) in fires.iter().enumerate() {
        let top = Nanos::from_secs(60 * k as u64);
        assert!(*f >= top && *f < top + Nanos::from_millis(500));
    }
}

#[test]
fn diurnal_mean_rate_is_the_midpoint_and_follows_the_curve() {
    let a = Arrival::Diurnal {
        low: rate("2/s"),
        high: rate("18/s"),
        period: Nanos::from_secs(100),
    };
    let n = count(&a, 10_000);
    assert!((n as f64 / 100_000.0 - 1.0).abs() < 0.02, "{n}");
    let g = ArrivalGen::new(&a);
    assert!((g.rate_at(0) * 1e9 - 2.0).abs() < 1e-9);
    assert!((g.rate_at(50_000_000_000) * 1e9 - 18.0).abs() < 1e-9);
}

#[test]
fn piecewise_follows_its_steps() {
    let a = Arrival::Piecewise {
        points: vec![
            (Nanos::ZERO, Some(rate("5/s"))),
            (Nanos::from_secs(1_000), None),
            (Nanos::from_secs(2_000), Some(rate("10/s"))),
        ],
    };
    let n = count(&a, 3_000);
    assert!((n as f64 / 15_000.0 - 1.0).abs() < 0.03, "{n}");
}
