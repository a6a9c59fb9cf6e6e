//! Scenario variants the demo writes beside its outputs (`<out>/demo-scenarios/*.toml`) and
//! then runs like any scenario file: the retry-storm fleet once per jitter strategy in one
//! run, one file per point of a `[sweep]` (a run report per point), and `--quick`'s shorter
//! horizons.
//!
//! Why files, not in-memory scenarios: the demo drives the ordinary subcommands through their
//! command lines, so every step is one a reader can repeat (`throttlelab run <file>`), and the
//! report of each run carries the exact text that produced it. Edits go through `toml_edit`,
//! so the comments and layout of the original survive; every variant is loaded (validated)
//! before it is written.

use anyhow::{anyhow, bail, Context, Result};
use toml_edit::{value, ArrayOfTables, DocumentMut, Item, Value};

/// The jitter strategies of `exponential` backoff (Brooker, "Exponential Backoff and Jitter",
/// AWS Architecture Blog, 2015), in the order the demo shows them.
pub const JITTERS: [&str; 4] = ["none", "full", "equal", "decorrelated"];

/// Parse scenario text (its `[sweep]` table blanked out) for editing.
fn parse(text: &str) -> Result<DocumentMut> {
    sim::sweep::without_sweep(text)
        .parse::<DocumentMut>()
        .context("parsing the scenario")
}

/// Load `doc` as a scenario: the variant must be a valid file before it is written. Lines
/// left blank by the removed `[sweep]` table lose their spaces, and the file ends in one newline.
fn checked(doc: &DocumentMut) -> Result<String> {
    let raw = doc.to_string();
    let lines: Vec<&str> = raw
        .lines()
        .map(|l| if l.trim().is_empty() { "" } else { l })
        .collect();
    let text = format!("{}\n", lines.join("\n").trim_end());
    sim::scenario::load_str("variant", &text).map_err(|e| anyhow!("{e}"))?;
    Ok(text)
}

/// The retry-storm scenario with fleet `template` copied once per jitter strategy (each copy
/// named after its strategy, in its own tenant as in the original) and every other fleet
/// removed: one run whose charts put the four strategies side by side.
pub fn jitter_fleets(text: &str, template: &str, name: &str) -> Result<String> {
    let mut doc = parse(text)?;
    let fleets = doc
        .get_mut("fleet")
        .and_then(Item::as_table_like_mut)
        .ok_or_else(|| anyhow!("the scenario has no [fleet] table"))?;
    let base = fleets
        .get(template)
        .cloned()
        .ok_or_else(|| anyhow!("the scenario has no fleet `{template}`"))?;
    if base.get("retry").and_then(|r| r.get("jitter")).is_none() {
        bail!("fleet `{template}` has no retry.jitter to vary");
    }
    let others: Vec<String> = fleets.iter().map(|(k, _)| k.to_string()).collect();
    for k in others {
        fleets.remove(&k);
    }
    for j in JITTERS {
        let mut fleet = base.clone();
        fleet["retry"]["jitter"] = value(j);
        fleets.insert(j, fleet);
    }
    doc["name"] = value(name);
    doc["description"] = value(format!(
        "fleet `{template}` of the retry storm, once per jitter strategy: {}",
        JITTERS.join(", ")
    ));
    checked(&doc)
}

/// One file per value of the `[sweep.params]` entry `path` of `text` (a whole-table value such
/// as `"server.limiters"`), named `<name_prefix>-<label>`, with the label of each value from
/// `label`. Returns `(label, text)` pairs in the declaration's order.
pub fn sweep_points(
    text: &str,
    path: &str,
    name_prefix: &str,
    label: impl Fn(&Value) -> String,
) -> Result<Vec<(String, String)>> {
    let full: DocumentMut = text.parse().context("parsing the scenario")?;
    let values = full
        .get("sweep")
        .and_then(|s| s.get("params"))
        .and_then(|p| p.get(path))
        .and_then(Item::as_array)
        .ok_or_else(|| anyhow!("the scenario declares no [sweep.params] \"{path}\" list"))?;
    let base = parse(text)?;
    let mut out = Vec::new();
    for v in values.iter() {
        let mut doc = base.clone();
        set_path(&mut doc, path, v)?;
        let l = label(v);
        doc["name"] = value(format!("{name_prefix}-{l}"));
        out.push((l, checked(&doc)?));
    }
    Ok(out)
}

/// Set the dotted `path` (table keys only) of `doc` to `v`; an array of inline tables becomes
/// an array of tables (`[[server.limiters]]`).
fn set_path(doc: &mut DocumentMut, path: &str, v: &Value) -> Result<()> {
    let segs: Vec<&str> = path.split('.').collect();
    let (last, parents) = segs
        .split_last()
        .ok_or_else(|| anyhow!("empty parameter path"))?;
    let mut table = doc.as_table_mut() as &mut dyn toml_edit::TableLike;
    for seg in parents {
        table = table
            .get_mut(seg)
            .and_then(Item::as_table_like_mut)
            .ok_or_else(|| anyhow!("`{path}`: no table `{seg}`"))?;
    }
    let item = match v.as_array() {
        Some(a) if !a.is_empty() && a.iter().all(|x| x.as_inline_table().is_some()) => {
            let mut aot = ArrayOfTables::new();
            for x in a.iter().filter_map(Value::as_inline_table) {
                aot.push(x.clone().into_table());
            }
            Item::ArrayOfTables(aot)
        }
        _ => Item::Value(v.clone()),
    };
    table.insert(last, item);
    Ok(())
}

/// A label for a list of limiter levels: their scopes joined by `-and-` (`tenant-and-global`).
pub fn scopes_label(v: &Value) -> String {
    let scopes: Vec<&str> = v
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|t| t.as_inline_table()?.get("scope")?.as_str())
                .collect()
        })
        .unwrap_or_default();
    if scopes.is_empty() {
        "point".to_owned()
    } else {
        scopes.join("-and-")
    }
}

/// `text` with its horizon cut to `duration` when that is shorter and the scenario is still
/// valid so (a fault that must end inside the run keeps the original); `None`: unchanged.
pub fn shortened(text: &str, duration: &str) -> Result<Option<String>> {
    let original = sim::scenario::load_str("scenario", &sim::sweep::without_sweep(text))
        .map_err(|e| anyhow!("{e}"))?;
    let mut doc = parse(text)?;
    doc["duration"] = value(duration);
    match checked(&doc) {
        Ok(short) => {
            let s = sim::scenario::load_str("variant", &short).map_err(|e| anyhow!("{e}"))?;
            Ok((s.duration < original.duration).then_some(short))
        }
        Err(_) => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const STORM: &str = include_str!("../../../scenarios/retry-storm.toml");
    const FAIRNESS: &str = include_str!("../../../scenarios/experiments/fairness.toml");

    #[test]
    fn jitter_fleets_are_the_template_once_per_strategy() {
        let text = jitter_fleets(STORM, "jitter", "jitter-strategies").unwrap();
        let s = sim::scenario::load_str("v", &text).unwrap();
        assert_eq!(s.name, "jitter-strategies");
        let names: Vec<&str> = s.fleets.iter().map(|f| f.name.as_str()).collect();
        let mut want = JITTERS.to_vec();
        want.sort_unstable();
        assert_eq!(names, want);
        assert!(text.contains("jitter = \"decorrelated\""));
        assert!(!text.contains("[fleet.nojitter]"));
        assert!(jitter_fleets(STORM, "nosuch", "x").is_err());
    }

    #[test]
    fn fairness_points_become_files() {
        let points = sweep_points(FAIRNESS, "server.limiters", "fairness", scopes_label).unwrap();
        let labels: Vec<&str> = points.iter().map(|(l, _)| l.as_str()).collect();
        assert_eq!(labels, ["global", "tenant", "tenant-and-global"]);
        let s = sim::scenario::load_str("v", &points[2].1).unwrap();
        assert_eq!(s.name, "fairness-tenant-and-global");
        assert_eq!(s.server.levels.len(), 2);
        assert!(sweep_points(STORM, "server.limiters", "x", scopes_label).is_err());
    }

    #[test]
    fn shortening_keeps_faults_inside_the_run() {
        let short = shortened(FAIRNESS, "20s").unwrap().unwrap();
        let s = sim::scenario::load_str("v", &short).unwrap();
        assert_eq!(s.duration, limiters::Nanos::from_secs(20));
        // the outage runs from 60 s to 90 s: a 20 s run cannot hold it
        assert!(shortened(STORM, "20s").unwrap().is_none());
        // never longer than the original
        assert!(shortened(FAIRNESS, "10m").unwrap().is_none());
    }
}
