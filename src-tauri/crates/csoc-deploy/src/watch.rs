//! Watching a commons that was just launched: its services are probed again and again (the same
//! probes as the fleet board) until every expected one answers healthy, the time is up, or the
//! operator stops watching.

use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::sync::Semaphore;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use ts_rs::TS;

use csoc_gen3::{ClientOptions, Gen3Client};
use csoc_model::error::{CoreError, CoreResult};
use csoc_monitor::catalog::CATALOG;
use csoc_monitor::probe::{probe_commons_with, CommonsProbe, Known, ProbeCtx, ServiceProbe, ServiceState};
use csoc_monitor::sweep::SweepTarget;

#[derive(Debug, Clone)]
pub(crate) struct WatchOptions {
    /// Time between two probes of the commons (gen3-admin polls every 5 s).
    pub interval: Duration,
    /// Give up after this long (gen3-admin waits 10 minutes).
    pub timeout: Duration,
    /// The services the wizard enabled (chart names such as `fence`, `metadata`, `portal`). Those
    /// with a public status route are waited for; the others (arborist, portal, etl, ...) cannot be
    /// seen from outside and are listed as not checked. `None`: wait for every service that does
    /// not answer 404 (not deployed).
    pub expected: Option<Vec<String>>,
    /// Per request; a service still starting may hold a request open.
    pub request_timeout: Duration,
}

impl Default for WatchOptions {
    fn default() -> Self {
        Self {
            interval: Duration::from_secs(5),
            timeout: Duration::from_secs(600),
            expected: None,
            request_timeout: Duration::from_secs(5),
        }
    }
}

/// Where a launched commons is after one round of probes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct WatchProgress {
    /// The services waited for, in the board's order, with their state and why.
    pub services: Vec<ServiceProbe>,
    /// How many of `services` are healthy.
    pub healthy: u32,
    /// How many services are waited for (`services.len()`).
    pub expected: u32,
    /// The services not healthy yet.
    pub waiting_for: Vec<String>,
    /// Enabled services that have no public status route, so cannot be checked from here.
    pub not_checked: Vec<String>,
    /// The commons answered at all (revproxy or its load balancer).
    pub reachable: bool,
    /// Why it cannot be reached, in words.
    pub error: Option<String>,
    /// Rounds of probes so far.
    pub attempts: u32,
    #[ts(type = "number")]
    pub elapsed_ms: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum WatchResult {
    Healthy,
    TimedOut,
    Cancelled,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct WatchOutcome {
    pub result: WatchResult,
    /// The last round of probes (`None` when cancelled before the first finished).
    pub progress: Option<WatchProgress>,
    /// What happened, in words for the operator.
    pub message: String,
}

/// Probes `target` every `opts.interval` until it is healthy, `opts.timeout` passes or `cancel`
/// fires, reporting each round. Healthy: revproxy and every expected service answer healthy
/// (without an expected list: every service that does not answer 404, and at least one besides
/// revproxy, so a commons whose routes are not up yet is not taken for a healthy one).
pub(crate) async fn watch_until_healthy(
    target: SweepTarget,
    opts: WatchOptions,
    mut on_progress: impl FnMut(&WatchProgress),
    cancel: CancellationToken,
) -> CoreResult<WatchOutcome> {
    url::Url::parse(&target.base_url)
        .map_err(|_| CoreError::invalid(format!("“{}” is not the address of a commons.", target.base_url)))?;
    let client_opts = ClientOptions {
        connect_timeout: opts.request_timeout.min(Duration::from_secs(5)),
        request_timeout: opts.request_timeout,
        max_body_bytes: 2 * 1024 * 1024,
        extra_ca_pem: target.ca_pem.clone(),
    };
    // Health needs no login: the new commons has no key stored yet, and a key check each round
    // would only add token exchanges.
    let client = Gen3Client::new(&target.base_url, None, client_opts)?;
    let ctx = ProbeCtx {
        permits: Arc::new(Semaphore::new(8)),
        cancel: cancel.clone(),
        retries: 0,
        // A service that is starting is often slow; slow is still up.
        slow: opts.request_timeout,
        request_timeout: opts.request_timeout,
        checks: None,
    };
    let (wanted, not_checked) = split_expected(opts.expected.as_deref());
    // gen3-helm answers "service failure" for a service still starting and for one not deployed
    // alike: the enabled services say which is which.
    let known = Known { expected: opts.expected.as_ref().map(|e| e.iter().cloned().collect()), ..Known::default() };
    let started = Instant::now();
    let deadline = started + opts.timeout;
    let mut last: Option<WatchProgress> = None;
    let mut attempts = 0;
    loop {
        let probe =
            probe_commons_with(&ctx, &target.commons_id, &target.base_url, &client, target.ca_pem.as_deref(), &known)
                .await;
        let Some(probe) = probe else {
            return Ok(cancelled(last));
        };
        attempts += 1;
        let (progress, done) = assess(&probe, wanted.as_deref(), &not_checked, attempts, started.elapsed());
        on_progress(&progress);
        if done {
            let message = format!(
                "All {} services checked answer healthy after {}.",
                progress.expected,
                words(started.elapsed())
            );
            tracing::info!(commons = %target.commons_id, attempts, "launched commons is healthy");
            return Ok(WatchOutcome { result: WatchResult::Healthy, progress: Some(progress), message });
        }
        last = Some(progress);
        let now = Instant::now();
        if now >= deadline {
            return Ok(timed_out(last, opts.timeout));
        }
        // The last sleep ends at the deadline, so the last round looks at the commons then.
        let wake = (now + opts.interval).min(deadline);
        tokio::select! {
            _ = cancel.cancelled() => return Ok(cancelled(last)),
            _ = tokio::time::sleep_until(wake) => {}
        }
    }
}

/// The catalog services to wait for (always revproxy), and the enabled ones nobody can probe.
fn split_expected(expected: Option<&[String]>) -> (Option<Vec<&'static str>>, Vec<String>) {
    let Some(list) = expected else {
        return (None, Vec::new());
    };
    let wanted: Vec<&'static str> =
        CATALOG.iter().map(|d| d.id).filter(|id| *id == "revproxy" || list.iter().any(|s| s == id)).collect();
    let mut not_checked: Vec<String> =
        list.iter().filter(|s| !CATALOG.iter().any(|d| d.id == s.as_str())).cloned().collect();
    not_checked.sort();
    not_checked.dedup();
    (Some(wanted), not_checked)
}

fn assess(
    probe: &CommonsProbe,
    wanted: Option<&[&str]>,
    not_checked: &[String],
    attempts: u32,
    elapsed: Duration,
) -> (WatchProgress, bool) {
    let services: Vec<ServiceProbe> = match wanted {
        Some(ids) => ids
            .iter()
            .map(|id| {
                probe.services.iter().find(|s| s.service == *id).cloned().unwrap_or_else(|| ServiceProbe {
                    service: (*id).to_string(),
                    state: ServiceState::Unknown,
                    latency_ms: None,
                    version: None,
                    detail: None,
                })
            })
            .collect(),
        // Without a key the watch cannot see the routes behind the revproxy's authz check.
        None => probe
            .services
            .iter()
            .filter(|s| !matches!(s.state, ServiceState::NotDeployed | ServiceState::NeedsKey))
            .cloned()
            .collect(),
    };
    let waiting_for: Vec<String> =
        services.iter().filter(|s| s.state != ServiceState::Healthy).map(|s| s.service.clone()).collect();
    let healthy = (services.len() - waiting_for.len()) as u32;
    let done = probe.reachable && waiting_for.is_empty() && (wanted.is_some() || healthy >= 2);
    let progress = WatchProgress {
        expected: services.len() as u32,
        healthy,
        services,
        waiting_for,
        not_checked: not_checked.to_vec(),
        reachable: probe.reachable,
        error: probe.error.clone(),
        attempts,
        elapsed_ms: elapsed.as_millis().min(u64::MAX as u128) as u64,
    };
    (progress, done)
}

fn cancelled(last: Option<WatchProgress>) -> WatchOutcome {
    WatchOutcome {
        result: WatchResult::Cancelled,
        progress: last,
        message: "Stopped watching. The commons keeps starting; the fleet board shows its health.".into(),
    }
}

fn timed_out(last: Option<WatchProgress>, timeout: Duration) -> WatchOutcome {
    let message = match &last {
        Some(p) if !p.reachable => format!(
            "The commons could still not be reached after {}: {}",
            words(timeout),
            p.error.as_deref().unwrap_or("no answer")
        ),
        Some(p) => {
            let why: Vec<String> = p
                .services
                .iter()
                .filter(|s| s.state != ServiceState::Healthy)
                .map(|s| match &s.detail {
                    Some(d) => format!("{} ({d})", s.service),
                    None => format!("{} ({})", s.service, s.state.as_str()),
                })
                .collect();
            format!(
                "{} of {} services were healthy after {}. Still not healthy: {}. Check those pods (kubectl get pods, \
                 their logs); the fleet board keeps watching.",
                p.healthy,
                p.expected,
                words(timeout),
                why.join(", ")
            )
        }
        None => format!("No answer from the commons within {}.", words(timeout)),
    };
    WatchOutcome { result: WatchResult::TimedOut, progress: last, message }
}

fn words(d: Duration) -> String {
    let s = d.as_secs();
    match s {
        0 => format!("{} ms", d.as_millis()),
        1..=119 => format!("{s} s"),
        _ => format!("{} min", s / 60),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expected_services_split_into_probed_and_not_checked() {
        let list: Vec<String> = ["fence", "portal", "metadata", "arborist", "fence"].map(String::from).to_vec();
        let (wanted, not_checked) = split_expected(Some(&list));
        assert_eq!(wanted.unwrap(), vec!["revproxy", "fence", "metadata", "portal"]);
        assert_eq!(not_checked, vec!["arborist"]);
        assert_eq!(split_expected(None), (None, vec![]));
    }
}
