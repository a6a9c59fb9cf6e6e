use super::*;

const PHRASES: (&str, &str) = (
    "live agrees with the simulation",
    "live differs from the simulation",
);

fn row(fleet: &str, figure: &str, a: f64, b: f64, judged: bool, agrees: bool) -> AgreementRow {
    AgreementRow {
        fleet: fleet.into(),
        figure: figure.into(),
        a,
        b,
        rel_diff: Some((b - a) / a),
        judged,
        agrees,
        verdict: match (judged, agrees) {
            (true, true) => "ok",
            (true, false) => "DIFFERS",
            _ => "info",
        }
        .into(),
    }
}

#[test]
fn a_passing_check_says_yes_and_names_its_caveat() {
    let rows = [
        row("total", "admitted", 800.0, 800.0, true, true),
        row("total", "latency p99 ms", 100.0, 900.0, false, false),
    ];
    let caveat = ["the fault `outage` (60 s to 90 s) never happens in the check".to_owned()];
    let a = answer(&rows, 0.05, &caveat, PHRASES);
    assert_eq!(
        a,
        "Yes: live agrees with the simulation within 5% on all 1 judged figures. Caveat: \
         the fault `outage` (60 s to 90 s) never happens in the check."
    );
}

#[test]
fn a_figure_that_agrees_only_inside_its_interval_is_named_not_called_within_5_percent() {
    let rows = [
        row("total", "admitted", 800.0, 800.0, true, true),
        row("deployment", "refused with room", 55.0, 47.0, true, true),
    ];
    let a = answer(&rows, 0.05, &[], PHRASES);
    assert_eq!(
        a,
        "Yes: live agrees with the simulation on all 2 judged figures, 1 within 5% and 1 \
         inside the 95% interval or the spread of the simulated value: deployment refused with \
         room 55.0 -> 47.0 (-14.5%)."
    );
}

#[test]
fn the_page_leads_with_the_verdict_and_its_chart() {
    let rows = [
        row("total", "admitted", 800.0, 810.0, true, true),
        row("lab", "rejected 429", 100.0, 130.0, true, false),
    ];
    let input = AgreementInput {
        title: "seed: simulated vs live".into(),
        description: String::new(),
        question: "Does the simulation predict the live server?".into(),
        names: ("simulated".into(), "live".into()),
        phrases: (PHRASES.0.into(), PHRASES.1.into()),
        tolerance: 0.05,
        rows: &rows,
        caveats: &[],
        meta: Vec::new(),
        scenario_text: "",
    };
    let page = build_agreement_report(&input).unwrap();
    let html = render_page(&page);
    let verdict = html.find("No: live differs").expect("verdict in the page");
    let table = html.find("Every figure").expect("table in the page");
    assert!(verdict < table, "the verdict comes before the table");
    assert_eq!(page.charts.len(), 1);
    assert_eq!(
        page.headline.unwrap().chart,
        Some(page.charts[0].name.clone())
    );
}
