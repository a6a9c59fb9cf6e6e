//! `throttlelab replay` through the real binary, on the shipped sample log
//! (`examples/logs/sample-access.log.gz`, made by `scripts/gen-sample-log.py`: a server with a
//! 4/s, burst 20 token bucket per organisation wrote it) and the candidates of
//! `examples/limits/`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_throttlelab"))
}

fn root(p: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(p)
}

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("cli-replay-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// The candidate row of `name`: (would refuse, clients hurt, tenants hurt).
fn row(stdout: &str, name: &str) -> (u64, String, String) {
    let line = stdout
        .lines()
        .find(|l| l.split_whitespace().next() == Some(name))
        .unwrap_or_else(|| panic!("no row {name} in\n{stdout}"));
    let w: Vec<&str> = line.split_whitespace().collect();
    let n = w[1].replace(',', "").parse().unwrap();
    (
        n,
        format!("{} / {}", w[3], w[5]),
        format!("{} / {}", w[6], w[8]),
    )
}

fn logged_429(stdout: &str) -> u64 {
    let l = stdout
        .lines()
        .find(|l| l.starts_with("refused in the log (429): "))
        .unwrap();
    l.rsplit(' ')
        .next()
        .unwrap()
        .replace(',', "")
        .parse()
        .unwrap()
}

fn sample(extra: &[&str]) -> Output {
    bin()
        .arg("replay")
        .arg(root("examples/logs/sample-access.log.gz"))
        .arg("--limits")
        .args(["org-4s", "org-2s", "ip-1s"].map(|n| root(&format!("examples/limits/{n}.toml"))))
        .args(["--tenant", "path:/v1/orgs/{org}/..."])
        .args(extra)
        .output()
        .unwrap()
}

#[test]
fn the_limit_that_wrote_the_log_reproduces_its_429s() {
    let o = sample(&[]);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(
        out.contains(
            "7,132 requests checked (0 bad lines, 0 without a key), 40 clients, 8 tenants"
        ),
        "{out}"
    );
    let logged = logged_429(&out);
    assert_eq!(logged, 2_729);
    // The log's server ran org-4s; $time_local keeps whole seconds only, so the replay may
    // differ by a few requests that fell on second boundaries, never by more than 0.5%.
    let (same, _, tenants) = row(&out, "org-4s");
    assert!(
        same.abs_diff(logged) * 200 <= logged,
        "org-4s {same} vs logged {logged}"
    );
    assert_eq!(tenants, "1 / 8");
    // Half the rate refuses more, and reaches a second organisation.
    let (half, _, tenants) = row(&out, "org-2s");
    assert!(half > same + 200, "org-2s {half} vs org-4s {same}");
    assert_eq!(tenants, "2 / 8");
    assert!(out.contains("who gets hurt under `org-2s`"), "{out}");
}

#[test]
fn the_retry_policy_of_the_log_is_fitted() {
    // The generator's clients retry a 429 after 1, 2 and 4 s (4 attempts): exponential, base
    // 1 s. Five addresses of the bursting organisation were refused often enough to fit.
    let o = sample(&["--fit-retries", "--retry-window", "10s"]);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{err}");
    let line = out
        .lines()
        .find(|l| l.trim_start().starts_with("exponential "))
        .unwrap_or_else(|| panic!("no exponential class in\n{out}"));
    let w: Vec<&str> = line.split_whitespace().collect();
    assert_eq!(w, ["exponential", "5", "1.000", "s", "-", "4"], "{line}");
    assert!(!out.contains("fixed "), "{out}");
}

#[test]
fn tables_are_written_as_csv_in_a_sealed_folder() {
    let d = tmp("csv").join("out");
    let o = sample(&["--out", d.to_str().unwrap(), "--quiet"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o).1);
    assert!(o.stdout.is_empty(), "--quiet prints nothing");
    let summary = std::fs::read_to_string(d.join("static_summary.csv")).unwrap();
    assert!(summary.starts_with("candidate,requests,refused,clients,clients_hurt,"));
    assert_eq!(summary.lines().count(), 4);
    let clients = std::fs::read_to_string(d.join("static_clients.csv")).unwrap();
    assert_eq!(clients.lines().count(), 1 + 3 * 40);
    let tenants = std::fs::read_to_string(d.join("static_tenants.csv")).unwrap();
    let globex_2s = tenants
        .lines()
        .find(|l| l.starts_with("org-2s,globex,"))
        .unwrap();
    let f: Vec<&str> = globex_2s.split(',').collect();
    assert_eq!(f[2], "3981", "{globex_2s}");
    assert!(
        d.read_dir().unwrap().count() >= 4,
        "a seal beside the tables"
    );
    // The same log and candidates give the same bytes.
    let again = tmp("csv-again").join("out");
    let o = sample(&["--out", again.to_str().unwrap(), "--quiet"]);
    assert_eq!(o.status.code(), Some(0));
    for f in [
        "static_summary.csv",
        "static_clients.csv",
        "static_tenants.csv",
    ] {
        assert_eq!(
            std::fs::read(d.join(f)).unwrap(),
            std::fs::read(again.join(f)).unwrap(),
            "{f} differs between two runs"
        );
    }
}

#[test]
fn bad_lines_are_counted_and_shown_and_fatal_only_with_strict() {
    let d = tmp("bad");
    let log = d.join("a.log.zst");
    let plain = format!(
        "{}\n{}\nthis is not a log line\n{}\n",
        r#"10.0.0.1 - - [14/Nov/2023:22:13:20 +0000] "GET /v1/orgs/a/x HTTP/1.1" 200 1 "-" "-""#,
        r#"10.0.0.1 - - [14/Nov/2023:22:13:20 +0000] "GET /v1/orgs/a/x HTTP/1.1" 200 1 "-" "-""#,
        r#"10.0.0.2 - - [14/Nov/2023:22:13:21 +0000] "GET /v1/orgs/a/x HTTP/1.1" 429 1 "-" "-""#,
    );
    std::fs::File::create(&log)
        .unwrap()
        .write_all(&zstd::encode_all(plain.as_bytes(), 3).unwrap())
        .unwrap();
    let lim = root("examples/limits/ip-1s.toml");
    let run = |strict: bool| {
        let mut c = bin();
        c.arg("replay").arg(&log).arg("--limits").arg(&lim);
        if strict {
            c.arg("--strict");
        }
        c.output().unwrap()
    };
    let o = run(false);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(
        out.contains("3 requests checked (1 bad line, 0 without a key)"),
        "{out}"
    );
    assert!(
        out.contains("a.log.zst:3:1: expected ` - ` after $remote_addr"),
        "{out}"
    );
    let o = run(true);
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("a.log.zst:3:1:") && err.contains("--strict"),
        "{err}"
    );
}

#[test]
fn bad_flags_and_files_exit_2_with_a_sentence() {
    let lim = root("examples/limits/ip-1s.toml");
    let log = root("examples/logs/sample-access.log.gz");
    let cases: [(&[&str], &str); 5] = [
        (&["--format", "apache2"], "not a log format"),
        (&["--client", "cookie:sid"], "not a key expression"),
        (&["--format", "nginx"], "needs --log-format"),
        (&["--tenant", "path:v1/{org}"], "must start with `/`"),
        (&["--format", "alb"], "no request in the logs could be read"),
    ];
    for (flags, want) in cases {
        let o = bin()
            .arg("replay")
            .arg(&log)
            .arg("--limits")
            .arg(&lim)
            .args(flags)
            .output()
            .unwrap();
        let (_, err) = text(&o);
        assert_eq!(o.status.code(), Some(2), "{flags:?}: {err}");
        assert!(err.contains(want), "{flags:?}: {err}");
    }
    let o = bin()
        .args(["replay", "/nonexistent/access.log", "--limits"])
        .arg(&lim)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).1.contains("/nonexistent/access.log"));
    let o = bin()
        .arg("replay")
        .arg(&log)
        .args(["--limits"])
        .arg(root("scenarios/bad"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "a folder is not a scenario");
    // a log cut short in its compressed stream (copied while written): exit 2, said so
    let cut = tmp("cut").join("cut.log.gz");
    let whole = std::fs::read(&log).unwrap();
    std::fs::write(&cut, &whole[..whole.len() / 2]).unwrap();
    let o = bin()
        .arg("replay")
        .arg(&cut)
        .arg("--limits")
        .arg(&lim)
        .output()
        .unwrap();
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("ends early") && err.contains("cut short"),
        "{err}"
    );
    assert!(out.is_empty(), "nothing reported for a partial log: {out}");
}

#[test]
fn json_lines_keyed_by_a_logged_header_and_field_counted_by_hand() {
    // ip-1s is a per-key token bucket of 1/s with a burst of 5: eight requests of key k1 in one
    // instant leave three refused; k2's two pass. Tenants come from the `org` field.
    let d = tmp("json");
    let log = d.join("app.jsonl.gz");
    let mut lines = String::new();
    for i in 0..10 {
        let key = if i < 8 { "k1" } else { "k2" };
        lines.push_str(&format!(
            "{{\"ts\":1700000000.25,\"client\":\"10.0.0.{i}\",\"uri\":\"/v1/x\",\"verb\":\"GET\",\
             \"code\":200,\"http_x_api_key\":\"{key}\",\"org\":\"o-{key}\"}}\n"
        ));
    }
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(lines.as_bytes()).unwrap();
    std::fs::write(&log, gz.finish().unwrap()).unwrap();
    let out = d.join("out");
    let o = bin()
        .arg("replay")
        .arg(&log)
        .arg("--limits")
        .arg(root("examples/limits/ip-1s.toml"))
        .args(["--format", "json", "--json-fields"])
        .arg("time=ts,ip=client,path=uri,method=verb,status=code")
        .args([
            "--client",
            "header:X-Api-Key",
            "--tenant",
            "field:org",
            "--out",
        ])
        .arg(&out)
        .output()
        .unwrap();
    let (stdout, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(
        stdout.contains("10 requests checked (0 bad lines, 0 without a key), 2 clients, 2 tenants"),
        "{stdout}"
    );
    let (refused, clients, tenants) = row(&stdout, "ip-1s");
    assert_eq!(
        (refused, clients.as_str(), tenants.as_str()),
        (3, "1 / 2", "1 / 2")
    );
    let t = std::fs::read_to_string(out.join("static_tenants.csv")).unwrap();
    assert!(t.contains("ip-1s,o-k1,8,0,3,0.250"), "{t}");
    assert!(t.contains("ip-1s,o-k2,2,0,0,"), "{t}");
}
