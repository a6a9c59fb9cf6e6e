//! `throttlelab list`: every kind a scenario file names (limiter algorithms and level keys,
//! retry policies, client resilience strategies, arrival processes, distributions, faults,
//! header dialects), with its parameters and one-line semantics, aligned for reading or as
//! JSON (`--json`, each parameter with its type, default and whether it is required).
//!
//! Nothing here is a second list: limiters come from [`limiters::Registry::builtin`], retry
//! policies from [`sim::retry::catalog`], resilience strategies from
//! [`sim::client::catalog::catalog`], the other kinds from the loader ([`sim::scenario::kinds`],
//! [`kinds`]). A section for something new is one more [`Section`] built from its catalog in
//! [`sections`].

mod kinds;
mod params;

use super::CliError;
use clap::Args;
use limiters::Registry;
use params::{from_help, schema_type, Meta};
use serde_json::{json, Value};

/// Arguments of `list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Print JSON (`{"limiters": [...], "retry_policies": [...], ...}`, each parameter with
    /// its type and default) instead of text.
    #[arg(long)]
    pub json: bool,
}

/// One parameter: its name, help text, and type and default ([`params`]).
#[derive(Debug)]
pub struct Param {
    name: &'static str,
    help: String,
    meta: Meta,
}

/// One named thing with its parameters.
#[derive(Debug)]
pub struct Row {
    name: &'static str,
    /// `gate`, `backoff`, ... for resilience strategies.
    kind: Option<&'static str>,
    summary: String,
    source: Option<&'static str>,
    params: Vec<Param>,
}

/// A titled list of rows, plus parameters that apply to several rows.
#[derive(Debug)]
pub struct Section {
    /// Key in the JSON output.
    key: &'static str,
    title: &'static str,
    rows: Vec<Row>,
    /// `(caption, params)` printed after the rows (e.g. what every retry policy takes).
    shared: Option<(&'static str, Vec<Param>)>,
}

/// A parameter documented by `help`; `def` names the spec table whose key it is (its type is
/// then the loader's), `None` for a limiter's (typed by its help text).
fn param(schema: &Value, def: Option<&str>, name: &'static str, help: &str) -> Param {
    let ty = def.and_then(|d| schema_type(schema, d, name));
    Param {
        name,
        help: help.to_owned(),
        meta: from_help(help, ty),
    }
}

fn sections(registry: &Registry) -> Vec<Section> {
    let schema = sim::scenario::schema::json_schema(registry);
    let s = &schema;
    let limiters = registry
        .entries()
        .map(|e| Row {
            name: e.name,
            kind: None,
            summary: e.summary.to_owned(),
            source: None,
            params: e
                .params
                .iter()
                .map(|p| param(s, None, p.name, p.help))
                .collect(),
        })
        .collect();
    let mut level_keys = vec!["status"];
    level_keys.extend(sim::scenario::kinds::LEVEL_KEYS);
    let retry = sim::retry::catalog()
        .iter()
        .map(|p| Row {
            name: p.name,
            kind: None,
            summary: p.summary.to_owned(),
            source: None,
            params: p
                .params
                .iter()
                .map(|q| param(s, Some("RetrySpec"), q.name, q.help))
                .collect(),
        })
        .collect();
    let scope = sim::client::catalog::scope_param();
    let resilience = sim::client::catalog::catalog()
        .iter()
        .map(|st| {
            // the spec table whose keys these are, where the strategy is one
            let def = match st.name {
                _ if st.kind == sim::client::catalog::StrategyKind::Gate => Some("GateTable"),
                "hedging" => Some("HedgeTable"),
                "header_client" => Some("HeadersTable"),
                _ => None,
            };
            let mut params: Vec<_> = st
                .params
                .iter()
                .map(|q| param(s, def, q.name, q.help))
                .collect();
            if st.kind == sim::client::catalog::StrategyKind::Gate {
                params.push(param(s, def, scope.name, scope.help));
            }
            Row {
                name: st.name,
                kind: Some(st.kind.as_str()),
                summary: st.summary.to_owned(),
                source: Some(st.source),
                params,
            }
        })
        .collect();
    let mut out = vec![
        Section {
            key: "limiters",
            title: "Limiter algorithms: `algorithm = \"<name>\"` in a `[[server.limiters]]` table",
            rows: limiters,
            shared: Some((
                "every level takes `scope` (global | key | tenant) and may take",
                level_keys
                    .into_iter()
                    .map(|k| kinds::spec_param(s, "LimiterLevel", k))
                    .collect(),
            )),
        },
        Section {
            key: "retry_policies",
            title: "Retry policies: `policy = \"<name>\"` in a `[fleet.<name>.retry]` table",
            rows: retry,
            shared: Some((
                "every policy but `none` also takes",
                sim::retry::common_params()
                    .iter()
                    .map(|q| param(s, Some("RetrySpec"), q.name, q.help))
                    .collect(),
            )),
        },
        Section {
            key: "resilience",
            title: "Client resilience strategies: gates are `kind = \"<name>\"` in \
                    `[[fleet.<name>.gates]]`",
            rows: resilience,
            shared: None,
        },
    ];
    out.extend(kinds::sections(s));
    out
}

/// The aligned text: names in one column, summaries and parameter help in the next, parameter
/// names indented under their row's name.
fn render_text(sections: &[Section]) -> String {
    let label = |r: &Row| match r.kind {
        Some(k) => format!("{} ({k})", r.name),
        None => r.name.to_string(),
    };
    let mut out = String::new();
    for s in sections {
        let all_params = s
            .rows
            .iter()
            .flat_map(|r| &r.params)
            .chain(s.shared.iter().flat_map(|(_, p)| p))
            .map(|p| (p.name, &p.help));
        let name_w = s.rows.iter().map(|r| label(r).len()).max().unwrap_or(0);
        let param_w = all_params.map(|(n, _)| n.len()).max().unwrap_or(0);
        // the summary column; parameters sit two columns in from the names
        let col = name_w.max(param_w + 2) + 2;
        out.push_str(s.title);
        out.push_str("\n\n");
        for r in &s.rows {
            let summary = match r.source {
                Some(src) => format!("{} ({src})", r.summary),
                None => r.summary.clone(),
            };
            out.push_str(&format!("  {:<col$}{summary}\n", label(r)));
            for p in &r.params {
                out.push_str(&format!("    {:<w$}{}\n", p.name, p.help, w = col - 2));
            }
            if !r.params.is_empty() {
                out.push('\n');
            }
        }
        if let Some((caption, params)) = &s.shared {
            out.push_str(&format!("  {caption}:\n"));
            for p in params {
                out.push_str(&format!("    {:<w$}{}\n", p.name, p.help, w = col - 2));
            }
        }
        out.push('\n');
    }
    out
}

fn render_json(sections: &[Section]) -> Value {
    let params = |ps: &[Param]| -> Value {
        ps.iter()
            .map(|p| {
                json!({
                    "name": p.name,
                    "help": p.help,
                    "type": p.meta.ty,
                    "default": p.meta.default,
                    "required": p.meta.required,
                })
            })
            .collect()
    };
    let mut doc = serde_json::Map::new();
    for s in sections {
        let rows: Vec<Value> = s
            .rows
            .iter()
            .map(|r| {
                let mut v =
                    json!({ "name": r.name, "summary": r.summary, "params": params(&r.params) });
                if let Some(k) = r.kind {
                    v["kind"] = json!(k);
                }
                if let Some(src) = r.source {
                    v["source"] = json!(src);
                }
                v
            })
            .collect();
        doc.insert(s.key.to_string(), Value::Array(rows));
        if let Some((_, shared)) = &s.shared {
            doc.insert(format!("{}_common_params", s.key), params(shared));
        }
    }
    Value::Object(doc)
}

/// Print every limiter, retry policy, resilience strategy, arrival process, distribution,
/// fault and header dialect.
pub fn run(args: ListArgs) -> Result<(), CliError> {
    let sections = sections(&Registry::builtin());
    let text = if args.json {
        let json = serde_json::to_string_pretty(&render_json(&sections))
            .map_err(|e| CliError::Failed(e.into()))?;
        json + "\n"
    } else {
        render_text(&sections)
    };
    super::write_stdout(&text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_columns_line_up_within_a_section() {
        let secs = sections(&Registry::builtin());
        let text = render_text(&secs[..1]);
        let gcra = text.lines().find(|l| l.starts_with("  gcra ")).unwrap();
        let rate = text.lines().find(|l| l.starts_with("    rate ")).unwrap();
        let col = |l: &str, skip: usize| skip + l[skip..].find(|c: char| c != ' ').unwrap();
        let summary_at = col(gcra, 2 + "gcra".len());
        assert_eq!(col(rate, 4 + "rate".len()), summary_at, "\n{gcra}\n{rate}");
    }

    #[test]
    fn json_lists_every_entry_with_its_params() {
        let registry = Registry::builtin();
        let v = render_json(&sections(&registry));
        let limiters = v["limiters"].as_array().unwrap();
        assert_eq!(limiters.len(), registry.names().count());
        let tb = limiters
            .iter()
            .find(|l| l["name"] == "token_bucket")
            .unwrap();
        assert_eq!(tb["params"][0]["name"], "rate");
        assert!(v["retry_policies_common_params"].as_array().is_some());
    }
}
