//! Retry budgets: how many retries a client (or a fleet) may send, as a share of its calls or
//! from a bucket its successes refill. Each file cites the library it copies.

mod aws_quota;
mod deposit_bucket;
mod envoy_budget;
mod finagle_budget;
mod grpc_throttle;

pub use aws_quota::{aws_standard_policy, AwsQuotaConfig, AwsRetryQuota};
pub use deposit_bucket::{DepositBucket, DepositBucketConfig, DepositRule};
pub use envoy_budget::{EnvoyBudget, EnvoyBudgetConfig};
pub use finagle_budget::{FinagleBudget, FinagleBudgetConfig};
pub use grpc_throttle::{GrpcThrottle, GrpcThrottleConfig};
