//! The atlas's workload, the same at every point of the grid, and the scenario file of a
//! point: loaded through the ordinary loader and checked like any file a user writes.

use super::grid::{Design, Point};

/// The atlas's workload, the same at every point.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Workload {
    /// Clients, each its own API key.
    pub clients: u32,
    /// Each client's Poisson rate, requests per second.
    pub rate_per_client: u32,
    /// The global limit: `limit` per `window`.
    pub limit: u32,
    /// See [`Workload::limit`].
    pub window: String,
    /// Simulated time per run.
    pub duration: String,
}

impl Default for Workload {
    /// 40 clients (one API key each) at 5 requests/s each, 200 requests/s in all, against a
    /// global limit of 200 requests per 10 s sliding window (20/s): demand at 10 times the
    /// limit, so a design that lets up to N limits through shows it up to 10 replicas.
    /// One simulated minute: six windows. The exact sliding log makes one server's figure
    /// exactly 1.0, so every excess is the deployment's.
    fn default() -> Workload {
        Workload {
            clients: 40,
            rate_per_client: 5,
            limit: 200,
            window: "10s".into(),
            duration: "1m".into(),
        }
    }
}

/// The scenario file of `p` under workload `w`.
pub fn scenario_text(p: &Point, w: &Workload) -> String {
    let mut level = format!("state = \"{}\"\n", p.design.name());
    match (p.design, &p.interval) {
        (Design::Leases, Some(i)) => level += &format!("lease_period = \"{i}\"\n"),
        (_, Some(i)) => level += &format!("sync_interval = \"{i}\"\n"),
        _ => {}
    }
    if let Some(r) = &p.rtt {
        level += &format!("store_rtt = \"{r}\"\n");
    }
    format!(
        "name = \"atlas\"\n\
         description = \"{design}, {replicas} replicas, {balancer}\"\n\
         duration = \"{duration}\"\n\n\
         [[server.limiters]]\n\
         scope = \"global\"\n\
         algorithm = \"sliding_log\"\n\
         limit = {limit}\n\
         window = \"{window}\"\n\
         {level}\n\
         [deployment]\n\
         replicas = {replicas}\n\
         balancer = \"{balancer}\"\n\n\
         [fleet.api]\n\
         count = {clients}\n\
         keys = \"per-client\"\n\
         arrival = {{ process = \"poisson\", rate = \"{rate}/s\" }}\n",
        design = p.design.name(),
        replicas = p.replicas,
        balancer = p.balancer,
        duration = w.duration,
        limit = w.limit,
        window = w.window,
        clients = w.clients,
        rate = w.rate_per_client,
    )
}
