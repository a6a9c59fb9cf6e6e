//! Rebuild the binary when a shipped scenario changes: `src/cli/embedded.rs` embeds
//! `scenarios/` with `include_dir!`, which stable rustc cannot track by itself.

fn main() {
    println!("cargo:rerun-if-changed=scenarios");
    println!("cargo:rerun-if-changed=build.rs");
}
