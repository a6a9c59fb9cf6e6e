//! The retry policies with their parameters and one-line semantics, for `throttlelab list`.

/// One parameter of a policy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PolicyParam {
    /// The key in a scenario's `[fleet.<name>.retry]` table.
    pub name: &'static str,
    /// What it takes and its default.
    pub help: &'static str,
}

/// One retry policy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PolicyDoc {
    /// `policy = "<name>"`.
    pub name: &'static str,
    /// One-line semantics.
    pub summary: &'static str,
    /// Parameters specific to it.
    pub params: &'static [PolicyParam],
}

const COMMON: &[PolicyParam] = &[
    PolicyParam {
        name: "max_attempts",
        help: "attempts in total, the first included (default 4)",
    },
    PolicyParam {
        name: "retry_on",
        help: "statuses retried (default [408, 425, 429, 500..599]; never other 4xx)",
    },
    PolicyParam {
        name: "retry_timeouts",
        help: "retry a client-side attempt timeout (default true)",
    },
];

const BACKOFF: &[PolicyParam] = &[
    PolicyParam {
        name: "base",
        help: "first delay (default 100ms)",
    },
    PolicyParam {
        name: "cap",
        help: "largest delay (default 20s)",
    },
    PolicyParam {
        name: "jitter",
        help: "none | full | equal | decorrelated | \"+P%\" (v plus up to P % of v) (default full)",
    },
];

const RETRY_AFTER: &[PolicyParam] = &[
    PolicyParam {
        name: "jitter",
        help: "uniform [0, jitter) added to Retry-After, or \"+P%\": up to P % of it (default 0s)",
    },
    PolicyParam {
        name: "cap",
        help: "longest wait; longer Retry-After values are clamped (default none)",
    },
    PolicyParam {
        name: "use_reset",
        help: "use X-RateLimit-Reset when Retry-After is absent (default false)",
    },
    PolicyParam {
        name: "fallback",
        help: "backoff table {base, cap, jitter} when the server gave no hint",
    },
];

/// Every policy, in a stable order.
///
/// ```
/// let names: Vec<_> = sim::retry::catalog().iter().map(|p| p.name).collect();
/// assert_eq!(names, ["none", "immediate", "fixed", "exponential", "retry_after",
///                    "randomize_then_cap", "polly_v2"]);
/// ```
pub fn catalog() -> &'static [PolicyDoc] {
    &[
        PolicyDoc {
            name: "none",
            summary: "one attempt, never retry",
            params: &[],
        },
        PolicyDoc {
            name: "immediate",
            summary: "retry at once, up to max_attempts (the retry-storm baseline)",
            params: COMMON,
        },
        PolicyDoc {
            name: "fixed",
            summary: "retry after the same `delay` every time (synchronised retries)",
            params: &[PolicyParam {
                name: "delay",
                help: "the delay (required)",
            }],
        },
        PolicyDoc {
            name: "exponential",
            summary: "min(cap, base*2^n) with jitter none/full/equal/decorrelated (Brooker, AWS Architecture Blog, 2015)",
            params: BACKOFF,
        },
        PolicyDoc {
            name: "retry_after",
            summary: "wait the server's Retry-After (+ jitter, capped); exponential backoff when absent (RFC 9110 10.2.3)",
            params: RETRY_AFTER,
        },
        PolicyDoc {
            name: "randomize_then_cap",
            summary: "base * multiplier^(n-1) randomised by +-factor, then capped: jitter vanishes at the cap (Resilience4j IntervalFunction.ofExponentialRandomBackoff)",
            params: &[
                PolicyParam {
                    name: "base",
                    help: "initial interval (default 500ms)",
                },
                PolicyParam {
                    name: "multiplier",
                    help: "growth per retry (default 1.5)",
                },
                PolicyParam {
                    name: "randomization_factor",
                    help: "uniform within +-factor of the interval, 0..1 (default 0.5)",
                },
                PolicyParam {
                    name: "cap",
                    help: "maxInterval, applied after randomising (default 20s)",
                },
            ],
        },
        PolicyDoc {
            name: "polly_v2",
            summary: "t = n + rand, f(t) = 2^t * tanh(sqrt(4t)), delay = (f(t) - f(prev)) / 1.4 * base; no cap (Polly.Contrib.WaitAndRetry DecorrelatedJitterBackoffV2)",
            params: &[PolicyParam {
                name: "base",
                help: "meanFirstDelay (default 100ms)",
            }],
        },
    ]
}

/// Parameters every policy but `none` takes.
pub fn common_params() -> &'static [PolicyParam] {
    COMMON
}
