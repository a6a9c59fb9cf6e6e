use super::*;

#[test]
fn numbers_read_well() {
    assert_eq!(thousands(0), "0");
    assert_eq!(thousands(1_234_567), "1,234,567");
    assert_eq!(share(1, 3), "33.33%");
    assert_eq!(share(1, 0), "-");
    assert_eq!(secs(Nanos(12_345_000_000)), "+12.345 s");
    assert_eq!(bite(None), "never");
}

#[test]
fn worst_first_ties_by_appearance() {
    let c = Counts {
        refused: vec![1, 5, 0, 5],
        first: vec![0; 4],
    };
    assert_eq!(worst(&c, 2), vec![1, 3]);
    assert_eq!(worst(&c, 10), vec![1, 3, 0]);
}
