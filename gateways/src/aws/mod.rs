//! AWS API Gateway usage plans (`throttle: {rateLimit, burstLimit}`, `quota: {limit, offset,
//! period}`) as lab levels.
//!
//! Read from the JSON of `aws apigateway get-usage-plan` / `create-usage-plan` (camelCase), a
//! CloudFormation `AWS::ApiGateway::UsagePlan`'s `Properties` (PascalCase), or a template
//! holding one such resource (JSON or YAML).
//!
//! Semantics, from the API Gateway developer guide ("Throttle requests to your REST APIs",
//! <https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-request-throttling.html>):
//! "API Gateway throttles requests to your API using the token bucket algorithm, where a token
//! counts for a request": `rateLimit` is the steady rate per second, `burstLimit` the bucket.
//! The lab's `token_bucket` with `rate` and `burst`. Usage plan limits apply per API key: each
//! key on the plan has its own bucket and quota, so both levels are `scope = "key"`. The quota
//! (API reference, `QuotaSettings`) is `limit` requests per `DAY`, `WEEK` or `MONTH`, `offset`
//! being "the number of requests subtracted from the given limit in the initial time period":
//! the lab's `quota` (UTC calendar periods, weeks from Sunday) with `used_at_start`. Refusals
//! answer 429 ("Too Many Requests" for the throttle, "Limit Exceeded" for the quota).

use crate::tree::{self, At, Kind, Node};
use crate::{Dialect, GatewayError, Imported, ImportedLevel};
use sim::model::Level;

/// Whether `text` looks like this dialect.
pub(crate) fn sniff(text: &str) -> bool {
    text.contains("usagePlan")
        || text.contains("AWS::ApiGateway::UsagePlan")
        || (text.contains("burstLimit") && text.contains("rateLimit"))
}

/// A field by its API (camelCase) or CloudFormation (PascalCase) name.
fn field<'a>(at: At<'a>, camel: &str) -> Option<At<'a>> {
    let mut pascal = camel.to_string();
    pascal[..1].make_ascii_uppercase();
    at.get(camel).or_else(|| at.get(&pascal))
}

/// The usage plan object(s) in the file.
fn plans(root: At<'_>) -> Vec<At<'_>> {
    if let Some(res) = root.get("Resources") {
        if let Kind::Map(entries) = &res.node.value {
            return entries
                .iter()
                .map(|(_, v)| At::new(root.file, v))
                .filter(|r| {
                    r.get("Type")
                        .and_then(|t| t.str("Type").ok())
                        .is_some_and(|t| t == "AWS::ApiGateway::UsagePlan")
                })
                .filter_map(|r| r.get("Properties"))
                .collect();
        }
    }
    if let Some(items) = root.get("items") {
        if let Kind::Seq(list) = &items.node.value {
            return list.iter().map(|v| At::new(root.file, v)).collect();
        }
    }
    vec![root]
}

/// Read `text` (the file `file`).
pub fn import(file: &str, text: &str) -> Result<Imported, GatewayError> {
    let root: Node = if text.trim_start().starts_with('{') {
        tree::json(file, text)?
    } else {
        tree::yaml(file, text)?
    };
    let root = At::new(file, &root);
    let found = plans(root);
    let plan =
        match found.as_slice() {
            [] => return Err(root.err("no AWS::ApiGateway::UsagePlan resource in this template")),
            [one] => *one,
            [_, second, ..] => return Err(second.err(
                "a second usage plan: the lab's levels describe one plan's keys, so import one \
                 plan at a time",
            )),
        };
    plan.map("usage plan")?;
    let mut out = Imported::new(Dialect::Aws);
    if let Some(stages) = field(plan, "apiStages") {
        if let Kind::Seq(list) = &stages.node.value {
            for s in list.iter().map(|s| At::new(file, s)) {
                if let Some(t) =
                    field(s, "throttle").filter(|t| t.map("throttle").is_ok_and(|m| !m.is_empty()))
                {
                    return Err(t.err(
                        "per-method throttles (\"/path/METHOD\") limit one method's requests, \
                         and the lab's requests have no method; remove them to import the \
                         plan's own throttle and quota",
                    ));
                }
            }
        }
    }
    if let Some(t) = field(plan, "throttle") {
        out.levels.push(throttle(t)?);
    }
    if let Some(q) = field(plan, "quota") {
        out.levels.push(quota(q)?);
    }
    out.notes.push(
        "usage plan limits apply per API key (scope = \"key\"); stage and account throttles \
         are not part of a plan, and AWS calls all of these targets, not guarantees"
            .to_string(),
    );
    Ok(out)
}

fn throttle(t: At<'_>) -> Result<ImportedLevel, GatewayError> {
    t.map("throttle")?;
    let rate_at = field(t, "rateLimit")
        .ok_or_else(|| t.err("`throttle` needs `rateLimit` (steady requests per second)"))?;
    let burst_at = field(t, "burstLimit")
        .ok_or_else(|| t.err("`throttle` needs `burstLimit` (the bucket: requests at once)"))?;
    let rate = rate_at.number("rateLimit")?;
    let burst = burst_at.int("burstLimit", 1, i64::from(i32::MAX).into())?;
    let milli = rate * 1000.0;
    if rate <= 0.0 || (milli - milli.round()).abs() > 1e-6 || milli.round() > 1e12 {
        return Err(rate_at.err(format!(
            "`rateLimit` must be above 0 with at most 3 decimals, got {rate}"
        )));
    }
    let (mut n, mut d) = (milli.round() as u64, 1000u64);
    let g = gcd(n, d);
    (n, d) = (n / g, d / g);
    // x per second = 1000x per 1000 seconds, reduced
    let period = format!("{d}s");
    let mut table = toml::Table::new();
    table.insert("scope".into(), "key".into());
    table.insert("algorithm".into(), "token_bucket".into());
    table.insert("rate".into(), format!("{n}/{period}").into());
    table.insert("burst".into(), (burst as i64).into());
    table.insert("status".into(), 429.into());
    Ok(ImportedLevel {
        table,
        from: tree::pos(t.file, t.node.referenced),
        source: format!("throttle: rateLimit {rate}, burstLimit {burst} (token bucket)"),
    })
}

fn quota(q: At<'_>) -> Result<ImportedLevel, GatewayError> {
    q.map("quota")?;
    let limit_at = field(q, "limit").ok_or_else(|| q.err("`quota` needs `limit`"))?;
    let limit = limit_at.int("limit", 1, i64::from(i32::MAX).into())? as i64;
    let period_at =
        field(q, "period").ok_or_else(|| q.err("`quota` needs `period` (DAY, WEEK or MONTH)"))?;
    let period = match period_at.str("period")? {
        "DAY" => "day",
        "WEEK" => "week",
        "MONTH" => "month",
        other => {
            return Err(period_at.err(format!(
                "`period` must be DAY, WEEK or MONTH, got `{other}`"
            )))
        }
    };
    let offset = match field(q, "offset") {
        None => 0,
        Some(o) => {
            let v = o.int("offset", 0, i64::from(i32::MAX).into())? as i64;
            if v >= limit {
                return Err(o.err(format!(
                    "`offset` ({v}) must be below `limit` ({limit}): it is subtracted from the \
                     limit in the first period"
                )));
            }
            v
        }
    };
    let mut table = toml::Table::new();
    table.insert("scope".into(), "key".into());
    table.insert("algorithm".into(), "quota".into());
    table.insert("limit".into(), limit.into());
    table.insert("period".into(), period.into());
    if offset > 0 {
        table.insert("used_at_start".into(), offset.into());
    }
    table.insert("status".into(), 429.into());
    Ok(ImportedLevel {
        table,
        from: tree::pos(q.file, q.node.referenced),
        source: format!("quota: {limit} per {period}, offset {offset}"),
    })
}

fn gcd(a: u64, b: u64) -> u64 {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}

/// Write `levels` in this dialect.
pub fn export(levels: &[Level]) -> Result<String, GatewayError> {
    let _ = levels;
    Err(GatewayError::Unsupported {
        dialect: Dialect::Aws.name(),
        reason: "export writes envoy, ratelimit, nginx and haproxy; usage plans are read \
                 (import) but not written"
            .to_string(),
    })
}

#[cfg(test)]
mod tests;
