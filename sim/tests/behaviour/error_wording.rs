//! No Rust type names in user messages (issue #18: `expected struct BackoffSpec` leaked from
//! serde). A wrong value (a number, an array, a string, a boolean) is fed to every table of
//! the scenario format, and to the tables inside arrays and inline tables; every message must
//! name what to write, in TOML words, and never a Rust type.

const BASE: &str = "name = \"p\"\nduration = \"1m\"\n";
const FLEET: &str = "[fleet.web]\ncount = 1\narrival = { process = \"poisson\", rate = \"1/s\" }\n";

/// Where each table of the format sits, as a TOML line with `V` for the wrong value, and what
/// goes before it.
fn places() -> Vec<String> {
    let in_fleet = |line: &str| format!("{BASE}{FLEET}{line}\n");
    let top = |line: &str| format!("{BASE}{line}\n{FLEET}");
    let mut p = vec![
        top("server = V"),
        top("network = V"),
        top("faults = V"),
        top("faults = [V]"),
        top("[server]\nlimiters = V"),
        top("[server]\nlimiters = [V]"),
        top("[server]\nbackend = V"),
        top("[server]\nupstreams = V"),
        top("[server]\nupstreams = [V]"),
        top("[server.backend]\nservice_time = V"),
        top("[network]\ndelay = V"),
        format!("{BASE}fleet = V\n"),
        format!("{BASE}[fleet]\nweb = V\n"),
        format!("{BASE}[fleet.web]\ncount = 1\narrival = V\n"),
        format!("{BASE}[fleet.web]\ncount = 1\narrival = {{ process = \"piecewise\", points = V }}\n"),
        format!("{BASE}[fleet.web]\ncount = 1\narrival = {{ process = \"piecewise\", points = [V] }}\n"),
        format!("{BASE}[fleet.web]\ncount = 1\narrival = {{ process = \"closed\", concurrency = 1, think = V }}\n"),
    ];
    for key in [
        "retry",
        "gates",
        "headers",
        "hedge",
        "idempotency",
        "failover",
        "count",
        "timeout",
    ] {
        p.push(in_fleet(&format!("{key} = V")));
    }
    p.push(in_fleet("gates = [V]"));
    p.push(in_fleet(
        "[fleet.web.retry]\npolicy = \"retry_after\"\nfallback = V",
    ));
    p.push(in_fleet(
        "[fleet.web.retry]\npolicy = \"exponential\"\nretry_on = V",
    ));
    p.push(in_fleet("[fleet.web.failover]\non = V"));
    p
}

#[test]
fn a_wrong_value_in_any_table_is_told_in_toml_words() {
    let leaks = [
        "struct", "Spec", "Table", "sequence", " map", "i64", "f64", "u64", "u32", "enum",
    ];
    let mut checked = 0;
    for place in places() {
        for value in ["5", "[1]", "\"x\"", "true", "{ nope = 1 }"] {
            let text = place.replace('V', value);
            let Err(e) = sim::scenario::load_str("t.toml", &text) else {
                continue;
            };
            let msg = e.to_string();
            let first = msg.lines().next().unwrap_or_default();
            for leak in leaks {
                assert!(
                    !first.contains(leak),
                    "`{leak}` in the message for\n{text}\n{first}"
                );
            }
            checked += 1;
        }
    }
    assert!(checked > 100, "{checked}");
}

#[test]
fn a_number_where_a_table_goes_shows_the_table_to_write() {
    let text = format!("{BASE}{FLEET}retry = 5\n");
    let e = sim::scenario::load_str("t.toml", &text)
        .unwrap_err()
        .to_string();
    assert!(
        e.starts_with("t.toml:6:9: invalid type: integer `5`, expected a table like { policy = \"exponential\""),
        "{e}"
    );
    let text = format!("{BASE}{FLEET}[fleet.web.retry]\npolicy = \"retry_after\"\nfallback = 5\n");
    let e = sim::scenario::load_str("t.toml", &text)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("expected a table like { base = \"100ms\""),
        "{e}"
    );
}
