//! The rules of an envoyproxy/ratelimit file as plain values, for a program that applies them
//! itself (the reference service of `throttlelab conform --gateway ratelimit`) rather than as
//! lab levels: every rule, including `unlimited` ones, those another rule `replaces`, and
//! `shadow_mode` ones (which the importer refuses, since they never refuse a request).
//!
//! The file is checked exactly as [`super::import`] checks it (ratelimit's loader checks, and
//! the lab's refusals of descriptor values it cannot tell apart).

use super::{collect, label, level, spec, Root};
use crate::tree;
use crate::GatewayError;

/// One `rate_limit` and the descriptor path leading to it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rule {
    /// The descriptor entries, outermost first: key and value (`None`: one counter per value).
    pub path: Vec<(String, Option<String>)>,
    /// `requests_per_unit` (0 for an `unlimited` rule).
    pub requests_per_unit: u64,
    /// The unit's window in seconds, `UnitToDivider` (0 for an `unlimited` rule).
    pub divider: u64,
    /// `unlimited: true`.
    pub unlimited: bool,
    /// The descriptor's `shadow_mode`: counted, never refused.
    pub shadow_mode: bool,
    /// `name`, which other rules' `replaces` may refer to.
    pub name: Option<String>,
    /// The names this rule `replaces`.
    pub replaces: Vec<String>,
    /// Whether the rule keeps a counter per client key (an entry without a value) rather than
    /// one for everybody.
    pub per_key: bool,
    /// `key=value / key=*` for messages.
    pub label: String,
}

/// A file's domain and rules, in file order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rules {
    /// `domain`.
    pub domain: String,
    /// Every rule.
    pub rules: Vec<Rule>,
}

/// Read the rules of `text` (the file `file`).
///
/// ```
/// let yaml = "domain: api\ndescriptors:\n  - key: user\n    rate_limit: {unit: second, requests_per_unit: 5}\n  - key: generic_key\n    value: all\n    shadow_mode: true\n    rate_limit: {unit: minute, requests_per_unit: 100}\n";
/// let r = gateways::ratelimit::rules("r.yaml", yaml).unwrap();
/// assert_eq!(r.domain, "api");
/// assert_eq!((r.rules[0].requests_per_unit, r.rules[0].divider, r.rules[0].per_key), (5, 1, true));
/// assert!(r.rules[1].shadow_mode && !r.rules[1].per_key && r.rules[1].divider == 60);
/// ```
pub fn rules(file: &str, text: &str) -> Result<Rules, GatewayError> {
    let root: Root = tree::yaml(file, text)?;
    if root.domain.value.is_empty() {
        return Err(tree::err_at(
            file,
            root.domain.referenced,
            "`domain` must not be empty",
        ));
    }
    let mut found = Vec::new();
    collect(file, &root.descriptors, &mut Vec::new(), &mut found, true)?;
    let mut out = Vec::new();
    for r in &found {
        let rl = &r.limit.value;
        let name = label(&r.path);
        let (requests_per_unit, divider, per_key) = if rl.unlimited {
            (0, 0, r.path.iter().any(|(_, v)| v.is_none()))
        } else {
            let lv = level(file, r, &name)?;
            let scope = lv.table.get("scope").and_then(|s| s.as_str());
            let limit = lv.table.get("limit").and_then(|l| l.as_integer());
            let unit = rl.unit.as_ref().map(|u| u.value.as_str()).unwrap_or("");
            (
                limit.unwrap_or(0) as u64,
                spec::divider(unit).unwrap_or(1),
                scope != Some("global"),
            )
        };
        out.push(Rule {
            path: r
                .path
                .iter()
                .map(|(k, v)| (k.value.clone(), v.map(|v| v.value.clone())))
                .collect(),
            requests_per_unit,
            divider,
            unlimited: rl.unlimited,
            shadow_mode: r.shadow_mode,
            name: rl.name.as_ref().map(|n| n.value.clone()),
            replaces: rl
                .replaces
                .iter()
                .map(|x| x.value.name.value.clone())
                .collect(),
            per_key,
            label: name,
        });
    }
    Ok(Rules {
        domain: root.domain.value,
        rules: out,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = "domain: api\ndescriptors:\n  - key: user\n    rate_limit: {unit: minute, requests_per_unit: 5, name: a}\n  - key: generic_key\n    value: all\n    rate_limit: {unit: hour, requests_per_unit: 100, replaces: [{name: a}]}\n";

    #[test]
    fn the_same_limits_as_the_importer() {
        let r = rules("r.yaml", FILE).unwrap();
        let imported = super::super::import("r.yaml", FILE).unwrap();
        // the importer drops the replaced rule and keeps the global one
        assert_eq!(imported.levels.len(), 1);
        let t = &imported.levels[0].table;
        let kept = &r.rules[1];
        assert_eq!(t["limit"].as_integer(), Some(kept.requests_per_unit as i64));
        assert_eq!(t["period"].as_str(), Some("3600s"));
        assert_eq!(kept.divider, 3600);
        assert!(!kept.per_key && r.rules[0].per_key);
        assert_eq!(kept.replaces, vec!["a".to_string()]);
        assert_eq!(r.rules[0].name.as_deref(), Some("a"));
    }

    #[test]
    fn shadow_mode_is_read_here_and_refused_by_the_importer() {
        let f = "domain: api\ndescriptors:\n  - key: user\n    shadow_mode: true\n    rate_limit: {unit: second, requests_per_unit: 1}\n";
        assert!(rules("r.yaml", f).unwrap().rules[0].shadow_mode);
        assert!(super::super::import("r.yaml", f).is_err());
        let bad = f.replace("second", "fortnight");
        let e = rules("r.yaml", &bad).unwrap_err().to_string();
        assert!(
            e.contains("r.yaml:5:") && e.contains("invalid rate limit unit"),
            "{e}"
        );
    }
}
