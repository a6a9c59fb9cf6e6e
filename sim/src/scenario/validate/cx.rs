//! The validation context: turns a span and a sentence into a located [`ScenarioError`], and
//! the small checks every table needs (positive durations, integer ranges, fields that apply
//! only to some variants).

use crate::scenario::spec::Opt;
use crate::scenario::{Dur, Located, ScenarioError};
use limiters::Nanos;
use std::ops::Range;
use toml::Spanned;

/// Result of a validation step.
pub(crate) type R<T> = Result<T, ScenarioError>;

/// The file being validated.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Cx<'a> {
    pub file: &'a str,
    pub text: &'a str,
}

impl Cx<'_> {
    /// An error at `span`.
    pub fn err(&self, span: Range<usize>, msg: impl AsRef<str>) -> ScenarioError {
        ScenarioError::At(Box::new(Located::new(
            self.file,
            self.text,
            Some(span),
            msg.as_ref(),
        )))
    }

    /// A duration that must be longer than zero.
    pub fn positive(&self, d: &Spanned<Dur>, what: &str) -> R<Nanos> {
        let v = d.get_ref().0;
        if v.is_zero() {
            return Err(self.err(d.span(), format!("`{what}` must be longer than zero")));
        }
        Ok(v)
    }

    /// An optional duration that, when given, must be longer than zero.
    pub fn positive_opt(&self, d: &Opt<Dur>, what: &str) -> R<Option<Nanos>> {
        d.as_ref().map(|d| self.positive(d, what)).transpose()
    }

    /// An integer in `lo..=hi`, converted to `T`.
    pub fn int<T: TryFrom<i64>>(&self, v: &Spanned<i64>, what: &str, lo: i64, hi: i64) -> R<T> {
        let x = *v.get_ref();
        if x < lo || x > hi {
            let msg = if x < lo && lo == 1 {
                format!("`{what}` must be at least 1, got {x}")
            } else if x < lo && lo == 0 {
                format!("`{what}` must not be negative, got {x}")
            } else {
                format!("`{what}` must be between {lo} and {hi}, got {x}")
            };
            return Err(self.err(v.span(), msg));
        }
        T::try_from(x).map_err(|_| self.err(v.span(), format!("`{what}` is out of range")))
    }

    /// An optional integer in `lo..=hi`, or `default`.
    pub fn int_or<T: TryFrom<i64>>(
        &self,
        v: &Opt<i64>,
        what: &str,
        lo: i64,
        hi: i64,
        default: T,
    ) -> R<T> {
        match v {
            Some(v) => self.int(v, what, lo, hi),
            None => Ok(default),
        }
    }

    /// A probability in `[0, 1]`.
    pub fn probability(&self, v: &Spanned<f64>, what: &str) -> R<f64> {
        let x = *v.get_ref();
        if !(0.0..=1.0).contains(&x) {
            return Err(self.err(
                v.span(),
                format!("`{what}` is a probability: expected a number from 0 to 1, got {x}"),
            ));
        }
        Ok(x)
    }

    /// An HTTP status in 400..=599 (what a limiter, a fault or a retry list speaks of).
    pub fn error_status(&self, v: &Spanned<i64>, what: &str) -> R<u16> {
        let x = *v.get_ref();
        if !(400..=599).contains(&x) {
            return Err(self.err(
                v.span(),
                format!("`{what}` must be an HTTP error status from 400 to 599, got {x}"),
            ));
        }
        Ok(x as u16)
    }

    /// The value of a field that the chosen variant requires.
    pub fn required<'s, T>(
        &self,
        v: &'s Opt<T>,
        field: &str,
        owner: Range<usize>,
        variant: &Variant,
    ) -> R<&'s Spanned<T>> {
        v.as_ref().ok_or_else(|| {
            self.err(
                owner,
                format!(
                    "missing field `{field}`: {} = \"{}\" needs {}",
                    variant.tag,
                    variant.name,
                    list(variant.takes)
                ),
            )
        })
    }

    /// Reject fields given but not used by the chosen variant (`p99` on a constant).
    pub fn only(&self, variant: &Variant, present: &[(&str, Option<Range<usize>>)]) -> R<()> {
        for (name, span) in present {
            if let Some(span) = span {
                if !variant.takes.contains(name) {
                    let takes = if variant.takes.is_empty() {
                        "no other fields".to_string()
                    } else {
                        format!("only {}", list(variant.takes))
                    };
                    return Err(self.err(
                        span.clone(),
                        format!(
                            "`{name}` does not apply to {} = \"{}\" (it takes {takes})",
                            variant.tag, variant.name
                        ),
                    ));
                }
            }
        }
        Ok(())
    }

    /// An unknown variant name: list the known ones.
    pub fn unknown(&self, v: &Spanned<String>, tag: &str, known: &[&str]) -> ScenarioError {
        self.err(
            v.span(),
            format!(
                "unknown {tag} `{}`{} (expected one of: {})",
                v.get_ref(),
                did_you_mean(v.get_ref(), known.iter().copied()),
                known.join(", ")
            ),
        )
    }
}

/// Which variant of a flat table was chosen, and the fields it takes.
#[derive(Debug)]
pub(crate) struct Variant<'a> {
    /// The tag field's name (`dist`, `process`, `kind`, `policy`).
    pub tag: &'a str,
    /// The chosen variant.
    pub name: &'a str,
    /// Fields it takes, besides the tag.
    pub takes: &'a [&'a str],
}

/// The span of an optional field, for [`Cx::only`].
pub(crate) fn sp<T>(v: &Opt<T>) -> Option<Range<usize>> {
    v.as_ref().map(Spanned::span)
}

fn list(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `", did you mean `x`?"` when one of `known` is within two edits of `name`, else `""`.
pub(crate) fn did_you_mean<'k>(name: &str, known: impl Iterator<Item = &'k str>) -> String {
    known
        .map(|k| (edit_distance(name, k), k))
        .filter(|(d, _)| *d <= 2)
        .min()
        .map_or(String::new(), |(_, k)| format!(", did you mean `{k}`?"))
}

/// Levenshtein distance (insertions, deletions, substitutions), over characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions_only_for_near_misses() {
        let known = ["poisson", "constant", "closed"];
        assert_eq!(
            did_you_mean("poison", known.into_iter()),
            ", did you mean `poisson`?"
        );
        assert_eq!(did_you_mean("uniform", known.into_iter()), "");
        assert_eq!(edit_distance("token_bukket", "token_bucket"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
    }
}
