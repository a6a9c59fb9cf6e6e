//! Timing, medians and the verdicts of `benches/limiter_ratios.rs`: interleaved rounds of
//! blocks, each timed by the wall clock and the thread's CPU time, paired per-round ratios,
//! and the sanity check against the quiet baseline recorded in `BENCHMARKS.md`.

use std::collections::BTreeMap;
use std::time::Instant;

/// One subject: a name and a closure that runs a block of `n` checks.
pub struct Case {
    pub name: &'static str,
    run: Box<dyn FnMut(u64)>,
}

impl std::fmt::Debug for Case {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Case").field("name", &self.name).finish()
    }
}

impl Case {
    pub fn new(name: &'static str, run: Box<dyn FnMut(u64)>) -> Case {
        Case { name, run }
    }
}

/// Nanoseconds this thread has run on a CPU (`CLOCK_THREAD_CPUTIME_ID`: exact, unlike the
/// tick-granular `/proc/thread-self/schedstat`).
pub fn cpu_ns() -> u64 {
    let t = rustix::time::clock_gettime(rustix::time::ClockId::ThreadCPUTime);
    u64::try_from(t.tv_sec).unwrap_or(0) * 1_000_000_000 + u64::try_from(t.tv_nsec).unwrap_or(0)
}

/// The three load averages of `/proc/loadavg` ("unknown" where there is none).
pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

/// The `key=value` numbers of the line holding `quiet-baseline:` in `text` (BENCHMARKS.md).
pub fn quiet_baseline(text: &str) -> BTreeMap<String, f64> {
    let Some(line) = text.lines().find(|l| l.contains("quiet-baseline:")) else {
        return BTreeMap::new();
    };
    line.split(|c: char| c.is_whitespace() || c == '`' || c == ',')
        .filter_map(|t| t.split_once('='))
        .filter_map(|(k, v)| Some((k.to_string(), v.parse().ok()?)))
        .collect()
}

pub fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
}

/// Samples of one run: per subject, (wall, CPU) nanoseconds per check, one pair per round.
#[derive(Debug)]
pub struct Run {
    pub rounds: usize,
    samples: BTreeMap<&'static str, Vec<(f64, f64)>>,
    order: Vec<&'static str>,
}

impl Run {
    pub fn new(rounds: usize) -> Run {
        Run {
            rounds,
            samples: BTreeMap::new(),
            order: Vec::new(),
        }
    }

    /// One untimed warm-up block of each case, then `rounds` rounds of one timed block of
    /// each, the order rotated by one every round.
    pub fn measure(&mut self, cases: &mut [Case], block: u64) {
        for c in cases.iter_mut() {
            (c.run)(block);
            self.order.push(c.name);
        }
        let n = cases.len();
        for r in 0..self.rounds {
            for k in 0..n {
                let c = &mut cases[(r + k) % n];
                let (c0, w0) = (cpu_ns(), Instant::now());
                (c.run)(block);
                let wall = w0.elapsed().as_nanos() as f64;
                let cpu = cpu_ns().saturating_sub(c0) as f64;
                let per = block as f64;
                let s = self.samples.entry(c.name).or_default();
                s.push((wall / per, cpu / per));
            }
        }
    }

    fn column(&self, name: &str, cpu: bool) -> Vec<f64> {
        self.samples[name]
            .iter()
            .map(|&(w, c)| if cpu { c } else { w })
            .collect()
    }

    /// Median ns per check of `name` by CPU time.
    pub fn cpu_median(&self, name: &str) -> f64 {
        median(self.column(name, true))
    }

    /// Median over rounds of `ours / base` in the same round.
    fn paired(&self, ours: &str, base: &str, cpu: bool) -> f64 {
        let (o, b) = (self.column(ours, cpu), self.column(base, cpu));
        median(o.iter().zip(&b).map(|(o, b)| o / b).collect())
    }

    /// Every subject: median wall and CPU ns per check, and wall / CPU (above 1: the thread
    /// waited for a core).
    pub fn print_table(&self) {
        println!("| subject | wall ns/check | CPU ns/check | min CPU | wall/CPU |");
        println!("|---|---|---|---|---|");
        for name in &self.order {
            let (w, c) = (median(self.column(name, false)), self.cpu_median(name));
            let min = self.column(name, true).into_iter().fold(f64::MAX, f64::min);
            println!("| `{name}` | {w:.2} | {c:.2} | {min:.2} | {:.2} |", w / c);
        }
    }

    /// The target ratios: (label, ours, baseline), each against `bound`. `valid`: the
    /// sanity verdict (`None` in a smoke run, where nothing is claimed).
    pub fn print_ratios(&self, ratios: &[(&str, &str, &str)], bound: f64, valid: Option<bool>) {
        println!("| target | ours / baseline, wall | CPU time | bound | met (CPU) |");
        println!("|---|---|---|---|---|");
        for (label, ours, base) in ratios {
            let (w, c) = (
                self.paired(ours, base, false),
                self.paired(ours, base, true),
            );
            let met = match (valid, c <= bound) {
                (None, _) => "n/a (smoke run)",
                (Some(false), true) => "void run (yes if valid)",
                (Some(false), false) => "void run (no)",
                (Some(true), true) => "yes",
                (Some(true), false) => "no",
            };
            println!("| {label} | **{w:.2}** | **{c:.2}** | <= {bound} | {met} |");
        }
    }

    /// The sanity row: each (subject, key of `quiet`) within `tol` of its quiet value, or the
    /// whole run is VOID. Prints each row and the verdict; true when valid.
    pub fn sanity(&self, rows: &[(&str, &str)], quiet: &BTreeMap<String, f64>, tol: f64) -> bool {
        let mut void = Vec::new();
        for (name, key) in rows {
            let now = self.cpu_median(name);
            match quiet.get(*key) {
                Some(q) => {
                    let off = now / q - 1.0;
                    println!(
                        "sanity: {name} {now:.2} ns (CPU) vs quiet {q:.2} ns: {:+.0}%",
                        off * 100.0
                    );
                    if off.abs() > tol {
                        void.push(format!(
                            "{name} is {:+.0}% off its quiet value",
                            off * 100.0
                        ));
                    }
                }
                None => void.push(format!("no {key}= on BENCHMARKS.md's quiet-baseline line")),
            }
        }
        if void.is_empty() {
            println!(
                "VALID: the baselines are within {:.0}% of their quiet values",
                tol * 100.0
            );
        } else {
            println!(
                "VOID run ({}): the machine, not the code, was measured",
                void.join("; ")
            );
        }
        void.is_empty()
    }
}
