//! Every problem of a scenario in one pass: validation goes on after a bad value (with the
//! sections that do not depend on it) and reports all it found, in file order, so a user with
//! three typos fixes three, not one per run. Sections that depend on a bad value (the faults on
//! a bad `duration`) are skipped rather than checked against a guess.

use super::cx::R;
use crate::scenario::{Located, ScenarioError};

/// The problems found so far.
#[derive(Debug, Default)]
pub(crate) struct Problems {
    found: Vec<Located>,
    /// An error without a place in the file (cannot come from validation; kept, never lost).
    other: Option<ScenarioError>,
}

impl Problems {
    /// The value of `r`, or `None` with its problem noted.
    pub fn take<T>(&mut self, r: R<T>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(e) => {
                self.note(e);
                None
            }
        }
    }

    /// Note a problem.
    pub fn note(&mut self, e: ScenarioError) {
        match e {
            ScenarioError::At(l) => self.found.push(*l),
            ScenarioError::Several(all) => self.found.extend(all),
            other => {
                self.other.get_or_insert(other);
            }
        }
    }

    /// `Ok` when nothing was found, else one error with every problem, in file order.
    pub fn finish(mut self) -> R<()> {
        if let Some(e) = self.other {
            return Err(e);
        }
        self.found.sort_by_key(|l| (l.line, l.col));
        self.found.dedup();
        match self.found.len() {
            0 => Ok(()),
            1 => Err(ScenarioError::At(Box::new(self.found.remove(0)))),
            _ => Err(ScenarioError::Several(self.found)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::validate::Cx;

    const TEXT: &str = "a = 1\nb = 2\nc = 3\n";

    #[test]
    fn nothing_found_is_ok_one_is_at_several_are_sorted_by_place() {
        let cx = Cx {
            file: "x.toml",
            text: TEXT,
        };
        assert!(Problems::default().finish().is_ok());
        let mut p = Problems::default();
        assert_eq!(p.take(Ok::<_, ScenarioError>(7)), Some(7));
        assert!(p.take::<()>(Err(cx.err(6..7, "b is wrong"))).is_none());
        assert!(matches!(p.finish(), Err(ScenarioError::At(l)) if l.line == 2));
        let mut p = Problems::default();
        p.note(cx.err(12..13, "c is wrong"));
        p.note(cx.err(0..1, "a is wrong"));
        p.note(cx.err(0..1, "a is wrong"));
        let e = p.finish().unwrap_err();
        let lines: Vec<usize> = e.problems().iter().map(|l| l.line).collect();
        assert_eq!(lines, [1, 3], "sorted, duplicates once");
        assert!(e.to_string().starts_with("x.toml: 2 problems"), "{e}");
        assert_eq!(e.location().map(|l| l.line), Some(1));
    }
}
