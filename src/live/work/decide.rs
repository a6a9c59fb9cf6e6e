//! What the limiter levels' decisions become in the answer: the headline decision the
//! headers lead with, the decisions shown per level (with a level's fixed `Retry-After`), and
//! the denial reply.

use crate::live::app::App;
use crate::live::config::Level;
use crate::live::envelope::Problem;
use crate::live::respond::{headline, Reply};
use limiters::{Decision, Nanos};
/// The decision the headers show (see [`headline`]) among the levels that count the request.
pub(super) fn headline_of(ds: &[Decision], counted: &[bool]) -> Option<(usize, Decision)> {
    if counted.iter().all(|c| *c) {
        return headline(ds);
    }
    let idx: Vec<usize> = (0..ds.len()).filter(|i| counted[*i]).collect();
    let sub: Vec<Decision> = idx.iter().map(|i| ds[*i]).collect();
    headline(&sub).map(|(j, d)| (idx[j], d))
}

/// The decisions the headers show, by level: those of the levels that count the request
/// (`counted`), with each level's fixed `Retry-After` on its denials.
pub(super) fn shown(app: &App, ds: &[Decision], counted: &[bool]) -> Vec<Option<Decision>> {
    ds.iter()
        .zip(counted)
        .zip(&app.config.levels)
        .map(|((d, c), level)| c.then(|| with_fixed_retry(level, *d)))
        .collect()
}

/// `d` with `level`'s fixed `Retry-After` (seed 000: always 60 s) if it is a denial that can
/// pass later (a denial that can never pass keeps none).
pub(super) fn with_fixed_retry(level: &Level, mut d: Decision) -> Decision {
    if let (false, Some(fixed), Some(_)) = (d.allowed, level.retry_after, d.retry_after) {
        d.retry_after = Some(Nanos::from(fixed));
    }
    d
}

/// A denial by level `i`; `shown` is every level's decision, for the headers.
pub(super) fn deny(
    app: &App,
    i: usize,
    d: &Decision,
    cost: u32,
    request_id: &str,
    shown: &[Option<Decision>],
) -> Reply {
    let level = &app.config.levels[i];
    let d = with_fixed_retry(level, *d);
    let problem = if d.is_never() && level.status != 402 {
        Problem::CostOverCapacity {
            cost: u64::from(cost),
            limit: d.limit,
        }
    } else {
        Problem::Denied {
            status: level.status,
            quota: level.status == 402 || level.algorithm == "quota",
            required: u64::from(cost),
            available: d.remaining,
        }
    };
    Reply::problem(&problem, app.config.envelope, request_id).rate_headers(shown, &app.styles)
}
