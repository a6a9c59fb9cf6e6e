//! `throttlelab import` / `export` and `[[server.limiters]] from = "..."` end to end.

use std::process::Command;

fn lab(args: &[&str]) -> (i32, String, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_throttlelab"))
        .args(args)
        .output()
        .expect("run throttlelab");
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn temp(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("tl-gateways-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn import_prints_scenario_levels() {
    let (code, out, err) = lab(&["import", "examples/gateways/nginx.conf"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("algorithm = \"nginx_limit_req\"\n"), "{out}");
    assert!(
        out.contains("rate = \"20r/s\"\n")
            && out.contains("burst = 10\n")
            && out.contains("delay = 5\n")
    );
}

#[test]
fn bad_gateway_file_is_exit_2_with_its_line_and_column() {
    let d = temp("bad");
    let conf = d.join("nginx.conf");
    std::fs::write(
        &conf,
        "http {\n  limit_req_zone $a zone=z:1m rate=fast;\n}\n",
    )
    .unwrap();
    let (code, _, err) = lab(&["import", conf.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(
        err.contains("nginx.conf:2:31: invalid rate \"rate=fast\""),
        "{err}"
    );
    // referenced from a scenario: the scenario's line and the gateway file's line
    let scen = d.join("s.toml");
    std::fs::write(
        &scen,
        "name = \"s\"\nduration = \"1s\"\n[[server.limiters]]\nfrom = \"nginx.conf\"\n[fleet.a]\ncount = 1\narrival = { process = \"poisson\", rate = \"1/s\" }\n",
    )
    .unwrap();
    let (code, _, err) = lab(&["validate", scen.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("s.toml:4:8: from \"nginx.conf\": "), "{err}");
    assert!(err.contains("nginx.conf:2:31: invalid rate"), "{err}");
}

#[test]
fn unknown_format_and_unreadable_dialect_are_refused() {
    let (code, _, err) = lab(&["import", "--format", "iis", "examples/gateways/nginx.conf"]);
    assert_eq!(code, 2);
    assert!(err.contains("unknown gateway format `iis`"), "{err}");
}

#[test]
fn into_merges_and_the_result_runs() {
    let d = temp("into");
    let scen = d.join("s.toml");
    std::fs::write(
        &scen,
        "name = \"s\" # keep me\nduration = \"5s\"\n[fleet.a]\ncount = 2\narrival = { process = \"poisson\", rate = \"40/s\" }\n",
    )
    .unwrap();
    let (code, out, err) = lab(&[
        "import",
        "examples/gateways/nginx.conf",
        "--into",
        scen.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("added 1 limiter level"), "{out}");
    let text = std::fs::read_to_string(&scen).unwrap();
    assert!(
        text.contains("# keep me") && text.contains("[[server.limiters]]"),
        "{text}"
    );
    let (code, _, err) = lab(&["validate", scen.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
}

#[test]
fn export_writes_nginx_and_refuses_what_it_cannot_say() {
    let (code, out, err) = lab(&[
        "export",
        "--format",
        "nginx",
        "examples/gateways/nginx.toml",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("limit_req_zone $http_authorization zone=l0:10m rate=20r/s;"),
        "{out}"
    );
    assert!(out.contains("limit_req zone=l0 burst=10 delay=5;"), "{out}");
    let (code, _, err) = lab(&["export", "--format", "nginx", "scenarios/retry-storm.toml"]);
    assert_eq!(code, 2);
    assert!(err.contains("level 1 is per tenant"), "{err}");
}

#[test]
fn example_scenario_runs_from_the_nginx_file() {
    let d = temp("run");
    let (code, out, err) = lab(&[
        "run",
        "examples/gateways/nginx.toml",
        "--out",
        d.to_str().unwrap(),
        "--quiet",
    ]);
    assert_eq!(code, 0, "{err}{out}");
}

#[test]
fn keys_beside_from_are_set_on_every_imported_level() {
    let d = temp("overrides");
    std::fs::copy("examples/gateways/nginx.conf", d.join("nginx.conf")).unwrap();
    let scen = d.join("s.toml");
    std::fs::write(
        &scen,
        "name = \"s\"\nduration = \"1s\"\n[[server.limiters]]\nfrom = \"nginx.conf\"\nfleets = [\"nobody\"]\n[fleet.a]\ncount = 1\narrival = { process = \"poisson\", rate = \"1/s\" }\n",
    )
    .unwrap();
    // `fleets` is checked on the imported level: an unknown fleet is reported at its own line
    let (code, _, err) = lab(&["validate", scen.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("s.toml:5:"), "{err}");
    assert!(err.contains("nobody"), "{err}");
}
