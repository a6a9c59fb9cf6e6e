//! The examples in `scenarios/README.md` stay valid: every complete ```toml block (one with a
//! `name`) loads, and the limiter snippets load inside a minimal scenario.

use sim::scenario::load_str;

fn toml_blocks() -> Vec<String> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios/README.md");
    let text = std::fs::read_to_string(path).unwrap();
    text.split("```toml\n")
        .skip(1)
        .map(|b| b.split("```").next().unwrap().to_string())
        .collect()
}

#[test]
fn readme_examples_load() {
    let blocks = toml_blocks();
    assert!(blocks.len() >= 2);
    for b in blocks {
        let text = if b.contains("name = ") {
            b
        } else {
            format!(
                "name = \"snippet\"\nduration = \"1m\"\n{b}\n[fleet.web]\ncount = 1\narrival = {{ process = \"poisson\", rate = \"1/s\" }}\n"
            )
        };
        if let Err(e) = load_str("README.md", &text) {
            panic!("{e}\n---\n{text}");
        }
    }
}
