//! `throttlelab scenarios list|show NAME|copy NAME [DEST]`: the shipped scenarios embedded in
//! the binary ([`super::embedded`]). `list` names them with their description, `show` prints
//! one, `copy` writes one (or, with `--all`, every shipped file) to disk to edit; a file on
//! disk then wins over the embedded one of the same name.

use super::embedded::{self, Shipped};
use super::CliError;
use anyhow::{anyhow, Context};
use clap::{Args, Subcommand};
use std::path::{Path, PathBuf};

/// Arguments of `scenarios`.
#[derive(Debug, Args)]
pub struct ScenariosArgs {
    #[command(subcommand)]
    pub action: Action,
}

/// What to do with the shipped scenarios.
#[derive(Debug, Subcommand)]
pub enum Action {
    /// Name every shipped scenario with its description (`run NAME` runs one from anywhere).
    List {
        /// Also list `bad/`: files wrong on purpose, one mistake each, to see the errors.
        #[arg(long)]
        bad: bool,
    },
    /// Print a shipped scenario's text (such as `retry-storm` or `seeds/000-armox`).
    Show {
        /// The scenario's name, as `scenarios list` prints it.
        name: String,
    },
    /// Write a shipped scenario to a file to edit (DEST: a file or a folder; default: here).
    Copy {
        /// The scenario's name, as `scenarios list` prints it (not with --all).
        #[arg(required_unless_present = "all")]
        name: Option<String>,
        /// Where to write: a file, or an existing folder (default: the current folder; with
        /// --all, `scenarios`).
        dest: Option<PathBuf>,
        /// Copy every shipped file (scenarios, `bad/` examples, the format's README) into DEST.
        #[arg(long)]
        all: bool,
        /// Overwrite files that exist.
        #[arg(long)]
        force: bool,
    },
}

/// Run the action.
pub fn run(args: ScenariosArgs) -> Result<(), CliError> {
    match args.action {
        Action::List { bad } => super::write_stdout(&listing(bad)),
        Action::Show { name } => super::write_stdout(find(&name)?.text),
        Action::Copy {
            name,
            dest,
            all,
            force,
        } => {
            let written = match (all, name, dest) {
                // `copy --all DIR`: the one positional is the folder
                (true, Some(d), None) => copy_all(Path::new(&d), force)?,
                (true, None, Some(d)) => copy_all(&d, force)?,
                (true, None, None) => copy_all(Path::new("scenarios"), force)?,
                (true, Some(n), Some(_)) => {
                    return Err(CliError::BadInput(anyhow!(
                        "scenarios copy --all copies every file: give a folder, not the name `{n}`"
                    )))
                }
                (false, Some(n), dest) => vec![copy_one(&find(&n)?, dest.as_deref(), force)?],
                (false, None, _) => {
                    return Err(CliError::BadInput(anyhow!(
                        "scenarios copy: name a scenario, or give --all"
                    )))
                }
            };
            let lines: String = written
                .iter()
                .map(|p| format!("wrote {}\n", p.display()))
                .collect();
            super::write_stdout(&lines)
        }
    }
}

fn find(name: &str) -> Result<Shipped, CliError> {
    embedded::find(name).ok_or_else(|| {
        CliError::BadInput(anyhow!(
            "no shipped scenario `{name}`: `throttlelab scenarios list` names them"
        ))
    })
}

/// The table `list` prints: name and description, aligned.
fn listing(with_bad: bool) -> String {
    let rows: Vec<(&str, String)> = embedded::scenarios()
        .into_iter()
        .filter(|s| with_bad || !s.is_bad_example())
        .map(|s| (s.name(), describe(&s)))
        .collect();
    let width = rows.iter().map(|(n, _)| n.len()).max().unwrap_or(0);
    let mut out = String::new();
    for (name, what) in &rows {
        out.push_str(&format!("{name:<width$}  {what}\n"));
    }
    out.push_str(
        "\n`throttlelab run NAME` runs one from any folder (a file of that name wins); \
         `scenarios show NAME` prints it, `scenarios copy NAME` writes it here to edit.\n",
    );
    if !with_bad {
        out.push_str("`scenarios list --bad` adds the files that are wrong on purpose.\n");
    }
    out
}

/// A scenario's `description`, else its first comment line; `bad/` files say so.
fn describe(s: &Shipped) -> String {
    let first_comment = || {
        s.text
            .lines()
            .find_map(|l| l.strip_prefix('#').map(str::trim))
            .unwrap_or("")
            .to_owned()
    };
    if s.is_bad_example() {
        return format!("(wrong on purpose) {}", first_comment());
    }
    s.text
        .parse::<toml_edit::DocumentMut>()
        .ok()
        .and_then(|d| d.get("description")?.as_str().map(str::to_owned))
        .unwrap_or_else(first_comment)
}

fn base_name(s: &Shipped) -> &'static str {
    s.path.rsplit('/').next().unwrap_or(s.path)
}

fn refuse_existing(path: &Path, force: bool) -> Result<(), CliError> {
    if path.exists() && !force {
        return Err(CliError::BadInput(anyhow!(
            "{} exists: give another DEST, or --force to overwrite it",
            path.display()
        )));
    }
    Ok(())
}

fn copy_one(s: &Shipped, dest: Option<&Path>, force: bool) -> Result<PathBuf, CliError> {
    let path = match dest {
        None => PathBuf::from(base_name(s)),
        Some(d) if d.is_dir() => d.join(base_name(s)),
        Some(d) => d.to_path_buf(),
    };
    refuse_existing(&path, force)?;
    std::fs::write(&path, s.text).with_context(|| format!("writing {}", path.display()))?;
    Ok(path)
}

fn copy_all(dest: &Path, force: bool) -> Result<Vec<PathBuf>, CliError> {
    let files = embedded::all();
    let targets: Vec<PathBuf> = files.iter().map(|s| dest.join(s.path)).collect();
    for t in &targets {
        refuse_existing(t, force)?;
    }
    for (s, t) in files.iter().zip(&targets) {
        if let Some(parent) = t.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("creating {}", parent.display()))?;
        }
        std::fs::write(t, s.text).with_context(|| format!("writing {}", t.display()))?;
    }
    Ok(targets)
}
