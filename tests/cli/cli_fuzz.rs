//! A short CLI-level fuzz (issue #14), part of every `cargo test`: shipped scenarios with one
//! value replaced by a hostile token, or a range deleted, go through `validate` and
//! `sweep --dry-run` (whose `[sweep]` table has its own parser). Every exit code is 0 or 2, never
//! 1 (a run failure) or 101 (a panic), and every refusal of the file's text names the file with
//! a line and column. Mutations come from a fixed-seed generator: the same cases every run.

use std::path::{Path, PathBuf};
use std::process::Command;

const TOKENS: &[&str] = &[
    "0",
    "-1",
    "1e400",
    "nan",
    "18446744073709551616",
    "\"0/s\"",
    "\"10000000000/s\"",
    "\"0s\"",
    "\"1ns\"",
    "\"99999999999999999999d\"",
    "\"\"",
    "true",
    "[1, 2]",
    "{ process = \"closed\" }",
    "{ dist = \"constant\", value = \"0s\" }",
    "{ policy = \"immediate\", max_attempts = 0 }",
    "10000000",
    "4294967295",
    "[\"a\", \"a\"]",
];

/// xorshift64*: a fixed sequence, no dependency.
struct Gen(u64);
impl Gen {
    fn next(&mut self, n: usize) -> usize {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 33) as usize % n.max(1)
    }
}

fn shipped() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut v: Vec<PathBuf> = ["", "seeds", "experiments"]
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

fn mutate(text: &str, g: &mut Gen) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let assigns: Vec<usize> = (0..lines.len())
        .filter(|&i| lines[i].contains(" = "))
        .collect();
    for _ in 0..1 + g.next(2) {
        if g.next(4) == 0 {
            let i = g.next(lines.len());
            lines.remove(i);
        } else if !assigns.is_empty() {
            let i = assigns[g.next(assigns.len())].min(lines.len() - 1);
            if let Some((key, _)) = lines[i].clone().split_once(" = ") {
                lines[i] = format!("{key} = {}", TOKENS[g.next(TOKENS.len())]);
            }
        }
    }
    lines.join("\n") + "\n"
}

#[test]
fn mutated_scenarios_exit_0_or_2_with_a_location() {
    let dir = std::env::temp_dir().join(format!("cli-fuzz-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("fuzz.toml");
    let out = dir.join("out").display().to_string();
    let files = shipped();
    let mut g = Gen(0x9E37_79B9_7F4A_7C15);
    let mut refused = 0;
    for case in 0..120 {
        let text = mutate(&files[g.next(files.len())], &mut g);
        std::fs::write(&file, &text).unwrap();
        let f = file.display().to_string();
        for args in [
            vec!["validate", &f],
            vec!["sweep", &f, "--dry-run", "--out", &out],
        ] {
            let o = Command::new(env!("CARGO_BIN_EXE_throttlelab"))
                .args(&args)
                .output()
                .unwrap();
            let err = String::from_utf8_lossy(&o.stderr);
            let code = o.status.code();
            assert!(
                matches!(code, Some(0 | 2)),
                "case {case}: {args:?} exited {code:?}\n{err}\n--- file:\n{text}"
            );
            if code == Some(2) && args[0] == "validate" {
                refused += 1;
                let at = format!("{f}:");
                let located = err
                    .match_indices(&at)
                    .any(|(i, _)| err[i + at.len()..].starts_with(|c: char| c.is_ascii_digit()));
                let memory = err.contains("--max-memory");
                assert!(
                    located || memory,
                    "case {case}: no file:line:col\n{err}\n--- file:\n{text}"
                );
            }
        }
    }
    assert!(
        refused > 10,
        "the mutations were too gentle: {refused} refused"
    );
    std::fs::remove_dir_all(dir).unwrap();
}
