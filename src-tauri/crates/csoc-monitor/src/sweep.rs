//! A sweep: probes many commons at once with a bound on requests in flight, per-request timeouts,
//! retries with backoff, progress reports and cancellation. Only completed commons are returned.

use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;
use ts_rs::TS;

use super::probe::{probe_commons_with, CommonsProbe, ProbeCtx};
use csoc_gen3::{http_client_with, tls_config, ClientOptions, Gen3Client};
use csoc_model::credentials::ApiKey;
use csoc_model::error::CoreResult;

pub struct SweepTarget {
    pub commons_id: String,
    pub base_url: String,
    /// The stored key; `Some(Err(..))` when one is stored but could not be read (no keyring, a
    /// locked vault), which the key check reports instead of skipping.
    pub api_key: Option<CoreResult<ApiKey>>,
    pub ca_pem: Option<String>,
}

#[derive(Debug, Clone)]
pub struct SweepOptions {
    /// Requests in flight across the whole sweep.
    pub concurrency: usize,
    pub client: ClientOptions,
    pub retries: u32,
    /// A healthy answer slower than this is "degraded".
    pub slow: Duration,
}

impl Default for SweepOptions {
    fn default() -> Self {
        Self {
            concurrency: 128,
            client: ClientOptions {
                connect_timeout: Duration::from_secs(5),
                request_timeout: Duration::from_secs(10),
                max_body_bytes: 2 * 1024 * 1024,
                extra_ca_pem: None,
            },
            retries: 1,
            slow: Duration::from_secs(3),
        }
    }
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct SweepProgress {
    pub done: u32,
    pub total: u32,
}

pub struct SweepResult {
    pub probes: Vec<CommonsProbe>,
    pub cancelled: bool,
    pub started_at: i64,
    pub finished_at: i64,
}

/// Probes the plan's targets with what is known of each.
pub async fn run(
    plan: super::SweepPlan,
    opts: &SweepOptions,
    cancel: CancellationToken,
    on_progress: impl Fn(SweepProgress) + Send + Sync + 'static,
) -> CoreResult<SweepResult> {
    let started_at = csoc_model::model::now_ms();
    raise_open_files_limit();
    // One TLS setup per trust store; one small client per commons, so a finished commons' sockets
    // close at once and a sweep of 1,000 commons stays far below the usual 1,024 open-files limit.
    let shared_tls = tls_config(None)?;
    let ctx = Arc::new(ProbeCtx {
        permits: Arc::new(Semaphore::new(opts.concurrency.max(1))),
        cancel: cancel.clone(),
        retries: opts.retries,
        slow: opts.slow,
        request_timeout: opts.client.request_timeout,
        checks: Some(plan.checks),
    });
    let super::SweepPlan { targets, known, .. } = plan;
    let total = targets.len() as u32;
    let on_progress = Arc::new(on_progress);
    on_progress(SweepProgress { done: 0, total });
    let commons_permits = Arc::new(Semaphore::new((opts.concurrency / 2).max(1)));
    let mut set = tokio::task::JoinSet::new();
    for t in targets {
        let ctx = ctx.clone();
        let known = known.get(&t.commons_id).cloned().unwrap_or_default();
        let tls = match &t.ca_pem {
            Some(pem) => match tls_config(Some(pem)) {
                Ok(tls) => tls,
                Err(e) => {
                    // A bad private CA fails its own commons, never the sweep.
                    let why = format!("Its private CA cannot be used: {}", e.message);
                    set.spawn(async move {
                        Some(CommonsProbe::unreachable(&t.commons_id, csoc_model::model::now_ms(), why, None))
                    });
                    continue;
                }
            },
            None => shared_tls.clone(),
        };
        let client_opts = opts.client.clone();
        let permits = commons_permits.clone();
        set.spawn(async move {
            let _slot = tokio::select! {
                _ = ctx.cancel.cancelled() => return None,
                p = permits.acquire_owned() => p.ok()?,
            };
            let http = http_client_with(&client_opts, tls).ok()?;
            let (key, unreadable) = match t.api_key {
                Some(Ok(key)) => (Some(key), None),
                Some(Err(why)) => (None, Some(why)),
                None => (None, None),
            };
            let mut client = Gen3Client::with_http(http, &t.base_url, key, client_opts).ok()?;
            if let Some(why) = unreadable {
                client = client.with_unreadable_key(why);
            }
            probe_commons_with(&ctx, &t.commons_id, &t.base_url, &client, t.ca_pem.as_deref(), &known).await
        });
    }
    let mut probes = Vec::with_capacity(total as usize);
    let mut done = 0;
    while let Some(joined) = set.join_next().await {
        done += 1;
        if let Ok(Some(p)) = joined {
            probes.push(p);
        }
        on_progress(SweepProgress { done, total });
    }
    Ok(SweepResult { probes, cancelled: cancel.is_cancelled(), started_at, finished_at: csoc_model::model::now_ms() })
}

/// Desktops start apps with a low soft limit on open files (1,024 on Linux, 256 on macOS) and a
/// much higher hard one; a sweep keeps a socket per request in flight, so ask for the hard limit.
fn raise_open_files_limit() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| match rlimit::increase_nofile_limit(u64::MAX) {
        Ok(limit) => tracing::debug!(limit, "open files limit"),
        Err(e) => tracing::warn!(error = %e, "could not raise the open files limit"),
    });
}
