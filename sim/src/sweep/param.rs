//! A swept setting given on the command line (`--param PATH=VALUES`); the syntax of paths and
//! values is the scenario file's own `[sweep.params]` syntax
//! ([`crate::scenario::sweep_table`]).

use super::SweepError;
use crate::scenario::sweep_table::{check_path, parse_values, Param};

impl Param {
    /// Parse a command-line `PATH=VALUES`.
    ///
    /// ```
    /// use sim::sweep::Param;
    /// let p = Param::parse_arg("fleet.web.count=10..50:20").unwrap();
    /// assert_eq!(p.path, "fleet.web.count");
    /// assert_eq!(p.values, vec![10.into(), 30.into(), 50.into()]);
    /// let p = Param::parse_arg("fleet.web.retry.jitter=none,full").unwrap();
    /// assert_eq!(p.values, vec!["none".into(), "full".into()]);
    /// ```
    pub fn parse_arg(arg: &str) -> Result<Param, SweepError> {
        let bad = |message: String| SweepError::Param {
            arg: arg.to_string(),
            message,
        };
        let (path, values) = arg
            .split_once('=')
            .ok_or_else(|| bad("expected PATH=VALUES, such as fleet.web.count=10,20".into()))?;
        let path = path.trim();
        check_path(path).map_err(bad)?;
        let values = parse_values(values).map_err(bad)?;
        Ok(Param {
            path: path.to_string(),
            values,
        })
    }
}
