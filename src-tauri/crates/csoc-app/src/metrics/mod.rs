//! Fleet health for the team's Prometheus and Grafana: the cache as OpenMetrics, and the headless
//! `serve` that keeps it fresh.

pub(crate) mod exposition;
pub mod serve;
