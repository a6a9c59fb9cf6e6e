use super::*;

const CONF: &str = "\
http {
    limit_req_zone $binary_remote_addr zone=one:10m rate=10r/s;
    limit_req_zone $server_name zone=all:1m rate=300r/m;
    limit_conn_zone $binary_remote_addr zone=addr:10m;
    limit_req_status 429;
    server {
        location /api/ {
            limit_req zone=one burst=20 delay=8;
            limit_req zone=all nodelay;
            limit_conn addr 10;
        }
    }
}
";

#[test]
fn reads_zones_limits_and_statuses() {
    let imp = import("n.conf", CONF).unwrap();
    assert_eq!(imp.levels.len(), 3);
    let one = &imp.levels[0].table;
    assert_eq!(one["scope"].as_str(), Some("key"));
    assert_eq!(one["algorithm"].as_str(), Some("nginx_limit_req"));
    assert_eq!(one["rate"].as_str(), Some("10r/s"));
    assert_eq!(one["burst"].as_integer(), Some(20));
    assert_eq!(one["delay"].as_integer(), Some(8));
    assert_eq!(one["status"].as_integer(), Some(429));
    assert_eq!(imp.levels[0].from.line, 8);
    let all = &imp.levels[1].table;
    assert_eq!(all["scope"].as_str(), Some("global"));
    assert_eq!(all["nodelay"].as_bool(), Some(true));
    let conn = &imp.levels[2].table;
    assert_eq!(conn["algorithm"].as_str(), Some("concurrency"));
    assert_eq!(conn["max"].as_integer(), Some(10));
    assert_eq!(
        conn["status"].as_integer(),
        Some(503),
        "limit_conn_status defaults to 503"
    );
}

#[test]
fn status_defaults_to_503() {
    let conf = "http { limit_req_zone $a zone=z:1m rate=1r/s; server { limit_req zone=z; } }";
    let imp = import("n.conf", conf).unwrap();
    assert_eq!(imp.levels[0].table["status"].as_integer(), Some(503));
}

#[test]
fn printed_toml_is_a_scenario_fragment() {
    let imp = import("n.conf", CONF).unwrap();
    let text = imp.to_toml();
    assert!(text.starts_with("# n.conf:8:13: limit_req zone=one burst=20 delay=8;\n[[server.limiters]]\nscope = \"key\"\nalgorithm = \"nginx_limit_req\"\n"), "{text}");
    let parsed: toml::Table = text.parse().unwrap();
    assert_eq!(parsed["server"]["limiters"].as_array().unwrap().len(), 3);
}

fn err(conf: &str) -> String {
    import("n.conf", conf).unwrap_err().to_string()
}

#[test]
fn bad_input_names_line_and_column() {
    assert_eq!(
        err("http {\n  limit_req_zone $a zone=z:1m rate=ten;\n}"),
        "n.conf:2:31: invalid rate \"rate=ten\": expected rate=N r/s or rate=N r/m with N a whole number above 0"
    );
    assert_eq!(
        err("http {\n  limit_req_zone $a zone=z:1m rate=1r/s;\n  limit_req zone=y;\n}"),
        "n.conf:3:13: zone \"y\" is not defined by any limit_req_zone in this file"
    );
    assert_eq!(
        err("http {\n  limit_req_zone $a zone=z:1m rate=1r/s;\n  limit_req zone=z burst=0;\n}"),
        "n.conf:3:20: invalid burst value \"burst=0\": expected a whole number above 0"
    );
    assert_eq!(
        err("http {\n  limit_req_status 200;\n}"),
        "n.conf:2:20: value must be between 400 and 599, got \"200\""
    );
    assert!(err("http { limit_req_zone $a zone=z rate=1r/s; }").contains("1:26: invalid zone size"));
    assert!(crate::import("n.conf", "http { }", crate::Dialect::Nginx)
        .unwrap_err()
        .to_string()
        .contains("no rate limit found"));
}

#[test]
fn export_round_trips_through_import() {
    let text = "name = \"x\"\nduration = \"1s\"\n[[server.limiters]]\nscope = \"key\"\nalgorithm = \"nginx_limit_req\"\nrate = \"30r/m\"\nburst = 4\ndelay = 2\nstatus = 429\n[[server.limiters]]\nscope = \"global\"\nalgorithm = \"leaky_bucket\"\nrate = \"100/s\"\nburst = 10\nnodelay = true\nstatus = 429\n[fleet.a]\ncount = 1\narrival = { process = \"poisson\", rate = \"1/s\" }\n";
    let s = sim::scenario::load_str("x.toml", text).unwrap();
    let conf = export(&s.server.levels).unwrap();
    let imp = import("out.conf", &conf).unwrap();
    assert_eq!(imp.levels.len(), 2);
    let a = &imp.levels[0].table;
    assert_eq!(
        (
            a["rate"].as_str(),
            a["burst"].as_integer(),
            a["delay"].as_integer()
        ),
        (Some("30r/m"), Some(4), Some(2))
    );
    let b = &imp.levels[1].table;
    assert_eq!(
        (
            b["rate"].as_str(),
            b["nodelay"].as_bool(),
            b["scope"].as_str()
        ),
        (Some("100r/s"), Some(true), Some("global"))
    );
    assert_eq!(b["status"].as_integer(), Some(429));
}

#[test]
fn export_refuses_what_nginx_cannot_say() {
    let text = "name = \"x\"\nduration = \"1s\"\n[[server.limiters]]\nscope = \"key\"\nalgorithm = \"fixed_window\"\nlimit = 10\nperiod = \"1s\"\n[fleet.a]\ncount = 1\narrival = { process = \"poisson\", rate = \"1/s\" }\n";
    let s = sim::scenario::load_str("x.toml", text).unwrap();
    let e = export(&s.server.levels).unwrap_err().to_string();
    assert!(e.contains("uses `fixed_window`"), "{e}");
}

#[test]
fn limits_in_several_locations_are_noted() {
    let conf = "http { limit_req_zone $a zone=z:1m rate=1r/s; server { location /a { limit_req zone=z; } location /b { limit_req zone=z burst=2; } } }";
    let imp = import("n.conf", conf).unwrap();
    assert_eq!(imp.levels.len(), 2);
    assert!(
        imp.notes[0].starts_with("limit_req in 2 blocks"),
        "{:?}",
        imp.notes
    );
    assert!(imp.to_toml().starts_with("# note: limit_req in 2 blocks"));
}
