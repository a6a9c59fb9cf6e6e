use super::*;

#[test]
fn links_are_relative_with_slashes() {
    let base = Path::new("notebooks-out");
    let p = base.join("retry-storm").join("42").join("report.html");
    assert_eq!(href(base, &p), "retry-storm/42/report.html");
}

#[test]
fn backticks_become_code_and_answers_cut_at_the_first_sentence() {
    assert_eq!(
        inline("fleet `jitter` <b>"),
        "fleet <code>jitter</code> &lt;b&gt;"
    );
    assert_eq!(
        first_sentence("p99 47.0 s vs 39.1 s. One seed (42): no interval."),
        "p99 47.0 s vs 39.1 s."
    );
    assert_eq!(first_sentence("no end"), "no end");
}
