//! The `[sweep]` declaration of a scenario file: the same sweep as the command line's
//! `--param` and `--seeds`, kept beside the scenario it belongs to.
//!
//! ```toml
//! [sweep]
//! seeds = 20                                  # runs per point
//! [sweep.params]
//! "fleet.web.retry.jitter" = ["none", "full", "equal", "decorrelated"]
//! "fleet.web.count" = "10..190:20"            # a string uses the --param syntax
//! ```
//!
//! Under `[sweep.params]` a key is a dotted path (quoted, or written as nested tables, which
//! are flattened); an array gives the values, a string is read as on the command line (list
//! or range), any other value is a single value. A table value such as a whole arrival
//! process goes in an array: `"fleet.web.arrival" = [{ process = "poisson", rate = "1/s" }]`.

use super::param::{check_path, literal, parse_values, Param};
use crate::scenario::Located;
use std::ops::Range;
use toml_edit::{ImDocument, Item, TableLike, Value};

/// What a `[sweep]` table declares.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SweepDecl {
    /// Runs per point, if given.
    pub seeds: Option<u32>,
    /// Parameters in file order.
    pub params: Vec<Param>,
}

/// Read the `sweep` item of `doc` (the original text of `file`).
pub(crate) fn declaration(file: &str, doc: &ImDocument<String>) -> Result<SweepDecl, Box<Located>> {
    let text = doc.raw();
    let err = |span: Option<Range<usize>>, msg: &str| Box::new(Located::new(file, text, span, msg));
    let Some((key, item)) = doc.as_table().get_key_value("sweep") else {
        return Ok(SweepDecl::default());
    };
    let table = item.as_table_like().ok_or_else(|| {
        err(
            key.span(),
            "`sweep` must be a table: [sweep] with `seeds` and [sweep.params]",
        )
    })?;
    let mut decl = SweepDecl::default();
    for (k, v) in table.iter() {
        let kspan = table.get_key_value(k).and_then(|(key, _)| key.span());
        match k {
            "seeds" => {
                let n = v
                    .as_integer()
                    .filter(|n| (1..=i64::from(u32::MAX)).contains(n))
                    .ok_or_else(|| {
                        err(
                            v.span().or(kspan.clone()),
                            "`seeds` must be a whole number of runs per point, at least 1",
                        )
                    })?;
                decl.seeds = Some(n as u32);
            }
            "params" => {
                let t = v.as_table_like().ok_or_else(|| {
                    err(kspan.clone(), "`params` must be a table of PATH = VALUES")
                })?;
                flatten(file, text, t, "", &mut decl.params)?;
            }
            other => {
                return Err(err(
                    kspan,
                    &format!("unknown key `{other}` in [sweep]: expected `seeds` or `params`"),
                ))
            }
        }
    }
    Ok(decl)
}

fn flatten(
    file: &str,
    text: &str,
    t: &dyn TableLike,
    at: &str,
    out: &mut Vec<Param>,
) -> Result<(), Box<Located>> {
    for (k, v) in t.iter() {
        let path = if at.is_empty() {
            k.to_string()
        } else {
            format!("{at}.{k}")
        };
        let kspan = t.get_key_value(k).and_then(|(key, _)| key.span());
        let here = |msg: String, span: Option<Range<usize>>| {
            Box::new(Located::new(
                file,
                text,
                span.or(kspan.clone()),
                &format!("`{path}`: {msg}"),
            ))
        };
        if let Some(sub) = v.as_table_like() {
            flatten(file, text, sub, &path, out)?;
            continue;
        }
        check_path(&path).map_err(|m| here(m, kspan.clone()))?;
        let values = match v {
            Item::Value(Value::Array(a)) => {
                let vals: Vec<toml::Value> = a.iter().map(bare).collect();
                if vals.is_empty() {
                    return Err(here("no values given".into(), v.span()));
                }
                for (i, x) in vals.iter().enumerate() {
                    if vals[..i].contains(x) {
                        return Err(here(
                            format!("`{}` is listed twice", super::show(x)),
                            v.span(),
                        ));
                    }
                }
                vals
            }
            Item::Value(Value::String(s)) => {
                parse_values(s.value()).map_err(|m| here(m, v.span()))?
            }
            Item::Value(other) => vec![bare(other)],
            _ => return Err(here("expected values".into(), v.span())),
        };
        if out.iter().any(|p| p.path == path) {
            return Err(here("declared twice".into(), kspan.clone()));
        }
        out.push(Param { path, values });
    }
    Ok(())
}

/// A value without its surrounding whitespace and comments, as a `toml::Value`.
fn bare(v: &Value) -> toml::Value {
    let mut v = v.clone();
    v.decor_mut().clear();
    literal(&v.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decl(text: &str) -> Result<SweepDecl, Box<Located>> {
        let doc = ImDocument::parse(text.to_string()).unwrap();
        declaration("f.toml", &doc)
    }

    #[test]
    fn reads_seeds_and_flattened_params() {
        let d = decl("[sweep]\nseeds = 4\n[sweep.params]\n\"fleet.web.count\" = \"10..30:10\"\nfleet.web.retry.jitter = [\"none\", \"full\"]\nserver.limiters.0.limit = 7\n").unwrap();
        assert_eq!(d.seeds, Some(4));
        assert_eq!(d.params.len(), 3);
        assert_eq!(d.params[0].path, "fleet.web.count");
        assert_eq!(d.params[0].values, vec![10.into(), 20.into(), 30.into()]);
        assert_eq!(d.params[1].path, "fleet.web.retry.jitter");
        assert_eq!(d.params[1].values, vec!["none".into(), "full".into()]);
        assert_eq!(d.params[2].values, vec![7.into()]);
    }

    #[test]
    fn table_values_go_in_arrays() {
        let d = decl(
            "[sweep.params]\n\"fleet.web.arrival\" = [{ process = \"poisson\", rate = \"1/s\" }]\n",
        )
        .unwrap();
        assert!(d.params[0].values[0].is_table());
    }

    #[test]
    fn errors_point_into_the_file() {
        let e = decl("name = \"x\"\n[sweep]\nseed = 3\n").unwrap_err();
        assert_eq!((e.line, e.col), (3, 1));
        assert!(e.message.contains("unknown key `seed`"), "{e}");
        let e = decl("[sweep]\nseeds = 0\n").unwrap_err();
        assert_eq!((e.line, e.col), (2, 9));
        let e = decl("[sweep.params]\n\"fleet.web.count\" = \"9..1\"\n").unwrap_err();
        assert_eq!(e.line, 2);
        assert!(
            e.message
                .starts_with("`fleet.web.count`: `9..1`: the range is empty"),
            "{e}"
        );
        let e = decl("[sweep.params]\n\"fleet.web.count\" = []\n").unwrap_err();
        assert!(e.message.contains("no values"), "{e}");
        let e = decl("sweep = 3\n").unwrap_err();
        assert!(e.message.contains("must be a table"), "{e}");
    }
}
