//! The retry policy each replayed client runs: fitted from the log per client
//! (`sim::retry::fit`), then one policy per class, because the simulator gives a policy to a
//! fleet, not to a client: the class's median base delay and delay cap, its largest attempt
//! cap (a client that always recovered shows fewer attempts than it would make, so the largest
//! is the best estimate of the class's cap), full jitter if most of its clients draw from 0.
//!
//! Clients the log cannot teach (fewer refusals than the fit needs: class `unknown`) run
//! `--assume-retry` if given; else the policy of the largest fitted class (the same software
//! usually calls an API the same way); else none (no refusal anywhere in the log).

use super::Collect;
use limiters::Nanos;
use sim::retry::fit::{chains, fit_client, Class, FitParams, Fitted};
use sim::retry::RetryPolicy;

/// Where a class's policy comes from.
#[derive(Clone, Debug, PartialEq)]
pub enum Source {
    /// Fitted from the log.
    Fitted,
    /// `--assume-retry`.
    Assumed,
    /// The largest fitted class's, for clients with nothing to learn from.
    Borrowed(&'static str),
    /// Nothing to learn from anywhere: no retries.
    Default,
}

/// One class and the policy its clients run.
#[derive(Clone, Debug)]
pub struct ClassPolicy {
    /// The class.
    pub class: Class,
    /// Its policy.
    pub policy: RetryPolicy,
    /// The class's representative fit (for display; `None` when not fitted).
    pub fit: Option<Fitted>,
    /// Where the policy comes from.
    pub source: Source,
    /// Client-and-tenant pairs in the class.
    pub pairs: u32,
}

/// Fit every pair of `c` (sorted) with `window`. A pair with too few refusals to fit on its
/// own (class `unknown`: a client that calls every few seconds sees one or two outages in a
/// short log) is fitted on the chains of all such pairs of its tenant pooled (the clients of
/// one tenant usually run the same software); still unknown, it stays unknown.
pub fn fit_pairs(c: &Collect, window: Nanos) -> Vec<Fitted> {
    let all: Vec<Vec<sim::retry::fit::Chain>> =
        c.obs.iter().map(|obs| chains(obs, window)).collect();
    let mut fits: Vec<Fitted> = all
        .iter()
        .map(|ch| fit_client(ch, FitParams::default()))
        .collect();
    let mut pooled: std::collections::BTreeMap<u32, Vec<usize>> = Default::default();
    for (p, f) in fits.iter().enumerate() {
        if f.class == Class::Unknown {
            pooled.entry(c.who[p].1).or_default().push(p);
        }
    }
    for members in pooled.values() {
        let chains: Vec<sim::retry::fit::Chain> = members
            .iter()
            .flat_map(|&p| all[p].iter().cloned())
            .collect();
        let f = fit_client(&chains, FitParams::default());
        if f.class != Class::Unknown {
            for &p in members {
                fits[p] = f;
            }
        }
    }
    fits
}

fn median(mut v: Vec<Nanos>) -> Option<Nanos> {
    v.sort_unstable();
    v.get(v.len() / 2).copied()
}

/// The representative fit of a class's members.
pub fn representative(of: &[Fitted]) -> Option<Fitted> {
    let first = *of.first()?;
    let jittered = of.iter().filter(|f| f.full_jitter).count();
    Some(Fitted {
        base: median(of.iter().map(|f| f.base).collect()).unwrap_or(first.base),
        cap: median(of.iter().filter_map(|f| f.cap).collect()),
        max_attempts: of.iter().map(|f| f.max_attempts).max().unwrap_or(1),
        cap_seen: of.iter().any(|f| f.cap_seen),
        full_jitter: jittered * 2 > of.len(),
        chains: of.iter().map(|f| f.chains).sum(),
        class: first.class,
    })
}

const ORDER: [Class; 6] = [
    Class::RetryAfter,
    Class::ExponentialJitter,
    Class::Exponential,
    Class::Fixed,
    Class::None,
    Class::Unknown,
];

/// The classes present and, per pair, the index of its class in them. A fitted class whose
/// chains all recovered (no give-up in the log) has a longest chain, not an attempt cap: the
/// log does not bound it, and a tighter limit makes chains longer than the log's; such a class
/// retries up to `unseen_cap` attempts (at least its longest chain). Taking the longest chain
/// as the cap made the replayed clients give up early: on the counterfactual check's retry
/// storm it predicted 259 refusals where the live run had 294 (-12%).
pub fn assign(
    fits: &[Fitted],
    assume: Option<RetryPolicy>,
    unseen_cap: u32,
) -> (Vec<ClassPolicy>, Vec<u16>) {
    let mut classes = Vec::new();
    let mut of_pair = vec![0u16; fits.len()];
    for class in ORDER {
        let members: Vec<usize> = (0..fits.len())
            .filter(|&i| fits[i].class == class)
            .collect();
        if members.is_empty() {
            continue;
        }
        for &i in &members {
            of_pair[i] = classes.len() as u16;
        }
        let fit = representative(&members.iter().map(|&i| fits[i]).collect::<Vec<_>>());
        let (policy, source) = match fit.and_then(|f| f.to_policy()) {
            Some(mut p) => {
                if fit.is_some_and(|f| !f.cap_seen) && p.max_attempts > 1 {
                    p.max_attempts = p.max_attempts.max(unseen_cap);
                }
                (p, Source::Fitted)
            }
            None => match assume {
                Some(p) => (p, Source::Assumed),
                None => {
                    let largest = classes
                        .iter()
                        .filter(|c: &&ClassPolicy| c.source == Source::Fitted)
                        .max_by_key(|c| c.pairs);
                    match largest {
                        Some(c) => (c.policy, Source::Borrowed(c.class.as_str())),
                        None => (RetryPolicy::none(), Source::Default),
                    }
                }
            },
        };
        classes.push(ClassPolicy {
            class,
            policy,
            fit: if source == Source::Fitted { fit } else { None },
            source,
            pairs: members.len() as u32,
        });
    }
    (classes, of_pair)
}

/// Parse `--assume-retry`: the fields of a scenario's `[fleet.NAME.retry]` table, written
/// as in an inline table (`policy = "exponential", base = "1s", max_attempts = 4`).
pub fn parse_assume(text: &str) -> Result<RetryPolicy, String> {
    let scenario = format!(
        "name = \"assume-retry\"\nduration = \"1s\"\n[fleet.c]\ncount = 1\n\
         arrival = {{ process = \"constant\", rate = \"1/s\" }}\nretry = {{ {text} }}\n"
    );
    match sim::scenario::load_str("--assume-retry", &scenario) {
        Ok(s) => Ok(s.fleets[0].retry),
        Err(e) => {
            // The message names the wrapper's line 6; what matters is the text after it.
            let e = e.to_string();
            let what = e.splitn(4, ':').nth(3).unwrap_or(&e).trim().to_string();
            Err(format!(
                "--assume-retry `{text}`: {what} (write the fields of a scenario's retry table: \
                 policy = \"exponential\", base = \"1s\", cap = \"30s\", max_attempts = 4)"
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sim::retry::Strategy;

    fn fit(class: Class, base_ms: u64, attempts: u32) -> Fitted {
        Fitted {
            class,
            base: Nanos::from_millis(base_ms),
            cap: None,
            max_attempts: attempts,
            cap_seen: true,
            full_jitter: false,
            chains: 3,
        }
    }

    #[test]
    fn classes_take_the_median_base_and_largest_cap_unknowns_borrow() {
        let fits = [
            fit(Class::Exponential, 900, 3),
            fit(Class::Unknown, 0, 1),
            fit(Class::Exponential, 1000, 4),
            fit(Class::Exponential, 1100, 2),
        ];
        let (classes, of) = assign(&fits, None, 2);
        assert_eq!(of, vec![0, 1, 0, 0]);
        assert_eq!(classes[0].policy.max_attempts, 4);
        // No give-up seen: the longest chain is a lower bound, the cap is assumed.
        let unseen: Vec<Fitted> = fits
            .iter()
            .map(|f| Fitted {
                cap_seen: false,
                ..*f
            })
            .collect();
        assert_eq!(assign(&unseen, None, 10).0[0].policy.max_attempts, 10);
        assert_eq!(assign(&unseen, None, 2).0[0].policy.max_attempts, 4);
        match classes[0].policy.strategy {
            Strategy::Exponential(b) => assert_eq!(b.base, Nanos::from_secs(1)),
            s => panic!("{s:?}"),
        }
        assert_eq!(classes[1].source, Source::Borrowed("exponential"));
        assert_eq!(classes[1].policy, classes[0].policy);
        let assumed = RetryPolicy::none();
        let (classes, _) = assign(&fits, Some(assumed), 2);
        assert_eq!(
            (classes[1].source.clone(), classes[1].policy),
            (Source::Assumed, assumed)
        );
        let (classes, _) = assign(&[fit(Class::Unknown, 0, 1)], None, 2);
        assert_eq!(classes[0].source, Source::Default);
    }

    #[test]
    fn assume_retry_reads_a_retry_table_and_explains_a_bad_one() {
        let p = parse_assume(r#"policy = "fixed", delay = "2s", max_attempts = 3"#).unwrap();
        assert_eq!(p.max_attempts, 3);
        assert_eq!(
            p.strategy,
            Strategy::Fixed {
                delay: Nanos::from_secs(2)
            }
        );
        let e = parse_assume(r#"policy = "sometimes""#).unwrap_err();
        assert!(
            e.starts_with("--assume-retry `policy = \"sometimes\"`"),
            "{e}"
        );
        assert!(e.contains("sometimes"), "{e}");
    }
}
