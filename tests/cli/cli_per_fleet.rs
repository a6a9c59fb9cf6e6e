//! Sweeps and comparisons show the figures of the fleets and tenants a change touches, not
//! only the whole run's (issue #12, item 1), through the real binary:
//! - the jitter sweep of `docs/sweeps-and-comparisons.md`: the `nojitter` fleet dominates the totals (429s and p99 flat
//!   across jitter values), so the printed table leads with fleet `jitter`, whose 429s fall
//!   with full jitter, and `points_long` holds them per fleet;
//! - the fairness pair (a global limit against a hierarchy): the total goodput barely moves
//!   while the quiet tenants' more than doubles; `compare` shows each tenant's row with its
//!   own verdict, for scenario files and for run directories alike, with each tenant's 429s
//!   and p99 (recorded per tenant by the simulator); the fairness sweep draws one line per
//!   tenant.

use report::tables::{read_table, Cell};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn tmp(tag: &str) -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("cli-per-fleet-{tag}"));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn throttlelab(args: &[&str], out: &Path) -> String {
    let o: Output = Command::new(env!("CARGO_BIN_EXE_throttlelab"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(args)
        .arg("--out")
        .arg(out)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(
        o.status.success(),
        "{args:?}: {text}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    text
}

/// The only sub-folder of `dir`.
fn only_dir(dir: &Path) -> PathBuf {
    let dirs: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    assert_eq!(dirs.len(), 1, "{dirs:?}");
    dirs[0].clone()
}

#[test]
fn jitter_sweep_leads_with_the_jitter_fleet_whose_429s_differ() {
    let out = tmp("jitter");
    let text = throttlelab(
        &[
            "sweep",
            "scenarios/retry-storm.toml",
            "--param",
            "fleet.jitter.retry.jitter=none,full",
            "--seeds",
            "2",
            "--no-report",
        ],
        &out,
    );
    // rows: point, jitter value, fleet, runs, goodput ± half, success, amplif., rejected, p99
    let rows: Vec<Vec<&str>> = text
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>())
        .filter(|c| c.len() == 10 && c[0].parse::<u64>().is_ok())
        .collect();
    assert_eq!(rows.len(), 6, "2 points x (jitter, nojitter, all):\n{text}");
    assert_eq!(rows[0][2], "jitter", "the touched fleet first:\n{text}");
    let rejected = |fleet: &str, value: &str| -> f64 {
        rows.iter()
            .find(|r| r[2] == fleet && r[1] == value)
            .unwrap_or_else(|| panic!("no {fleet} {value} row:\n{text}"))[8]
            .parse()
            .unwrap()
    };
    let (none, full) = (rejected("jitter", "none"), rejected("jitter", "full"));
    assert!(
        none > 100.0,
        "synchronised retries overflow the bucket:\n{text}"
    );
    assert!(full < none / 2.0, "full jitter spreads them:\n{text}");
    // the unchanged fleet is unchanged: the whole effect is the jitter fleet's
    assert_eq!(rejected("nojitter", "none"), rejected("nojitter", "full"));

    let dir = only_dir(&out.join("retry-storm"));
    let t = read_table(&dir, "points_long", None).unwrap();
    assert!(dir.join("points_long.csv").is_file());
    let col = |n: &str| t.column(n).unwrap_or_else(|| panic!("no column {n}"));
    let mut by_point = [0.0f64; 2];
    let mut rows_seen = 0;
    for r in 0..t.len() {
        let is = |n: &str, v: &str| col(n)[r] == Cell::Str(v.into());
        if is("scope", "fleet") && is("name", "jitter") && is("figure", "rejected_total") {
            let p = col("point")[r].as_f64().unwrap() as usize;
            by_point[p] += col("value")[r].as_f64().unwrap();
            rows_seen += 1;
        }
    }
    assert_eq!(rows_seen, 4, "one row per point and seed");
    assert!(by_point[1] < by_point[0] / 2.0, "{by_point:?}");
}

/// The fairness experiment with its `[sweep]` removed: as shipped (a global limit of 100/s)
/// or with the hierarchy point (70/s per tenant AND 100/s in all).
fn fairness(hierarchy: bool) -> String {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/experiments/fairness.toml"),
    )
    .unwrap();
    let text = &text[..text.find("\n[sweep]").unwrap()];
    if !hierarchy {
        return text.replace("name = \"fairness\"", "name = \"global\"");
    }
    let global = "[[server.limiters]]\nscope = \"global\"";
    assert!(text.contains(global));
    text.replace("name = \"fairness\"", "name = \"hierarchy\"")
        .replace(
            global,
            "[[server.limiters]]\nscope = \"tenant\"\nalgorithm = \"token_bucket\"\nrate = \"70/s\"\nburst = 70\n\n[[server.limiters]]\nscope = \"global\"",
        )
}

#[test]
fn fairness_compare_gives_the_quiet_tenants_their_own_verdict() {
    let out = tmp("fairness");
    let a = out.join("global.toml");
    let b = out.join("hierarchy.toml");
    std::fs::write(&a, fairness(false)).unwrap();
    std::fs::write(&b, fairness(true)).unwrap();
    let (a, b) = (a.to_str().unwrap(), b.to_str().unwrap());
    let text = throttlelab(
        &[
            "compare",
            a,
            b,
            "--seeds",
            "3",
            "--no-report",
            "--no-timeseries",
        ],
        &out,
    );
    let line = |figure: &str| {
        text.lines()
            .find(|l| l.split_whitespace().next() == Some(figure))
            .unwrap_or_else(|| panic!("no {figure} row:\n{text}"))
    };
    let change = |l: &str| -> f64 {
        let c = l.split_whitespace().find(|c| c.ends_with('%')).unwrap();
        c.trim_end_matches('%').parse().unwrap()
    };
    for tenant in ["tenant/quiet-0:goodput_rps", "quiet:goodput_rps"] {
        let l = line(tenant);
        assert!(l.contains("* B better"), "{l}\n{text}");
        assert!(change(l) > 100.0, "{l}");
    }
    assert!(line("noisy:goodput_rps").contains("B worse"), "{text}");
    // the total barely moves: its row is right above the scoped ones
    let total = line("goodput_rps");
    assert!(change(total).abs() < 5.0, "{total}");
    let at = |f: &str| text.find(&format!("\n{f} ")).unwrap();
    assert!(at("goodput_rps") < at("quiet:goodput_rps"));
    assert!(at("quiet:goodput_rps") < at("tenant/quiet-0:goodput_rps"));
    // each tenant's 429s (the global limit rejects the quiet tenants ~330 times a run, the
    // hierarchy a few) and its p99, beside the fleet's
    let quiet_429 = line("tenant/quiet-0:rejected_429");
    assert!(quiet_429.contains("* B better"), "{quiet_429}\n{text}");
    assert!(change(quiet_429) < -80.0, "{quiet_429}");
    line("tenant/noisy-0:rejected_429");
    // No service time: every tenant's p99 is 0 in every run (its exact latency bin; it read
    // 0.0005 ms, a bin's midpoint, before), so the row is left out like any all-zero figure.
    assert!(
        !text.contains("tenant/quiet-0:latency_p99_ms"),
        "a tenant's zero latency is zero\n{text}"
    );

    // two run directories, figure by figure: a row per tenant too
    for f in [a, b] {
        throttlelab(&["run", f, "--quiet"], &out);
    }
    let dir_a = only_dir(&out.join("global"));
    let dir_b = only_dir(&out.join("hierarchy"));
    let cmp = out.join("cmp");
    throttlelab(
        &[
            "compare",
            dir_a.to_str().unwrap(),
            dir_b.to_str().unwrap(),
            "--quiet",
        ],
        &cmp,
    );
    let csv = std::fs::read_to_string(only_dir(&cmp).join("comparison.csv")).unwrap();
    let row = csv
        .lines()
        .find(|l| l.contains(",tenant quiet-0,goodput /s,"))
        .unwrap_or_else(|| panic!("no tenant row:\n{csv}"));
    let rel: f64 = row.split(',').nth(7).unwrap().parse().unwrap();
    assert!(rel > 1.0, "more than doubled: {row}");
    let row = csv
        .lines()
        .find(|l| l.contains(",tenant quiet-0,rejected 429,"))
        .unwrap_or_else(|| panic!("no tenant 429 row:\n{csv}"));
    let (a429, b429): (f64, f64) = (
        row.split(',').nth(5).unwrap().parse().unwrap(),
        row.split(',').nth(6).unwrap().parse().unwrap(),
    );
    assert!(a429 > 100.0 && b429 < a429 / 5.0, "{row}");
    assert!(csv.contains(",tenant quiet-0,latency p99 ms,"), "{csv}");
    // figure by figure, as `compare A.toml B.toml`: each figure's total, fleet and tenant
    // rows together
    let goodput: Vec<&str> = csv
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(4).unwrap())
        .skip_while(|f| *f != "goodput /s")
        .take_while(|f| *f == "goodput /s")
        .collect();
    assert_eq!(
        goodput.len(),
        1 + 2 + 4,
        "total, 2 fleets, 4 tenants:\n{csv}"
    );
}

#[test]
fn fairness_sweep_draws_a_line_per_tenant() {
    let out = tmp("fairness-sweep");
    throttlelab(
        &[
            "sweep",
            "scenarios/experiments/fairness.toml",
            "--seeds",
            "1",
        ],
        &out,
    );
    let dir = only_dir(&out.join("fairness"));
    let svg = std::fs::read_to_string(dir.join("charts/sweep_tenants_goodput_rps.svg"))
        .expect("a per-tenant goodput chart");
    for t in ["noisy-0", "quiet-0", "quiet-1", "quiet-2"] {
        assert!(svg.contains(&format!("tenant {t}")), "no line for {t}");
    }
    assert!(dir.join("charts/sweep_tenants_success_ratio.svg").is_file());
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    assert!(
        html.contains("sweep_tenants_goodput_rps"),
        "the report shows it"
    );
}
