//! `[[server.limiters]] from = "nginx.conf"`: a level written in a gateway's own language.
//!
//! The simulator does not read gateway configurations itself (the `gateways` crate sits above
//! it, so the dependency points one way): the program that loads scenarios installs a
//! [`LevelSource`] once at start, and validation asks it for the tables a `from` file stands
//! for. Relative paths are taken from the scenario file's folder. A problem in the gateway
//! file is reported at the `from` value *and* at the gateway file's own line and column.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// Reads a gateway configuration into `[[server.limiters]]` tables.
pub trait LevelSource: Send + Sync {
    /// The level tables of the gateway file at `path`, outermost first, or a message that
    /// names the gateway file's line and column.
    fn levels(&self, path: &Path) -> Result<Vec<toml::Table>, String>;
}

static SOURCE: OnceLock<Box<dyn LevelSource>> = OnceLock::new();

/// Install the reader of `from` files for this process. The first call wins; later calls
/// return `false` and change nothing.
pub fn install_level_source(source: Box<dyn LevelSource>) -> bool {
    SOURCE.set(source).is_ok()
}

/// The tables `from` (as written in the scenario `scenario_file`) stands for.
pub(crate) fn resolve(scenario_file: &str, from: &str) -> Result<Vec<toml::Table>, String> {
    let source = SOURCE.get().ok_or_else(|| {
        "`from` needs a gateway reader, which only the throttlelab program installs".to_string()
    })?;
    source.levels(&relative_to(scenario_file, from))
}

/// `from` taken from the folder of `scenario_file` unless it is absolute.
///
/// ```
/// # use std::path::Path;
/// // (the function is internal; its rule:)
/// let base = Path::new("examples/gateways/nginx.toml").parent().unwrap();
/// assert_eq!(base.join("nginx.conf"), Path::new("examples/gateways/nginx.conf"));
/// ```
fn relative_to(scenario_file: &str, from: &str) -> PathBuf {
    let from = Path::new(from);
    if from.is_absolute() {
        return from.to_path_buf();
    }
    match Path::new(scenario_file).parent() {
        Some(dir) => dir.join(from),
        None => from.to_path_buf(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_start_at_the_scenario_folder() {
        assert_eq!(relative_to("a/b.toml", "n.conf"), PathBuf::from("a/n.conf"));
        assert_eq!(relative_to("b.toml", "n.conf"), PathBuf::from("n.conf"));
        assert_eq!(
            relative_to("a/b.toml", "/x/n.conf"),
            PathBuf::from("/x/n.conf")
        );
    }

    #[test]
    fn from_without_a_reader_is_an_error_at_its_line() {
        // the simulator's own tests install no reader: `from` must say so, not panic or skip
        let text = "name = \"s\"\nduration = \"1s\"\n[[server.limiters]]\nfrom = \"n.conf\"\n\
                    [fleet.a]\ncount = 1\narrival = { process = \"poisson\", rate = \"1/s\" }\n";
        let e = crate::scenario::load_str("s.toml", text)
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("s.toml:4:8: from \"n.conf\": `from` needs a gateway reader"),
            "{e}"
        );
        let e = crate::scenario::load_str("s.toml", &text.replace("\"n.conf\"", "3"))
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("s.toml:4:8: `from` must be a string"), "{e}");
    }
}
