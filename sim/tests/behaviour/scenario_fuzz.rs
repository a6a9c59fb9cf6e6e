//! Fuzz-style properties: no text, however broken, panics the scenario loader. Inputs are
//! arbitrary strings and mutations of the shipped scenarios (deleted ranges, inserted TOML
//! tokens, values replaced by hostile ones: zero, negative, huge, NaN, wrong types).

use proptest::prelude::*;
use sim::scenario::{load_str, ScenarioError};

fn shipped() -> Vec<String> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios");
    let mut v: Vec<_> = ["", "seeds", "experiments"]
        .iter()
        .filter_map(|sub| std::fs::read_dir(root.join(sub)).ok())
        .flatten()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    v.sort();
    v.iter()
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect()
}

const TOKENS: &[&str] = &[
    "=",
    "\"",
    "[",
    "]",
    "{",
    "}",
    ",",
    "\n",
    "#",
    "0",
    "-1",
    "1e400",
    "nan",
    "inf",
    "-inf",
    "9223372036854775807",
    "-9223372036854775808",
    "18446744073709551616",
    "\"0/s\"",
    "\"1/0s\"",
    "\"-5s\"",
    "\"0s\"",
    "\"99999999999999999999d\"",
    "\"1.5.2ms\"",
    "\"µs\"",
    "true",
    "[1, 2]",
    "{ dist = \"x\" }",
    "\"per-client\"",
    "0.0000001",
    "\"\"",
    "é",
    "\t",
    "[[faults]]\nkind = \"outage\"\nstart = \"0s\"\nduration = \"1ns\"\n",
    "[fleet.x]\ncount = 4294967296\n",
    "[server.backend]\nworkers = 0\n",
    // issue #14: what cannot advance simulated time, or asks for more memory than there is
    "{ process = \"closed\" }",
    "{ process = \"closed\", concurrency = 1000000 }",
    "\"10000000000/s\"",
    "\"1000000000/s\"",
    "{ process = \"poisson\", rate = \"99999999999/ms\" }",
    "{ dist = \"constant\", value = \"0s\" }",
    "\"1ns\"",
    "10000000",
    "[network]\ndelay = { dist = \"constant\", value = \"0s\" }\n",
];

fn check(text: &str) {
    match load_str("fuzz.toml", text) {
        Ok(s) => {
            assert!(!s.fleets.is_empty() && !s.duration.is_zero());
            // The estimate never overflows, and what loads can advance time.
            assert!(s.memory_estimate().bytes >= s.memory_estimate().client_bytes);
        }
        Err(e @ (ScenarioError::At(_) | ScenarioError::Several(_))) => {
            for at in e.problems() {
                assert!(at.line >= 1 && at.col >= 1);
                assert!(at.to_string().starts_with("fuzz.toml:"));
            }
            assert!(e.to_string().starts_with("fuzz.toml:"));
        }
        Err(e) => panic!("unexpected error kind: {e}"),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,300}") {
        check(&text);
    }

    #[test]
    fn mutated_scenarios_never_panic(
        which in 0usize..16,
        edits in prop::collection::vec((0usize..100_000, 0usize..40, 0usize..TOKENS.len(), any::<bool>()), 1..6),
    ) {
        let files = shipped();
        let mut text = files[which % files.len()].clone();
        for (pos, len, tok, delete) in edits {
            let mut at = pos % (text.len() + 1);
            while !text.is_char_boundary(at) { at -= 1; }
            if delete {
                let mut end = (at + len).min(text.len());
                while !text.is_char_boundary(end) { end -= 1; }
                text.replace_range(at..end, "");
            } else {
                text.insert_str(at, TOKENS[tok]);
            }
        }
        check(&text);
    }

    #[test]
    fn hostile_values_never_panic(which in 0usize..16, nth in 0usize..200, tok in 0usize..TOKENS.len()) {
        let files = shipped();
        let text = &files[which % files.len()];
        // Replace the value of the nth `key = value` line.
        let lines: Vec<&str> = text.lines().collect();
        let assigns: Vec<usize> = (0..lines.len()).filter(|&i| lines[i].contains(" = ")).collect();
        let i = assigns[nth % assigns.len()];
        let (key, _) = lines[i].split_once(" = ").unwrap();
        let mut out: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
        out[i] = format!("{key} = {}", TOKENS[tok]);
        check(&out.join("\n"));
    }
}

/// Shrink an accepted scenario to a short, small run (a few hundred ms of simulated time, at most
/// 50 clients a fleet, no faults); `None` when the shrunk model is not valid on its own.
fn shrunk(mut s: sim::model::Scenario) -> Option<sim::model::Scenario> {
    use limiters::Nanos;
    s.duration = s.duration.min(Nanos::from_millis(300));
    s.bucket = s.bucket.min(s.duration);
    s.faults.clear();
    for f in &mut s.fleets {
        f.count = f.count.min(50);
        f.trigger = false;
    }
    s.validate(&limiters::Registry::builtin()).ok()?;
    // What the commands refuse at load (their --max-memory default) is not run: a mutation to
    // `concurrency = 1000000` once ran 50 million closed-loop workers here, into the gigabytes.
    s.memory_estimate()
        .within(sim::memory::DEFAULT_MAX_MEMORY)
        .ok()
        .map(|()| s)
}

proptest! {
    // Each case simulates: fewer cases than the loader-only properties.
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// What loads also runs: a run of an accepted scenario never fails (that would be exit code
    /// 1 for bad input, and no file:line) and never stalls.
    #[test]
    fn accepted_mutations_run_without_error(which in 0usize..64, nth in 0usize..200, tok in 0usize..TOKENS.len()) {
        let files = shipped();
        let text = &files[which % files.len()];
        let lines: Vec<&str> = text.lines().collect();
        let assigns: Vec<usize> = (0..lines.len()).filter(|&i| lines[i].contains(" = ")).collect();
        let i = assigns[nth % assigns.len()];
        let (key, _) = lines[i].split_once(" = ").unwrap();
        let mut out: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
        out[i] = format!("{key} = {}", TOKENS[tok]);
        let Ok(s) = load_str("fuzz.toml", &out.join("\n")) else { return Ok(()) };
        if let Some(s) = shrunk(s) {
            if let Err(e) = sim::run(&s, 1) {
                panic!("accepted but failed to run: {e}\n{}", out[i]);
            }
        }
    }
}
