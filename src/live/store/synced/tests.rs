use super::*;

#[test]
fn others_are_the_count_minus_what_was_seen_and_this_replicas_own() {
    let l = SyncedLevel {
        index: 0,
        interval: Duration::from_secs(1),
        timeout: Duration::from_millis(50),
    };
    let s = Synced::new(&[(l, vec!["a".into(), "b".into()])], "p");
    s.admitted(&["a"], 1);
    s.admitted(&["a"], 2);
    let (mine, v) = s.take(0);
    assert_eq!(v, vec![3, 0]);
    // a failed sync keeps the delta for the next
    s.restore(0, mine);
    s.admitted(&["b"], 1);
    let (_, v) = s.take(0);
    assert_eq!(v, vec![3, 1]);
    // the store had 5 of `a` and 4 of `b` from the others
    assert_eq!(s.others(0, &v, &[8, 5]), vec![5, 4]);
    // nobody admitted anything since: nothing to charge
    assert_eq!(s.others(0, &[0, 0], &[8, 5]), vec![0, 0]);
    // another replica's 2 of `b`, and this one's 1 of `a`
    assert_eq!(s.others(0, &[1, 0], &[9, 7]), vec![0, 2]);
    assert_eq!(s.counts[0].keys[1], "p:sync:0:b");
}
