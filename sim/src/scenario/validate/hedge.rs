//! `[fleet.<name>.hedge]` into a [`HedgeConfig`]: `delay` is a duration or a percentile
//! (`"p95"`), `max_hedges` copies after the first (1..=4), `non_fatal` statuses.

use super::cx::{Cx, R};
use crate::client::hedge::{HedgeConfig, HedgeDelay, MAX_COPIES};
use crate::retry::StatusSet;
use crate::scenario::gate_spec::HedgeTable;
use toml::Spanned;

/// Validate a fleet's hedge table.
pub(crate) fn hedge(cx: &Cx, h: &Spanned<HedgeTable>) -> R<HedgeConfig> {
    let h = h.get_ref();
    let text = h.delay.get_ref().trim();
    let delay = match text.strip_prefix('p') {
        Some(pct) => {
            let p: f64 = pct.parse().map_err(|_| {
                cx.err(
                    h.delay.span(),
                    format!(
                        "`delay` percentile `{text}` is not a number: write \"p95\" or \"p99.9\""
                    ),
                )
            })?;
            if !(p > 0.0 && p < 100.0) {
                return Err(cx.err(
                    h.delay.span(),
                    format!("`delay` percentile must be above 0 and below 100, got {p}"),
                ));
            }
            HedgeDelay::Percentile(p)
        }
        None => {
            let d = limiters::parse_duration(text).map_err(|e| {
                cx.err(
                    h.delay.span(),
                    format!("`delay` is a duration such as \"50ms\" or a percentile such as \"p95\": {e}"),
                )
            })?;
            if d.is_zero() {
                return Err(cx.err(h.delay.span(), "`delay` must be longer than zero"));
            }
            HedgeDelay::Fixed(d)
        }
    };
    let max_hedges: u32 =
        cx.int_or(&h.max_hedges, "max_hedges", 1, i64::from(MAX_COPIES - 1), 1)?;
    let mut out = HedgeConfig::new(delay, max_hedges);
    if let Some(list) = &h.non_fatal {
        let mut set = StatusSet::empty();
        for s in list.get_ref() {
            set.insert(cx.error_status(s, "non_fatal")?);
        }
        out.non_fatal = set;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use crate::client::hedge::HedgeDelay;
    use limiters::Nanos;

    fn load(hedge: &str) -> Result<crate::model::Scenario, String> {
        let text = format!(
            "name = \"h\"\nduration = \"1m\"\n[fleet.web]\ncount = 1\narrival = {{ process = \"poisson\", rate = \"1/s\" }}\n[fleet.web.hedge]\n{hedge}\n"
        );
        crate::scenario::load_str("h.toml", &text).map_err(|e| e.to_string())
    }

    #[test]
    fn delay_is_a_duration_or_a_percentile() {
        let s = load("delay = \"40ms\"\nmax_hedges = 2\nnon_fatal = [503]").unwrap();
        let h = s.fleets[0].hedge.unwrap();
        assert_eq!(h.delay, HedgeDelay::Fixed(Nanos::from_millis(40)));
        assert_eq!(h.max_attempts, 3);
        assert!(h.non_fatal.contains(503) && !h.non_fatal.contains(500));
        let p = load("delay = \"p99.5\"").unwrap().fleets[0].hedge.unwrap();
        assert_eq!(p.delay, HedgeDelay::Percentile(99.5));
        assert_eq!(p.max_attempts, 2);
        assert!(p.non_fatal.contains(500) && !p.non_fatal.contains(429));
    }

    #[test]
    fn bad_values_point_at_the_field() {
        let e = load("delay = \"p100\"").unwrap_err();
        assert!(
            e.starts_with("h.toml:7:9:") && e.contains("percentile"),
            "{e}"
        );
        let e = load("delay = \"0ms\"").unwrap_err();
        assert!(e.contains("longer than zero"), "{e}");
        let e = load("delay = \"soon\"").unwrap_err();
        assert!(e.contains("`delay` is a duration"), "{e}");
        let e = load("delay = \"5ms\"\nmax_hedges = 5").unwrap_err();
        assert!(
            e.starts_with("h.toml:8:14:") && e.contains("max_hedges"),
            "{e}"
        );
        let e = load("delay = \"5ms\"\nnon_fatal = [200]").unwrap_err();
        assert!(e.contains("non_fatal"), "{e}");
        let e = load("delay = \"5ms\"\nmax_attempts = 2").unwrap_err();
        assert!(e.contains("max_attempts"), "{e}");
    }
}
