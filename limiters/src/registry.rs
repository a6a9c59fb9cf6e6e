//! Algorithms by name, so scenario files can say `algorithm = "gcra"` and users can plug in
//! their own: implement [`crate::Limiter`], then [`Registry::register`] a factory.

use crate::{Limiter, LimiterError, Params};
use std::collections::BTreeMap;

/// Builds a limiter from parameters, validating them.
pub type Factory = fn(&Params) -> Result<Box<dyn Limiter>, LimiterError>;

/// Documentation of one parameter, for `throttlelab list` and error messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ParamDoc {
    /// The name as written in a scenario file.
    pub name: &'static str,
    /// What it takes and its default, e.g. `"rate such as 500/s (required)"`.
    pub help: &'static str,
}

/// A registered algorithm.
#[derive(Clone, Debug)]
pub struct Entry {
    /// Registered name.
    pub name: &'static str,
    /// One-line semantics, with the source it follows.
    pub summary: &'static str,
    /// Its parameters.
    pub params: &'static [ParamDoc],
    /// The constructor.
    pub factory: Factory,
}

/// Name -> algorithm.
///
/// ```
/// use limiters::{Registry, Params, Nanos};
/// let reg = Registry::builtin();
/// assert!(reg.build("no_such_thing", &Params::new()).is_err());
/// ```
#[derive(Clone, Debug, Default)]
pub struct Registry {
    entries: BTreeMap<&'static str, Entry>,
}

impl Registry {
    /// An empty registry.
    pub fn empty() -> Registry {
        Registry::default()
    }

    /// Every built-in algorithm.
    pub fn builtin() -> Registry {
        let mut r = Registry::empty();
        for entry in crate::builtin_entries() {
            r.register(entry);
        }
        r
    }

    /// Add (or replace) an algorithm.
    pub fn register(&mut self, entry: Entry) {
        self.entries.insert(entry.name, entry);
    }

    /// Build the algorithm `name` from `params`.
    pub fn build(&self, name: &str, params: &Params) -> Result<Box<dyn Limiter>, LimiterError> {
        let entry = self.get(name)?;
        params.reject_unknown(
            name,
            &entry.params.iter().map(|p| p.name).collect::<Vec<_>>(),
        )?;
        (entry.factory)(params)
    }

    /// The entry for `name`, or an error listing the known names.
    pub fn get(&self, name: &str) -> Result<&Entry, LimiterError> {
        self.entries
            .get(name)
            .ok_or_else(|| LimiterError::UnknownAlgorithm {
                name: name.to_string(),
                known: self.names().collect::<Vec<_>>().join(", "),
            })
    }

    /// Registered names, sorted.
    pub fn names(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.entries.keys().copied()
    }

    /// Registered entries, sorted by name.
    pub fn entries(&self) -> impl Iterator<Item = &Entry> {
        self.entries.values()
    }
}
