//! Distributions: `"5ms"` (a constant) or `{ dist = "...", ... }`, into
//! [`crate::model::Distribution`].

use super::cx::{sp, Cx, Variant, R};
use crate::model::Distribution;
use crate::scenario::spec::{DistSpec, DistTable};
use toml::Spanned;

/// The distributions of durations a scenario can name (`dist = "..."`).
pub const KNOWN: &[&str] = &[
    "constant",
    "exponential",
    "lognormal",
    "bimodal",
    "normal_abs",
    "uniform",
];

/// z such that P(N(0,1) <= z) = 0.99.
const Z99: f64 = 2.326_347_874_040_841;

/// Validate a distribution of durations.
pub(crate) fn dist(cx: &Cx, d: &Spanned<DistSpec>) -> R<Distribution> {
    match d.get_ref() {
        DistSpec::Fixed(v) => Ok(Distribution::Constant(v.0)),
        DistSpec::Table(t) => table(cx, t, d.span()),
    }
}

/// The keys distribution `name` takes besides `dist` (None: no such distribution).
pub fn keys(name: &str) -> Option<&'static [&'static str]> {
    Some(match name {
        "constant" => &["value"],
        "exponential" => &["mean"],
        "lognormal" => &["mean", "p99"],
        "bimodal" => &["low", "high", "p_high"],
        "normal_abs" => &["mean", "sd"],
        "uniform" => &["low", "high"],
        _ => return None,
    })
}

fn table(cx: &Cx, t: &DistTable, span: std::ops::Range<usize>) -> R<Distribution> {
    let name = t.dist.get_ref().as_str();
    let Some(takes) = keys(name) else {
        return Err(cx.unknown(&t.dist, "distribution", KNOWN));
    };
    let v = Variant {
        tag: "dist",
        name,
        takes,
    };
    cx.only(
        &v,
        &[
            ("value", sp(&t.value)),
            ("mean", sp(&t.mean)),
            ("p99", sp(&t.p99)),
            ("sd", sp(&t.sd)),
            ("low", sp(&t.low)),
            ("high", sp(&t.high)),
            ("p_high", sp(&t.p_high)),
        ],
    )?;
    macro_rules! req {
        ($f:expr, $n:expr) => {
            cx.required($f, $n, span.clone(), &v)
        };
    }
    Ok(match name {
        "constant" => Distribution::Constant(req!(&t.value, "value")?.get_ref().0),
        "exponential" => Distribution::Exponential {
            mean: cx.positive(req!(&t.mean, "mean")?, "mean")?,
        },
        "lognormal" => {
            let mean = cx.positive(req!(&t.mean, "mean")?, "mean")?;
            let p99s = req!(&t.p99, "p99")?;
            let p99 = p99s.get_ref().0;
            // mean = exp(mu + s^2/2), p99 = exp(mu + z s)  =>  ln(p99/mean) = z s - s^2/2,
            // which is at most z^2/2 (at s = z) and positive only when p99 > mean.
            let ratio = p99.0 as f64 / mean.0 as f64;
            if ratio <= 1.0 || ratio.ln() > Z99 * Z99 / 2.0 {
                return Err(cx.err(
                    p99s.span(),
                    format!(
                        "no lognormal has mean {mean} and p99 {p99}: `p99` must be above the \
                         mean and at most {:.1} times it",
                        (Z99 * Z99 / 2.0).exp()
                    ),
                ));
            }
            Distribution::Lognormal { mean, p99 }
        }
        "bimodal" => {
            let low = req!(&t.low, "low")?.get_ref().0;
            let highs = req!(&t.high, "high")?;
            let high = highs.get_ref().0;
            if high < low {
                return Err(cx.err(highs.span(), "`high` must not be below `low`"));
            }
            let p_high = cx.probability(
                cx.required(&t.p_high, "p_high", span.clone(), &v)?,
                "p_high",
            )?;
            Distribution::Bimodal { low, high, p_high }
        }
        "normal_abs" => Distribution::NormalAbs {
            mean: req!(&t.mean, "mean")?.get_ref().0,
            sd: req!(&t.sd, "sd")?.get_ref().0,
        },
        _ => {
            let low = req!(&t.low, "low")?.get_ref().0;
            let highs = req!(&t.high, "high")?;
            let high = highs.get_ref().0;
            if high < low {
                return Err(cx.err(highs.span(), "`high` must not be below `low`"));
            }
            Distribution::Uniform { low, high }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use limiters::Nanos;
    use serde::Deserialize;

    #[derive(Deserialize)]
    struct T {
        d: Spanned<DistSpec>,
    }

    fn load(text: &str) -> R<Distribution> {
        let t: T = toml::from_str(text).unwrap();
        dist(&Cx { file: "f", text }, &t.d)
    }

    #[test]
    fn bare_duration_is_a_constant_and_tables_parse() {
        assert_eq!(
            load("d = \"5ms\"").unwrap(),
            Distribution::Constant(Nanos::from_millis(5))
        );
        assert_eq!(
            load("d = { dist = \"lognormal\", mean = \"50ms\", p99 = \"400ms\" }").unwrap(),
            Distribution::Lognormal {
                mean: Nanos::from_millis(50),
                p99: Nanos::from_millis(400)
            }
        );
        assert!(matches!(
            load("d = { dist = \"bimodal\", low = \"1ms\", high = \"1s\", p_high = 0.1 }"),
            Ok(Distribution::Bimodal { p_high, .. }) if p_high == 0.1
        ));
    }

    #[test]
    fn impossible_and_misplaced_fields_are_errors() {
        let e = load("d = { dist = \"lognormal\", mean = \"50ms\", p99 = \"40ms\" }").unwrap_err();
        assert!(e.to_string().contains("no lognormal"), "{e}");
        let e = load("d = { dist = \"constant\", value = \"1s\", p99 = \"2s\" }").unwrap_err();
        assert!(e.to_string().contains("does not apply"), "{e}");
        let e = load("d = { dist = \"exponential\" }").unwrap_err();
        assert!(e.to_string().contains("missing field `mean`"), "{e}");
        let e = load("d = { dist = \"gamma\", mean = \"1s\" }").unwrap_err();
        assert!(e.to_string().contains("lognormal"), "{e}");
        let e = load("d = { dist = \"exponential\", mean = \"0s\" }").unwrap_err();
        assert!(e.to_string().contains("longer than zero"), "{e}");
    }
}
