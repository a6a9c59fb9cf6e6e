//! Sweep planning against real scenario text: declarations in the file, command-line
//! parameters, the errors a user sees for bad paths and values, seeds and shards.

use sim::sweep::{Param, Plan, Shard, SweepArgs, SweepError};

const BASE: &str = r#"name = "plan-test"
seed = 7
duration = "20s"

[sweep]
seeds = 3
[sweep.params]
"fleet.web.retry.jitter" = ["none", "full"]

[[server.limiters]]
scope = "key"
algorithm = "token_bucket"
rate = "10/s"
burst = 20

[fleet.web]
count = 10
arrival = { process = "poisson", rate = "1/s" }
timeout = "5s"
[fleet.web.retry]
policy = "exponential"
jitter = "full"
"#;

fn args(params: &[&str]) -> SweepArgs {
    SweepArgs {
        params: params
            .iter()
            .map(|p| Param::parse_arg(p).unwrap())
            .collect(),
        ..SweepArgs::default()
    }
}

#[test]
fn file_declaration_and_command_line_make_a_product() {
    let plan = Plan::from_text("f.toml", BASE, &args(&["fleet.web.count=10..30:10"])).unwrap();
    assert_eq!(plan.paths(), ["fleet.web.retry.jitter", "fleet.web.count"]);
    assert_eq!(plan.points.len(), 6);
    assert_eq!(plan.seeds, [7, 8, 9]);
    assert_eq!(plan.jobs().len(), 18);
    assert_eq!(
        plan.label(4),
        "fleet.web.retry.jitter=full, fleet.web.count=20"
    );
    assert_eq!(plan.points[4].scenario.fleets[0].count, 20);
    assert_eq!(plan.points[0].scenario.fleets[0].count, 10);
    assert_ne!(
        plan.points[0].scenario.fleets[0].retry,
        plan.points[3].scenario.fleets[0].retry
    );
}

#[test]
fn command_line_replaces_the_file_and_sets_seeds() {
    let a = SweepArgs {
        seeds: Some(2),
        first_seed: Some(100),
        ..args(&["fleet.web.retry.jitter=equal,decorrelated,none"])
    };
    let plan = Plan::from_text("f.toml", BASE, &a).unwrap();
    assert_eq!(plan.points.len(), 3);
    assert_eq!(plan.seeds, [100, 101]);
}

#[test]
fn hash_changes_with_params_and_seeds_only_when_they_change() {
    let p1 = Plan::from_text("f.toml", BASE, &args(&[])).unwrap();
    let p2 = Plan::from_text("other/name.toml", BASE, &args(&[])).unwrap();
    assert_eq!(p1.hash, p2.hash, "the file's name is not part of the sweep");
    let p3 = Plan::from_text(
        "f.toml",
        BASE,
        &SweepArgs {
            seeds: Some(4),
            ..args(&[])
        },
    )
    .unwrap();
    assert_ne!(p1.hash, p3.hash);
    let p4 = Plan::from_text("f.toml", BASE, &args(&["fleet.web.count=5"])).unwrap();
    assert_ne!(p1.hash, p4.hash);
}

#[test]
fn unknown_path_names_it_and_lists_valid_ones() {
    let e = Plan::from_text("f.toml", BASE, &args(&["fleet.web.cuont=5"])).unwrap_err();
    let msg = e.to_string();
    assert!(matches!(e, SweepError::Path { .. }), "{msg}");
    assert!(msg.contains("fleet.web.cuont"), "{msg}");
    assert!(msg.contains("settings in this scenario:"), "{msg}");
    assert!(msg.contains("fleet.web.count"), "{msg}");
    assert!(msg.contains("server.limiters.0.rate"), "{msg}");
    assert!(
        !msg.contains("f.toml:"),
        "no file position for a path that came from the sweep: {msg}"
    );

    let e = Plan::from_text("f.toml", BASE, &args(&["fleet.api.count=5"])).unwrap_err();
    assert!(
        e.to_string().starts_with("parameter `fleet.api.count`"),
        "{e}"
    );
    let e = Plan::from_text("f.toml", BASE, &args(&["server.limiters.2.rate=5/s"])).unwrap_err();
    assert!(e.to_string().contains("index 2 is out of range"), "{e}");
}

#[test]
fn a_missing_optional_setting_can_be_swept() {
    let plan =
        Plan::from_text("f.toml", BASE, &args(&["fleet.web.retry.max_attempts=2,6"])).unwrap();
    assert_eq!(plan.points.len(), 4);
}

#[test]
fn bad_values_give_file_less_messages() {
    let e = Plan::from_text(
        "f.toml",
        BASE,
        &args(&["fleet.web.retry.jitter=none,partial"]),
    )
    .unwrap_err();
    let msg = e.to_string();
    assert!(matches!(e, SweepError::Value { .. }), "{msg}");
    assert!(msg.starts_with("fleet.web.retry.jitter=partial: "), "{msg}");
    assert!(!msg.contains(".toml:"), "{msg}");
    assert!(!msg.contains(" | "), "no source excerpt: {msg}");

    let e = Plan::from_text("f.toml", BASE, &args(&["fleet.web.count=0"])).unwrap_err();
    assert!(e.to_string().starts_with("fleet.web.count=0: "), "{e}");
    assert!(e.to_string().contains("at least 1"), "{e}");
    let e = Plan::from_text("f.toml", BASE, &args(&["fleet.web.count=many"])).unwrap_err();
    assert!(e.to_string().starts_with("fleet.web.count=many: "), "{e}");
}

#[test]
fn base_file_errors_keep_their_line_despite_the_sweep_table() {
    let broken = BASE.replace("count = 10", "count = -3");
    let e = Plan::from_text("f.toml", &broken, &args(&[])).unwrap_err();
    let msg = e.to_string();
    let line = BASE.lines().position(|l| l == "count = 10").unwrap() + 1;
    assert!(msg.starts_with(&format!("f.toml:{line}:")), "{msg}");
}

#[test]
fn sweep_table_errors_point_into_the_file() {
    let broken = BASE.replace("seeds = 3", "seeds = \"many\"");
    let e = Plan::from_text("f.toml", &broken, &args(&[])).unwrap_err();
    assert!(matches!(e, SweepError::Declaration(_)), "{e}");
    assert!(e.to_string().starts_with("f.toml:6:9: `seeds`"), "{e}");
}

#[test]
fn shards_cover_the_plan() {
    let plan = Plan::from_text("f.toml", BASE, &args(&["fleet.web.count=10..50:10"])).unwrap();
    let all = plan.jobs();
    let mut union: Vec<usize> = (1..=4u32)
        .flat_map(|i| plan.shard_jobs(Shard { index: i, count: 4 }))
        .map(|j| j.index)
        .collect();
    union.sort_unstable();
    assert_eq!(union, (0..all.len()).collect::<Vec<_>>());
    assert_eq!(all[4].point, 1);
    assert_eq!(all[4].seed, 8);
}

#[test]
fn a_file_without_a_sweep_table_sweeps_too() {
    let plain = BASE.replace(
        "[sweep]\nseeds = 3\n[sweep.params]\n\"fleet.web.retry.jitter\" = [\"none\", \"full\"]\n",
        "",
    );
    let plan = Plan::from_text("f.toml", &plain, &args(&[])).unwrap();
    assert_eq!(plan.points.len(), 1);
    assert_eq!(plan.seeds.len(), sim::sweep::DEFAULT_SEEDS as usize);
}

#[test]
fn the_scenario_loader_checks_and_ignores_the_sweep_table() {
    let s = sim::scenario::load_str("f.toml", BASE).unwrap();
    assert_eq!(s.fleets[0].count, 10);
    let broken = BASE.replace("seeds = 3", "seeds = 0");
    let e = sim::scenario::load_str("f.toml", &broken).unwrap_err();
    assert!(e.to_string().starts_with("f.toml:6:9: `seeds`"), "{e}");
}
