//! `replay --fit-retries`: the retry behaviour each client shows in the log, fitted by
//! `sim::retry::fit` (a refusal, then the same client's next request on the same method and
//! path within `--retry-window`, is a retry), and summarised per client class: how many
//! clients behave as none, fixed, exponential, exponential+jitter or retry-after, with their
//! median base delay and attempt cap.
//!
//! Fitting needs each client's requests in order, so this keeps one small record per request
//! (16 bytes and a route id): memory grows with the log here, unlike the static pass.

use crate::replay::record::Record;
use crate::replay::static_pass::Interner;
use crate::replay::time::UnixNanos;
use limiters::Nanos;
use sim::retry::fit::{chains, fit_client, Class, FitParams, Fitted, Obs};
use std::fmt::Write as _;

/// Per-client request lists, filled while the log is read.
#[derive(Debug, Default)]
pub struct Collect {
    routes: Interner,
    by_client: Vec<Vec<Obs>>,
    t0: Option<UnixNanos>,
}

impl Collect {
    /// Record one request of client `id` (the static pass's client id).
    pub fn add(&mut self, id: u32, t: UnixNanos, rec: &Record<'_>) {
        let (method, path) = (rec.method.as_ref(), rec.path.as_ref());
        let t0 = *self.t0.get_or_insert(t);
        let mut key = String::with_capacity(method.len() + path.len() + 1);
        key.push_str(method);
        key.push(' ');
        key.push_str(path);
        let route = self.routes.id(&key);
        let i = id as usize;
        if i >= self.by_client.len() {
            self.by_client.resize_with(i + 1, Vec::new);
        }
        self.by_client[i].push(Obs {
            t: Nanos(t.saturating_sub(t0)),
            route,
            status: rec.status,
            retry_after: rec.retry_after(),
        });
    }

    /// Fit every client: its fitted policy, by client id.
    pub fn fit(mut self, window: Nanos) -> Vec<Fitted> {
        self.by_client
            .iter_mut()
            .map(|obs| {
                obs.sort_by_key(|o| o.t); // stable: same-time lines keep log order
                fit_client(&chains(obs, window), FitParams::default())
            })
            .collect()
    }
}

/// The per-class summary.
pub fn text(fits: &[Fitted], window: Nanos) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "\nretry behaviour fitted from the log (a request on the same method and path within {} s \
         of a refusal is its retry):",
        window.as_secs()
    );
    let _ = writeln!(
        o,
        "  {:<20}  {:>7}  {:>12}  {:>14}  {:>11}",
        "class", "clients", "median base", "median cap", "max attempts"
    );
    for class in [
        Class::RetryAfter,
        Class::ExponentialJitter,
        Class::Exponential,
        Class::Fixed,
        Class::None,
        Class::Unknown,
    ] {
        let of: Vec<&Fitted> = fits.iter().filter(|f| f.class == class).collect();
        if of.is_empty() {
            continue;
        }
        let med = |mut v: Vec<u64>| {
            v.sort_unstable();
            v.get(v.len() / 2).copied()
        };
        let base = med(of.iter().map(|f| f.base.as_millis()).collect());
        let caps = med(of
            .iter()
            .filter_map(|f| f.cap)
            .map(|c| c.as_millis())
            .collect());
        let attempts = of.iter().map(|f| f.max_attempts).max().unwrap_or(1);
        let ms = |v: Option<u64>| match v {
            Some(ms) if class != Class::None && class != Class::Unknown => {
                format!("{}.{:03} s", ms / 1000, ms % 1000)
            }
            _ => "-".to_string(),
        };
        let _ = writeln!(
            o,
            "  {:<20}  {:>7}  {:>12}  {:>14}  {:>11}",
            class.as_str(),
            of.len(),
            ms(base),
            ms(caps),
            attempts
        );
    }
    let _ = writeln!(
        o,
        "  (unknown: fewer than {} refusals to learn from)",
        FitParams::default().min_chains
    );
    o
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::replay::record::Field;
    use std::borrow::Cow;

    /// A client that waits exactly the logged `Retry-After` (3, 1, 6, 2 s) is recognised.
    #[test]
    fn logged_retry_after_hints_reach_the_fit() {
        let mut c = Collect::default();
        let s = 1_000_000_000u64;
        let mut t = 1_700_000_000 * s;
        for hint in [3u64, 1, 6, 2] {
            for (status, ra) in [(429u16, Some(hint)), (200, None)] {
                let mut r = Record::new();
                r.path = Cow::Borrowed("/v1/x");
                r.status = status;
                if let Some(h) = ra {
                    r.fields.push(Field {
                        name: "sent_http_retry_after".into(),
                        header: None,
                        value: h.to_string().into(),
                    });
                }
                c.add(0, t, &r);
                t += ra.map_or(600 * s, |h| h * s);
            }
        }
        let fits = c.fit(Nanos::from_secs(60));
        assert_eq!(fits[0].class, Class::RetryAfter);
        assert!(text(&fits, Nanos::from_secs(60)).contains("retry-after"));
    }
}
