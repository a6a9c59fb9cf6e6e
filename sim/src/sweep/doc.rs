//! The scenario file as an editable TOML document: set a value at a dotted path, list the
//! paths it has (the `[sweep]` table is cut out first, by [`crate::scenario::sweep_table`]).
//! Overrides are applied with `toml_edit`, which keeps the rest of the document as written.

use toml_edit::{Item, Table, TableLike, Value};

/// Why a path cannot be set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PathError {
    /// What is wrong, in words.
    pub reason: String,
}

/// Set `path` to `value` in `doc`. Returns whether a key was created (the path did not exist
/// in the file): such overrides may be valid settings with defaults, or typos, which only the
/// loader can tell.
pub(crate) fn set(
    doc: &mut toml_edit::DocumentMut,
    path: &str,
    value: &toml::Value,
) -> Result<bool, PathError> {
    let value = to_edit(value);
    let segs: Vec<&str> = path.split('.').collect();
    set_in_table(doc.as_table_mut(), &segs, value, "")
}

/// A `toml::Value` as a `toml_edit::Value`.
fn to_edit(v: &toml::Value) -> Value {
    match v {
        toml::Value::String(s) => Value::from(s.as_str()),
        toml::Value::Integer(i) => Value::from(*i),
        toml::Value::Float(f) => Value::from(*f),
        toml::Value::Boolean(b) => Value::from(*b),
        toml::Value::Datetime(d) => match d.to_string().parse::<toml_edit::Datetime>() {
            Ok(x) => Value::from(x),
            Err(_) => Value::from(d.to_string()),
        },
        toml::Value::Array(a) => Value::Array(a.iter().map(to_edit).collect()),
        toml::Value::Table(t) => {
            let mut it = toml_edit::InlineTable::new();
            for (k, v) in t {
                it.insert(k, to_edit(v));
            }
            Value::InlineTable(it)
        }
    }
}

fn join(prefix: &str, seg: &str) -> String {
    if prefix.is_empty() {
        seg.to_string()
    } else {
        format!("{prefix}.{seg}")
    }
}

fn set_in_table(
    t: &mut dyn TableLike,
    segs: &[&str],
    value: Value,
    at: &str,
) -> Result<bool, PathError> {
    let (seg, rest) = match segs.split_first() {
        Some(x) => x,
        None => {
            return Err(PathError {
                reason: "empty path".into(),
            })
        }
    };
    let here = join(at, seg);
    if rest.is_empty() {
        let existed = t.contains_key(seg);
        match t.get_mut(seg) {
            Some(Item::Value(old)) => {
                let decor = old.decor().clone();
                *old = value;
                *old.decor_mut() = decor;
            }
            _ => {
                t.insert(seg, Item::Value(value));
            }
        }
        return Ok(!existed);
    }
    match t.get_mut(seg) {
        Some(item) => set_in_item(item, rest, value, &here),
        None => {
            let mut fresh = Table::new();
            fresh.set_implicit(true);
            t.insert(seg, Item::Table(fresh));
            match t.get_mut(seg) {
                Some(item) => set_in_item(item, rest, value, &here).map(|_| true),
                None => Err(PathError {
                    reason: format!("cannot create `{here}`"),
                }),
            }
        }
    }
}

fn index(seg: &str, len: usize, at: &str) -> Result<usize, PathError> {
    let i: usize = seg.parse().map_err(|_| PathError {
        reason: format!(
            "`{at}` is a list: the next segment must be an index 0..{len}, not `{seg}`"
        ),
    })?;
    if i >= len {
        return Err(PathError {
            reason: format!("`{at}` has {len} entries: index {i} is out of range"),
        });
    }
    Ok(i)
}

fn set_in_item(item: &mut Item, segs: &[&str], value: Value, at: &str) -> Result<bool, PathError> {
    match item {
        Item::ArrayOfTables(aot) => {
            let i = index(segs[0], aot.len(), at)?;
            let here = join(at, segs[0]);
            match (aot.get_mut(i), segs.len(), value) {
                (Some(t), n, value) if n > 1 => set_in_table(t, &segs[1..], value, &here),
                // A whole table replaced by an inline table: `server.limiters.0 = { ... }`.
                (Some(t), _, Value::InlineTable(it)) => {
                    *t = it.into_table();
                    Ok(false)
                }
                _ => Err(PathError {
                    reason: format!(
                        "`{here}` is a whole table: set one of its keys (`{here}.KEY`) or give a table {{ ... }}"
                    ),
                }),
            }
        }
        Item::Value(Value::Array(arr)) => {
            let i = index(segs[0], arr.len(), at)?;
            let here = join(at, segs[0]);
            if segs.len() == 1 {
                arr.replace(i, value);
                return Ok(false);
            }
            match arr.get_mut(i) {
                Some(Value::InlineTable(t)) => set_in_table(t, &segs[1..], value, &here),
                _ => Err(PathError {
                    reason: format!("`{here}` is a value, not a table"),
                }),
            }
        }
        other => match other.as_table_like_mut() {
            Some(t) => set_in_table(t, segs, value, at),
            None => Err(PathError {
                reason: format!(
                    "`{at}` is a value, not a table: `{}` cannot be set under it",
                    segs.join(".")
                ),
            }),
        },
    }
}

/// Every settable path of the document that holds a value (arrays are one value), in
/// document order.
pub(crate) fn leaf_paths(doc: &toml_edit::DocumentMut) -> Vec<String> {
    let mut out = Vec::new();
    walk_table(doc.as_table(), "", &mut out);
    out
}

fn walk_table(t: &dyn TableLike, at: &str, out: &mut Vec<String>) {
    for (k, item) in t.iter() {
        if at.is_empty() && k == "sweep" {
            continue;
        }
        walk_item(item, &join(at, k), out);
    }
}

fn walk_item(item: &Item, at: &str, out: &mut Vec<String>) {
    match item {
        Item::None => {}
        Item::ArrayOfTables(aot) => {
            for (i, t) in aot.iter().enumerate() {
                walk_table(t, &join(at, &i.to_string()), out);
            }
        }
        other => match other.as_table_like() {
            Some(t) => walk_table(t, at, out),
            None => out.push(at.to_string()),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::sweep_table::strip_sweep;

    const TEXT: &str = "name = \"x\"\n[sweep]\nseeds = 3\n[sweep.params]\n\"fleet.web.count\" = [1, 2]\nretry.jitter = \"none,full\"\n[fleet.web]\ncount = 5 # clients\narrival = { process = \"poisson\", rate = \"1/s\" }\n[[server.limiters]]\nlimit = 3\n";

    #[test]
    fn set_replaces_creates_and_indexes() {
        let (text, _) = strip_sweep(TEXT);
        let mut doc: toml_edit::DocumentMut = text.parse().unwrap();
        assert!(!set(&mut doc, "fleet.web.count", &10.into()).unwrap());
        assert!(set(&mut doc, "fleet.web.retry.jitter", &"full".into()).unwrap());
        assert!(!set(&mut doc, "fleet.web.arrival.rate", &"2/s".into()).unwrap());
        assert!(!set(&mut doc, "server.limiters.0.limit", &7.into()).unwrap());
        let back: toml::Table = doc.to_string().parse().unwrap();
        assert_eq!(back["fleet"]["web"]["count"].as_integer(), Some(10));
        assert_eq!(
            back["fleet"]["web"]["retry"]["jitter"].as_str(),
            Some("full")
        );
        assert_eq!(
            back["fleet"]["web"]["arrival"]["rate"].as_str(),
            Some("2/s")
        );
        assert_eq!(back["server"]["limiters"][0]["limit"].as_integer(), Some(7));
        assert!(doc.to_string().contains("# clients"));
    }

    #[test]
    fn set_explains_impossible_paths() {
        let mut doc: toml_edit::DocumentMut = TEXT.parse().unwrap();
        let e = set(&mut doc, "fleet.web.count.x", &1.into()).unwrap_err();
        assert!(e.reason.contains("`fleet.web.count` is a value"), "{e:?}");
        let e = set(&mut doc, "server.limiters.3.limit", &1.into()).unwrap_err();
        assert!(e.reason.contains("1 entries"), "{e:?}");
        let e = set(&mut doc, "server.limiters.first.limit", &1.into()).unwrap_err();
        assert!(e.reason.contains("must be an index"), "{e:?}");
        let e = set(&mut doc, "server.limiters.0", &1.into()).unwrap_err();
        assert!(e.reason.contains("whole table"), "{e:?}");
        let table = crate::scenario::sweep_table::literal("{ algorithm = \"gcra\", limit = 9 }");
        assert!(!set(&mut doc, "server.limiters.0", &table).unwrap());
        let back: toml::Table = doc.to_string().parse().unwrap();
        assert_eq!(
            back["server"]["limiters"][0]["algorithm"].as_str(),
            Some("gcra")
        );
        assert_eq!(back["server"]["limiters"][0]["limit"].as_integer(), Some(9));
    }

    #[test]
    fn leaf_paths_skip_the_sweep_table() {
        let doc: toml_edit::DocumentMut = TEXT.parse().unwrap();
        assert_eq!(
            leaf_paths(&doc),
            [
                "name",
                "fleet.web.count",
                "fleet.web.arrival.process",
                "fleet.web.arrival.rate",
                "server.limiters.0.limit"
            ]
        );
    }
}
