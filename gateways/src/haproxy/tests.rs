use super::*;

const CFG: &str = "\
global
    daemon
frontend api
    bind :8080
    stick-table type ip size 100k expire 30s store http_req_rate(10s),conn_cur
    http-request track-sc0 src
    acl too_many sc0_conn_cur ge 21
    http-request deny deny_status 429 if { sc_http_req_rate(0) gt 100 }
    http-request deny if too_many
    default_backend app
backend app
    server a 127.0.0.1:8081
";

#[test]
fn reads_tables_tracks_and_deny_rules() {
    let imp = import("h.cfg", CFG).unwrap();
    assert_eq!(imp.levels.len(), 2);
    let rate = &imp.levels[0].table;
    assert_eq!(rate["algorithm"].as_str(), Some("haproxy_http_req_rate"));
    assert_eq!(rate["period"].as_str(), Some("10000ms"));
    assert_eq!(rate["limit"].as_integer(), Some(100));
    assert_eq!(rate["status"].as_integer(), Some(429));
    assert_eq!(rate["scope"].as_str(), Some("key"));
    assert_eq!(imp.levels[0].from.line, 8);
    let conn = &imp.levels[1].table;
    assert_eq!(conn["algorithm"].as_str(), Some("concurrency"));
    assert_eq!(conn["max"].as_integer(), Some(20), "ge 21 denies the 21st");
    assert_eq!(
        conn["status"].as_integer(),
        Some(403),
        "HAProxy's deny default"
    );
}

#[test]
fn table_named_in_track_and_sc0_forms() {
    let cfg = "frontend f\n    http-request track-sc1 req.hdr(x-api-key) table per_key\n    http-request deny if { sc1_http_req_rate(per_key) gt 5 }\nbackend per_key\n    stick-table type string len 32 size 1m store http_req_rate(1s)\n";
    let imp = import("h.cfg", cfg).unwrap();
    assert_eq!(imp.levels[0].table["period"].as_str(), Some("1000ms"));
    assert_eq!(imp.levels[0].table["limit"].as_integer(), Some(5));
}

fn err(cfg: &str) -> String {
    import("h.cfg", cfg).unwrap_err().to_string()
}

#[test]
fn bad_input_names_line_and_column() {
    assert_eq!(
        err("frontend f\n    stick-table type ip store http_req_rate(10s)\n    http-request deny if { sc_http_req_rate(0) gt 5 }\n"),
        "h.cfg:3:28: counter 0 is not tracked before this rule: expected `http-request track-sc0 <sample>` above it"
    );
    assert_eq!(
        err("frontend f\n    stick-table type ip store conn_cur\n    http-request track-sc0 src\n    http-request deny if { sc_http_req_rate(0) gt 5 }\n"),
        "h.cfg:4:28: table `f` does not store http_req_rate: add `store http_req_rate(10s)` to its stick-table"
    );
    assert_eq!(
        err("frontend f\n    stick-table type ip store http_req_rate(ten)\n"),
        "h.cfg:2:31: invalid period \"ten\" in http_req_rate: expected a time such as 10s"
    );
    assert!(err("frontend f\n    stick-table type ip store http_req_rate(1s)\n    http-request track-sc0 src\n    http-request deny if { sc_http_req_rate(0) lt 5 }\n")
        .starts_with("h.cfg:4:48: operator `lt`"));
    assert!(err("frontend f\n    stick-table type ip store http_req_rate(1s)\n    http-request track-sc0 src\n    http-request deny deny_status abc if { sc_http_req_rate(0) gt 5 }\n")
        .starts_with("h.cfg:4:35: invalid deny_status \"abc\""));
}

#[test]
fn export_round_trips_through_import() {
    let text = "name = \"x\"\nduration = \"1s\"\n[[server.limiters]]\nscope = \"key\"\nalgorithm = \"haproxy_http_req_rate\"\nperiod = \"10s\"\nlimit = 50\nstatus = 429\n[[server.limiters]]\nscope = \"global\"\nalgorithm = \"concurrency\"\nmax = 8\n[fleet.a]\ncount = 1\narrival = { process = \"poisson\", rate = \"1/s\" }\n";
    let s = sim::scenario::load_str("x.toml", text).unwrap();
    let cfg = export(&s.server.levels).unwrap();
    let imp = import("out.cfg", &cfg).unwrap();
    assert_eq!(imp.levels.len(), 2, "{cfg}");
    let a = &imp.levels[0].table;
    assert_eq!(
        (
            a["period"].as_str(),
            a["limit"].as_integer(),
            a["status"].as_integer()
        ),
        (Some("10000ms"), Some(50), Some(429))
    );
    let b = &imp.levels[1].table;
    assert_eq!(
        (b["max"].as_integer(), b["scope"].as_str()),
        (Some(8), Some("global"))
    );
}

#[test]
fn export_refuses_what_haproxy_cannot_say() {
    let text = "name = \"x\"\nduration = \"1s\"\n[[server.limiters]]\nscope = \"key\"\nalgorithm = \"gcra\"\nrate = \"10/s\"\nburst = 5\n[fleet.a]\ncount = 1\narrival = { process = \"poisson\", rate = \"1/s\" }\n";
    let s = sim::scenario::load_str("x.toml", text).unwrap();
    let e = export(&s.server.levels).unwrap_err().to_string();
    assert!(e.contains("uses `gcra`"), "{e}");
}
