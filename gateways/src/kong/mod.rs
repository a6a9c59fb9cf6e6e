//! Kong's `rate-limiting` plugin (`second` .. `year` limits, `limit_by`, `policy`,
//! `error_code`) as lab levels.
//!
//! Semantics, from `kong/plugins/rate-limiting/handler.lua` (<https://github.com/Kong/kong>):
//! for each configured period the plugin reads the usage of the current window and refuses the
//! request when `limit - usage <= 0` for any of them (`get_usage`); an admitted request is then
//! counted in every period (`increment`), a refused one in none. The windows are aligned to the
//! clock (`kong/tools/timestamp.lua`, `get_timestamps`): the UTC second, minute, hour and day
//! (multiples of their length in Unix time: the lab's `fixed_window`, which a run places on
//! the Unix clock), and the calendar month
//! and year (the lab's `quota` with `period = "month"` / `"year"`). So each period is one lab
//! level, and the lab's rule that a request is charged only where every level admits it is
//! Kong's rule. A fractional limit admits `ceil(limit)` per window.
//!
//! Scope: `limit_by` consumer, credential, ip and header each give a counter per client: a
//! per-key level; `service` one counter for the service, and `path` one for the configured
//! path: global levels (the lab has one service and one path). Where Kong differs, the notes
//! say so: it counts asynchronously (`ngx.timer.at(0, increment)`), so requests arriving in the
//! same instant may all pass; `policy = local` counts per Kong node, the lab has one node.

mod read;

use crate::tree::{self, At, Node};
use crate::{Dialect, GatewayError, Imported, ImportedLevel};
use read::{Attached, Plugin};
use sim::model::Level;

/// Whether `text` looks like this dialect.
pub(crate) fn sniff(text: &str) -> bool {
    text.contains("rate-limiting")
}

/// Read `text` (the file `file`).
pub fn import(file: &str, text: &str) -> Result<Imported, GatewayError> {
    let root: Node = tree::yaml(file, text)?;
    let mut found = Vec::new();
    read::find(At::new(file, &root), Attached::Global, &mut found);
    let mut out = Imported::new(Dialect::Kong);
    let mut plugins: Vec<Plugin<'_>> = Vec::new();
    for p in found {
        let name =
            p.at.get("name")
                .or_else(|| p.at.get("plugin"))
                .and_then(|n| n.str("name").ok())
                .unwrap_or_default();
        if name != "rate-limiting" {
            return Err(p.at.err(format!(
                "`{name}` is another plugin (Kong Enterprise's sliding windows, or a custom \
                 one); the lab models the open-source `rate-limiting` plugin"
            )));
        }
        if let Some(e) = p.at.get("enabled") {
            if !e.bool("enabled")? {
                out.notes.push(format!(
                    "line {}: a disabled rate-limiting plugin, not imported",
                    p.at.node.referenced.line()
                ));
                continue;
            }
        }
        if p.attached == Attached::Consumer {
            return Err(p.at.err(
                "this plugin applies to one consumer's requests only, and lab clients are not \
                 Kong consumers; attach it globally, to a service or to a route to import it",
            ));
        }
        plugins.push(p);
    }
    // Kong runs the most specific instance for a request: a route's over a service's over a
    // global one. The lab has one route; two instances at that level are ambiguous.
    let Some(most) = plugins.iter().map(|p| p.attached).max() else {
        return Ok(out);
    };
    let chosen: Vec<_> = plugins.iter().filter(|p| p.attached == most).collect();
    if let [first, second, ..] = chosen.as_slice() {
        return Err(second.at.err(format!(
            "a second rate-limiting plugin at the {most:?} level (the first is at line {}): \
             the lab models one route, so import one plugin at a time",
            first.at.node.referenced.line()
        )));
    }
    let ignored = plugins.len() - 1;
    if ignored > 0 {
        out.notes.push(format!(
            "{ignored} less specific rate-limiting plugin(s) not imported: Kong runs the \
             {most:?}-level one for the route's requests"
        ));
    }
    levels(chosen[0].at, &mut out)?;
    Ok(out)
}

fn levels(plugin: At<'_>, out: &mut Imported) -> Result<(), GatewayError> {
    let c = read::config(plugin)?;
    let scope = match c.limit_by.as_str() {
        "service" | "path" => "global",
        _ => "key",
    };
    if c.limit_by == "path" {
        out.notes.push(
            "limit_by = path: one counter for the configured path; the lab's requests are all \
             taken to be for it (Kong counts other paths by client IP)"
                .to_string(),
        );
    }
    if c.policy != "local" {
        out.notes.push(format!(
            "policy = {}: counters shared by every Kong node; the lab has one node, so the \
             same as local",
            c.policy
        ));
    }
    out.notes.push(
        "Kong increments its counters after the decision, in a timer: requests in the same \
         instant may all pass; the lab counts each admission at once"
            .to_string(),
    );
    for (period, count, at) in c.limits {
        let mut t = toml::Table::new();
        t.insert("scope".into(), scope.into());
        match period {
            "month" | "year" => {
                t.insert("algorithm".into(), "quota".into());
                t.insert("period".into(), period.into());
            }
            _ => {
                let secs = match period {
                    "second" => 1,
                    "minute" => 60,
                    "hour" => 3_600,
                    _ => 86_400,
                };
                t.insert("algorithm".into(), "fixed_window".into());
                t.insert("period".into(), format!("{secs}s").into());
            }
        }
        t.insert("limit".into(), (count as i64).into());
        t.insert("status".into(), i64::from(c.status).into());
        out.levels.push(ImportedLevel {
            table: t,
            from: tree::pos(at.file, at.node.referenced),
            source: format!("rate-limiting {period}: {count}, limit_by {}", c.limit_by),
        });
    }
    Ok(())
}

/// Write `levels` in this dialect.
pub fn export(levels: &[Level]) -> Result<String, GatewayError> {
    let _ = levels;
    Err(GatewayError::Unsupported {
        dialect: Dialect::Kong.name(),
        reason: "export writes envoy, ratelimit, nginx and haproxy; Kong's plugin is read \
                 (import) but not written"
            .to_string(),
    })
}

#[cfg(test)]
mod tests;
