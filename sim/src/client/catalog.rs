//! Every client resilience strategy with its parameters (and defaults) and its source, for
//! `throttlelab list`. Gates are configured as `[[fleet.<name>.gates]]` tables with
//! `kind = "<name>"`; the others are library functions or client/server options.

use crate::retry::PolicyParam;

/// Where a strategy plugs in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StrategyKind {
    /// A fleet-wide (or per-client) gate consulted before each attempt.
    Gate,
    /// A backoff formula.
    Backoff,
    /// Client behaviour (hedging, header reading).
    Client,
    /// Server behaviour (idempotency store).
    Server,
    /// An analytic / Monte Carlo model.
    Model,
}

impl StrategyKind {
    /// Lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            StrategyKind::Gate => "gate",
            StrategyKind::Backoff => "backoff",
            StrategyKind::Client => "client",
            StrategyKind::Server => "server",
            StrategyKind::Model => "model",
        }
    }
}

/// One strategy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StrategyDoc {
    /// Name (`kind = "<name>"` for gates).
    pub name: &'static str,
    /// Where it plugs in.
    pub kind: StrategyKind,
    /// One-line semantics.
    pub summary: &'static str,
    /// Where the rule and constants come from.
    pub source: &'static str,
    /// Parameters and defaults.
    pub params: &'static [PolicyParam],
}

macro_rules! params {
    ($($n:literal => $h:literal),* $(,)?) => { &[$(PolicyParam { name: $n, help: $h }),*] };
}

const SCOPE: PolicyParam = PolicyParam {
    name: "scope",
    help: "fleet (one shared state) | client (one per client) (default fleet)",
};

/// Every strategy, in a stable order.
///
/// ```
/// let c = sim::client::catalog::catalog();
/// assert!(c.iter().any(|s| s.name == "aws_standard"));
/// assert!(c.iter().all(|s| !s.source.is_empty()));
/// ```
pub fn catalog() -> &'static [StrategyDoc] {
    &[
        StrategyDoc {
            name: "aws_standard",
            kind: StrategyKind::Gate,
            summary: "retry quota: 500 tokens, retry -5, retry after timeout -10, success +1 (or the retry's cost); pair with max_attempts 3, full jitter base 1s cap 20s",
            source: "botocore retries/quota.py, standard.py (RetryQuotaChecker); AWS SDKs reference guide 'Retry behavior'",
            params: params!["capacity" => "500", "retry_cost" => "5", "timeout_cost" => "10", "success_refund" => "1"],
        },
        StrategyDoc {
            name: "aws_adaptive",
            kind: StrategyKind::Gate,
            summary: "standard quota + client rate limiter: token bucket (min fill 0.5/s) set by CUBIC (beta 0.7, C 0.4) from the measured rate (smoothing 0.8, 0.5s buckets); throttle: rate = min(measured, fill) * 0.7",
            source: "botocore retries/adaptive.py, throttling.py, bucket.py; aws-smithy-runtime client_rate_limiter.rs",
            params: params!["throttle_on" => "statuses that are throttles (default [429])", "capacity" => "quota, 500"],
        },
        StrategyDoc {
            name: "grpc_throttle",
            kind: StrategyKind::Gate,
            summary: "tokens start at max_tokens; failure -1, success +token_ratio; retries and hedges only while tokens > max_tokens/2",
            source: "gRFC A6 'gRPC Retry Design', Throttling Retry Attempts and Hedged RPCs",
            params: params!["max_tokens" => "1..=1000 (default 10)", "token_ratio" => "3 decimals (default 0.1)", "failure_on" => "default [408, 425, 429, 5xx]"],
        },
        StrategyDoc {
            name: "envoy_budget",
            kind: StrategyKind::Gate,
            summary: "concurrent retries <= max(budget_percent of active requests, min_retry_concurrency)",
            source: "Envoy CircuitBreakers.Thresholds.RetryBudget",
            params: params!["budget_percent" => "default 20", "min_retry_concurrency" => "default 3"],
        },
        StrategyDoc {
            name: "finagle_budget",
            kind: StrategyKind::Gate,
            summary: "each request deposits 1000, a retry withdraws 1000/percent; reserve min_retries_per_sec * ttl; deposits expire after ttl (10 slices)",
            source: "Finagle com.twitter.finagle.service.RetryBudget; com.twitter.util.TokenBucket.newLeakyBucket",
            params: params!["ttl" => "1s..=60s (default 10s)", "min_retries_per_sec" => "default 10", "percent_can_retry" => "default 0.2"],
        },
        StrategyDoc {
            name: "retry_bucket",
            kind: StrategyKind::Gate,
            summary: "brooker_post: each success deposits a fraction of a token, a retry takes one, retry only with a whole token; brooker_code: each call started deposits, retry only above one token",
            source: "M. Brooker, 'Fixing retries with token buckets and circuit breakers', brooker.co.za 2022 (the post); mbrooker/simulator_example retry_sim/retry_strategy.py AdaptiveRetryStrategy (the code behind its figures: capacity 5)",
            params: params!["rule" => "brooker_post | brooker_code (default brooker_post)", "deposit" => "default 0.1", "withdraw" => "default 1", "capacity" => "default 10", "initial" => "default = capacity"],
        },
        StrategyDoc {
            name: "circuit_breaker",
            kind: StrategyKind::Gate,
            summary: "closed -> open when failure (or slow-call) rate >= threshold over a count/time window with a minimum of calls; open for wait; half-open probes decide",
            source: "Resilience4j CircuitBreakerConfig / CircuitBreakerStateMachine",
            params: params![
                "failure_rate_threshold" => "percent, 50",
                "sliding_window_type" => "count | time (default count)",
                "sliding_window_size" => "calls or seconds, 100",
                "minimum_calls" => "100",
                "wait_in_open" => "60s",
                "half_open_calls" => "10",
                "slow_call_duration" => "60s",
                "slow_call_rate_threshold" => "percent, 100",
                "retries_only" => "refuse only retries when open (default false)",
            ],
        },
        StrategyDoc {
            name: "ratio_breaker",
            kind: StrategyKind::Gate,
            summary: "retry only while failed attempts / calls started <= max_failure_ratio over the client's life; first attempts always pass",
            source: "mbrooker/simulator_example retry_sim/retry_strategy.py CircuitBreakerRetryStrategy (Brooker 2022, 'Fixing retries...', with 3 retries and 0.1)",
            params: params!["max_failure_ratio" => "default 0.1"],
        },
        StrategyDoc {
            name: "sre_throttle",
            kind: StrategyKind::Gate,
            summary: "reject locally with probability max(0, (requests - K*accepts) / (requests + 1)) over 2 minutes",
            source: "Google SRE book, ch. 21 'Handling Overload', client-side throttling",
            params: params!["k" => "default 2.0", "window" => "default 120s (1s slices)", "reject_on" => "default [429, 503]"],
        },
        StrategyDoc {
            name: "randomize_then_cap",
            kind: StrategyKind::Backoff,
            summary: "initial * multiplier^(n-1), randomised +-factor, THEN capped: clients resynchronise at the cap",
            source: "Resilience4j IntervalFunction.ofExponentialRandomBackoff",
            params: params!["initial" => "initialInterval, a duration (default 500ms)", "multiplier" => "growth per retry (default 1.5)", "randomization_factor" => "within +-factor, 0..1 (default 0.5)", "max" => "maxInterval: the policy's `cap`, a duration (default 20s)"],
        },
        StrategyDoc {
            name: "polly_v2",
            kind: StrategyKind::Backoff,
            summary: "t = n + rand; f(t) = 2^t * tanh(sqrt(4t)); delay = (f(t) - f(prev)) / 1.4 * mean_first_delay",
            source: "Polly.Contrib.WaitAndRetry Backoff.DecorrelatedJitterBackoffV2",
            params: params!["mean_first_delay" => "meanFirstDelay, a duration: the policy's `base` (default 100ms)"],
        },
        StrategyDoc {
            name: "hedging",
            kind: StrategyKind::Client,
            summary: "[fleet.<name>.hedge]: send another copy after delay if nothing answered, up to max_hedges per round; first success wins, late copies are discarded (counted, their work wasted); a non-fatal failure sends the next copy at once, a fatal one cancels the round; the retry policy decides only when the round has failed; gates are asked before each hedge",
            source: "Dean & Barroso, 'The Tail at Scale', CACM 56(2) 2013; gRFC A6 'gRPC Retry Design' hedgingPolicy (hedgingDelay, maxAttempts, nonFatalStatusCodes) and throttling",
            params: params![
                "delay" => "required: a duration (hedgingDelay) or a percentile of observed latency, \"p95\" (after 100 samples)",
                "max_hedges" => "copies after the first, 1..=4 (maxAttempts - 1; default 1)",
                "non_fatal" => "statuses that send the next copy at once (default 5xx); others are fatal",
            ],
        },
        StrategyDoc {
            name: "header_client",
            kind: StrategyKind::Client,
            summary: "wait what Retry-After / X-RateLimit-Reset / IETF RateLimit say, read with a reset interpretation and a clock skew; epoch_as_delay is the classic bug",
            source: "RFC 9110 10.2.3; draft-ietf-httpapi-ratelimit-headers; seeds 002-004",
            params: params!["reset" => "auto | delta | epoch | epoch-ms", "skew" => "client clock minus server's", "source" => "retry_after | reset | any"],
        },
        StrategyDoc {
            name: "idempotency_store",
            kind: StrategyKind::Server,
            summary: "same key+body replays the stored response (no quota), different body -> 409, in progress -> 409; bounded, TTL",
            source: "seeds 002, 004; Stripe Idempotency-Key; draft-ietf-httpapi-idempotency-key-header",
            params: params!["ttl" => "how long a key is kept (default 24h)", "capacity" => "keys held, a whole number (default 1000000)"],
        },
        StrategyDoc {
            name: "retry_layers",
            kind: StrategyKind::Model,
            summary: "L layers each retrying k times: up to k^L calls at the bottom; closed form and Monte Carlo",
            source: "Google SRE book ch. 22 'Addressing Cascading Failures'; AWS Builders' Library 'Timeouts, retries and backoff with jitter'",
            params: params!["attempts" => "per layer, top first: a list of integers (default [3, 3, 3, 3, 3])", "p" => "bottom failure probability, a number in [0, 1]"],
        },
    ]
}

/// The `scope` parameter every gate takes.
pub fn scope_param() -> PolicyParam {
    SCOPE
}
