use super::*;

#[test]
fn families_sort_by_code_after_their_total() {
    let mut names = vec![
        "rejected_503",
        "web:clients",
        "tenant/a-0:clients",
        "clients",
        "rejected_total",
        "rejected_429",
        "seed",
        "zzz",
        "give_ups_deadline",
        "give_ups_attempts",
        "point",
    ];
    names.sort_by_key(|n| rank(n, &["point", "seed"], FIGURES));
    assert_eq!(
        names,
        [
            "point",
            "seed",
            "clients",
            "rejected_total",
            "rejected_429",
            "rejected_503",
            "give_ups_attempts",
            "give_ups_deadline",
            "web:clients",
            "tenant/a-0:clients",
            "zzz"
        ]
    );
}

#[test]
fn jain_goes_after_fairness_tenants_of_its_prefix() {
    let mut out = vec![
        ("fairness_tenants".to_string(), Cell::Null),
        ("duplicates_executed".to_string(), Cell::U64(0)),
        ("web:fairness_tenants".to_string(), Cell::Null),
        ("web:duplicates_executed".to_string(), Cell::U64(0)),
    ];
    put_jain(&mut out, 2, "web:", Some(0.5));
    put_jain(&mut out, 0, "", None);
    let names: Vec<&str> = out.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "fairness_tenants",
            "jain_max_min",
            "duplicates_executed",
            "web:fairness_tenants",
            "web:jain_max_min",
            "web:duplicates_executed"
        ]
    );
    assert_eq!(out[4].1, Cell::F64(0.5));
}

#[test]
fn fill_is_zero_only_for_family_counts() {
    assert_eq!(fill("rejected_429"), Cell::U64(0));
    assert_eq!(fill("web:give_ups_deadline"), Cell::U64(0));
    assert_eq!(fill("rejected_total"), Cell::Null);
    assert_eq!(fill("latency_p99_ms"), Cell::Null);
}
