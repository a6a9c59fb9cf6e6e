//! Which gateway a configuration is for, by name or by a look at the file.

use std::fmt;

/// A gateway configuration language.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Dialect {
    /// nginx `limit_req_zone` / `limit_req` / `limit_conn`.
    Nginx,
    /// HAProxy stick tables with `http_req_rate` / `conn_cur` and `http-request deny` rules.
    Haproxy,
    /// Envoy's `envoy.filters.http.local_ratelimit` HTTP filter.
    Envoy,
    /// envoyproxy/ratelimit's YAML (domains, descriptors).
    Ratelimit,
    /// Kong's `rate-limiting` plugin.
    Kong,
    /// AWS API Gateway usage plans (throttle and quota).
    Aws,
}

const ALL: [Dialect; 6] = [
    Dialect::Nginx,
    Dialect::Haproxy,
    Dialect::Envoy,
    Dialect::Ratelimit,
    Dialect::Kong,
    Dialect::Aws,
];

impl Dialect {
    /// Every dialect.
    pub fn all() -> &'static [Dialect] {
        &ALL
    }

    /// The name used by `--format`.
    pub fn name(self) -> &'static str {
        match self {
            Dialect::Nginx => "nginx",
            Dialect::Haproxy => "haproxy",
            Dialect::Envoy => "envoy",
            Dialect::Ratelimit => "ratelimit",
            Dialect::Kong => "kong",
            Dialect::Aws => "aws",
        }
    }

    /// Every dialect's name.
    pub fn names() -> Vec<&'static str> {
        ALL.iter().map(|d| d.name()).collect()
    }

    /// The dialect called `name`.
    ///
    /// ```
    /// assert_eq!(gateways::Dialect::from_name("haproxy"), Some(gateways::Dialect::Haproxy));
    /// assert_eq!(gateways::Dialect::from_name("iis"), None);
    /// ```
    pub fn from_name(name: &str) -> Option<Dialect> {
        ALL.iter().copied().find(|d| d.name() == name)
    }

    /// What the importer looks for (for "no rate limit found" errors).
    pub fn what_is_read(self) -> &'static str {
        match self {
            Dialect::Nginx => "expected `limit_req` or `limit_conn` directives",
            Dialect::Haproxy => {
                "expected a stick table storing http_req_rate or conn_cur, tracked and denied on"
            }
            Dialect::Envoy => "expected an envoy.filters.http.local_ratelimit filter",
            Dialect::Ratelimit => "expected a domain with descriptors",
            Dialect::Kong => "expected a rate-limiting plugin",
            Dialect::Aws => "expected a usage plan with a throttle or a quota",
        }
    }

    /// The dialect a file is written in, from its name, then from its content; `None` when
    /// neither says.
    ///
    /// ```
    /// use gateways::Dialect;
    /// assert_eq!(Dialect::detect("site/nginx.conf", ""), Some(Dialect::Nginx));
    /// assert_eq!(Dialect::detect("x.cfg", "frontend fe\n  stick-table type ip size 1m"), Some(Dialect::Haproxy));
    /// assert_eq!(Dialect::detect("x.txt", "hello"), None);
    /// ```
    pub fn detect(path: &str, text: &str) -> Option<Dialect> {
        let name = std::path::Path::new(path)
            .file_name()
            .map(|n| n.to_string_lossy().to_lowercase())
            .unwrap_or_default();
        let by_name = ALL.iter().copied().find(|d| name.contains(d.name()));
        by_name.or_else(|| ALL.iter().copied().find(|d| d.sniff(text)))
    }

    /// Whether `text` looks like this dialect.
    fn sniff(self, text: &str) -> bool {
        match self {
            Dialect::Nginx => crate::nginx::sniff(text),
            Dialect::Haproxy => crate::haproxy::sniff(text),
            Dialect::Envoy => crate::envoy::sniff(text),
            Dialect::Ratelimit => crate::ratelimit::sniff(text),
            Dialect::Kong => crate::kong::sniff(text),
            Dialect::Aws => crate::aws::sniff(text),
        }
    }
}

impl fmt::Display for Dialect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
