//! Probing one commons: every catalog service's status and version, the TLS certificate, public
//! counts, the dictionary version, and (with a stored key) an authenticated `/user/user`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;
use ts_rs::TS;

use super::catalog::{ServiceDef, StatusBody, CATALOG};
use super::tls_cert::{self, CertInfo};
use crate::error::{CoreError, CoreResult, ErrorCode};
use crate::gen3::{Gen3Client, RawResponse};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ServiceState {
    Healthy,
    Degraded,
    Down,
    NotDeployed,
    Unknown,
}

impl ServiceState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Healthy => "healthy",
            Self::Degraded => "degraded",
            Self::Down => "down",
            Self::NotDeployed => "not_deployed",
            Self::Unknown => "unknown",
        }
    }

    pub fn parse(s: &str) -> Self {
        match s {
            "healthy" => Self::Healthy,
            "degraded" => Self::Degraded,
            "down" => Self::Down,
            "not_deployed" => Self::NotDeployed,
            _ => Self::Unknown,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ServiceProbe {
    pub service: String,
    pub state: ServiceState,
    pub latency_ms: Option<u32>,
    pub version: Option<String>,
    /// Why the state is not healthy, in words.
    pub detail: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
pub struct Counts {
    #[ts(type = "number | null")]
    pub objects: Option<u64>,
    #[ts(type = "number | null")]
    pub bytes: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct CommonsProbe {
    pub commons_id: String,
    #[ts(type = "number")]
    pub at: i64,
    /// revproxy answered: the commons is reachable at all.
    pub reachable: bool,
    /// Why it is not reachable, in words.
    pub error: Option<String>,
    pub services: Vec<ServiceProbe>,
    pub cert: Option<CertInfo>,
    pub counts: Counts,
    pub dictionary_version: Option<String>,
    /// `/canary` says the commons was deployed with Helm.
    pub helm: Option<bool>,
    /// The authenticated check with the stored key: `None` when no key is stored.
    pub key_error: Option<CoreError>,
    pub key_checked: bool,
}

/// What every probe of a sweep shares.
pub struct ProbeCtx {
    pub permits: Arc<Semaphore>,
    pub cancel: CancellationToken,
    pub retries: u32,
    pub slow: Duration,
    pub request_timeout: Duration,
}

/// A response, or the error after retries; with the time of the last attempt.
type Timed = (CoreResult<RawResponse>, Duration);

async fn fetch(ctx: &ProbeCtx, client: &Gen3Client, path: &str) -> Option<Timed> {
    let mut attempt = 0;
    loop {
        let permit = tokio::select! {
            _ = ctx.cancel.cancelled() => return None,
            p = ctx.permits.clone().acquire_owned() => p.ok()?,
        };
        let started = Instant::now();
        let result = tokio::select! {
            _ = ctx.cancel.cancelled() => return None,
            r = client.get_raw(path, false) => r,
        };
        let took = started.elapsed();
        drop(permit);
        // Retry quick failures (refused, reset); a request that used its time will not do better.
        let retry = matches!(&result, Err(e) if e.code == ErrorCode::Unreachable)
            && took < ctx.request_timeout / 2
            && attempt < ctx.retries;
        if !retry {
            return Some((result, took));
        }
        attempt += 1;
        tokio::select! {
            _ = ctx.cancel.cancelled() => return None,
            _ = tokio::time::sleep(Duration::from_millis(200 << attempt)) => {}
        }
    }
}

/// Reads one status answer. `Err` carries a transport failure of the whole commons.
fn classify(
    def: &ServiceDef,
    result: &CoreResult<RawResponse>,
    took: Duration,
    slow: Duration,
) -> (ServiceState, Option<String>) {
    let resp = match result {
        Ok(r) => r,
        Err(e) if e.code == ErrorCode::MalformedResponse => {
            return (ServiceState::Degraded, Some(format!("{} answered with a broken body: {}", def.id, e.message)))
        }
        Err(e) => return (ServiceState::Down, Some(e.message.clone())),
    };
    let body = String::from_utf8_lossy(&resp.body);
    let trimmed = body.trim();
    let state = match resp.status {
        404 => return (ServiceState::NotDeployed, Some(format!("{} is not deployed (HTTP 404)", def.id))),
        502..=504 => {
            return (ServiceState::Down, Some(format!("revproxy cannot reach {} (HTTP {})", def.id, resp.status)))
        }
        500 if def.status_body == StatusBody::Mds && trimmed.contains("aggregate datastore offline") => {
            return (ServiceState::Degraded, Some("metadata: the aggregate datastore is offline".into()))
        }
        500..=599 => return (ServiceState::Down, Some(format!("{} fails (HTTP {})", def.id, resp.status))),
        300..=399 => return (ServiceState::Degraded, Some(format!("{} redirects away from its status route", def.id))),
        401 | 403 => {
            return (ServiceState::Degraded, Some(format!("{} status requires a login (HTTP {})", def.id, resp.status)))
        }
        200..=299 => body_state(def, trimmed),
        s => return (ServiceState::Degraded, Some(format!("{} answered HTTP {s}", def.id))),
    };
    match state {
        Err(why) => (ServiceState::Degraded, Some(why)),
        Ok(()) if took > slow => {
            (ServiceState::Degraded, Some(format!("{} is slow ({:.1} s)", def.id, took.as_secs_f64())))
        }
        Ok(()) => (ServiceState::Healthy, None),
    }
}

fn body_state(def: &ServiceDef, body: &str) -> Result<(), String> {
    if def.status_body != StatusBody::TextHealthy && def.status_body != StatusBody::Any2xx && body.starts_with('<') {
        return Err(format!("{} answered with a web page instead of its status", def.id));
    }
    let json = || {
        serde_json::from_str::<serde_json::Value>(body)
            .map_err(|_| format!("{} answered with a body that is not its status JSON", def.id))
    };
    match def.status_body {
        StatusBody::TextHealthy if body == "Healthy" || body == "\"Healthy\"" => Ok(()),
        StatusBody::TextHealthy if body.starts_with('<') => {
            Err(format!("{} answered with a web page instead of “Healthy”", def.id))
        }
        StatusBody::TextHealthy => Err(format!("{} did not say “Healthy”", def.id)),
        StatusBody::Revproxy => {
            json().and_then(|v| v.get("message").map(drop).ok_or_else(|| "revproxy status lacks its message".into()))
        }
        StatusBody::Mds => json().and_then(|v| match v.get("status").and_then(|s| s.as_str()) {
            Some("OK") => Ok(()),
            other => Err(format!("metadata reports status {}", other.unwrap_or("missing"))),
        }),
        StatusBody::Guppy => json().map(drop),
        StatusBody::Any2xx => Ok(()),
    }
}

fn version_of(resp: &RawResponse) -> Option<String> {
    if !(200..300).contains(&resp.status) {
        return None;
    }
    match serde_json::from_slice::<serde_json::Value>(&resp.body).ok()? {
        serde_json::Value::String(s) => Some(s),
        v => v.get("version")?.as_str().map(str::to_string),
    }
    .filter(|v| !v.is_empty())
}

async fn probe_service(
    ctx: &ProbeCtx,
    client: &Gen3Client,
    def: &ServiceDef,
) -> Option<(ServiceProbe, Option<serde_json::Value>)> {
    let (result, took) = fetch(ctx, client, def.status_path).await?;
    let (state, detail) = classify(def, &result, took, ctx.slow);
    let latency_ms = result.is_ok().then(|| took.as_millis().min(u32::MAX as u128) as u32);
    let mut version = None;
    let mut version_json = None;
    if matches!(state, ServiceState::Healthy | ServiceState::Degraded) {
        if let Some(path) = def.version_path {
            if let (Ok(resp), _) = fetch(ctx, client, path).await? {
                version = version_of(&resp);
                version_json = serde_json::from_slice(&resp.body).ok();
            }
        }
    }
    Some((ServiceProbe { service: def.id.into(), state, latency_ms, version, detail }, version_json))
}

/// Probes one commons. `None` when the sweep was cancelled before it finished.
pub async fn probe_commons(
    ctx: &ProbeCtx,
    commons_id: &str,
    base_url: &str,
    client: &Gen3Client,
    ca_pem: Option<&str>,
) -> Option<CommonsProbe> {
    let at = crate::model::now_ms();
    let url = url::Url::parse(base_url).ok()?;
    let cert = async {
        if url.scheme() != "https" {
            return None;
        }
        let host = url.host_str()?.to_string();
        // A handshake is a connection like any request: it waits for a slot too.
        let _permit = tokio::select! {
            _ = ctx.cancel.cancelled() => return None,
            p = ctx.permits.clone().acquire_owned() => p.ok()?,
        };
        tls_cert::probe(&host, url.port().unwrap_or(443), ca_pem, ctx.request_timeout).await
    };
    let revproxy = &CATALOG[0];
    let (first, cert) = tokio::join!(probe_service(ctx, client, revproxy), cert);
    let (revproxy_probe, _) = first?;
    let unreachable = revproxy_probe.state == ServiceState::Down && revproxy_probe.latency_ms.is_none();
    if unreachable {
        let why = revproxy_probe.detail.clone();
        let mut services = vec![ServiceProbe { state: ServiceState::Unknown, ..revproxy_probe }];
        services.extend(CATALOG[1..].iter().map(|d| ServiceProbe {
            service: d.id.into(),
            state: ServiceState::Unknown,
            latency_ms: None,
            version: None,
            detail: Some("the commons cannot be reached".into()),
        }));
        return Some(CommonsProbe {
            commons_id: commons_id.into(),
            at,
            reachable: false,
            error: why,
            services,
            cert,
            counts: Counts::default(),
            dictionary_version: None,
            helm: None,
            key_error: None,
            key_checked: false,
        });
    }

    let services = async {
        let mut set = Vec::new();
        for def in &CATALOG[1..] {
            set.push(probe_service(ctx, client, def));
        }
        let mut out = Vec::new();
        for r in join_all(set).await {
            out.push(r?);
        }
        Some(out)
    };
    let counts = counts(ctx, client);
    let canary = fetch(ctx, client, "/canary");
    let key = async {
        if !client.has_key() {
            return Some(None);
        }
        let permit = tokio::select! { _ = ctx.cancel.cancelled() => return None, p = ctx.permits.clone().acquire_owned() => p.ok()? };
        let r = tokio::select! { _ = ctx.cancel.cancelled() => return None, r = client.current_user() => r };
        drop(permit);
        Some(Some(r.err()))
    };
    let (services, counts, canary, key) = tokio::join!(services, counts, canary, key);
    let (others, versions): (Vec<_>, Vec<_>) = services?.into_iter().unzip();
    let dictionary_version = CATALOG[1..]
        .iter()
        .zip(&versions)
        .find(|(d, _)| d.id == "sheepdog")
        .and_then(|(_, v)| v.as_ref()?.get("dictionary")?.get("version")?.as_str().map(str::to_string))
        .filter(|v| !v.is_empty());
    let helm = match canary? {
        (Ok(r), _) if r.status == 200 => Some(String::from_utf8_lossy(&r.body).contains("Helm")),
        _ => None,
    };
    let key = key?;
    let mut services = vec![revproxy_probe];
    services.extend(others);
    Some(CommonsProbe {
        commons_id: commons_id.into(),
        at,
        reachable: true,
        error: None,
        services,
        cert,
        counts: counts?,
        dictionary_version,
        helm,
        key_checked: key.is_some(),
        key_error: key.flatten(),
    })
}

async fn counts(ctx: &ProbeCtx, client: &Gen3Client) -> Option<Counts> {
    let json = |r: &RawResponse| -> Option<serde_json::Value> {
        (200..300).contains(&r.status).then(|| serde_json::from_slice(&r.body).ok()).flatten()
    };
    if let (Ok(r), _) = fetch(ctx, client, "/ga4gh/drs/v1/service-info").await? {
        if let Some(drs) = json(&r).and_then(|v| v.get("drs").cloned()) {
            let objects = drs.get("objectCount").and_then(|v| v.as_u64());
            let bytes = drs.get("totalObjectSize").and_then(|v| v.as_u64());
            if objects.is_some() {
                return Some(Counts { objects, bytes });
            }
        }
    }
    if let (Ok(r), _) = fetch(ctx, client, "/index/_stats").await? {
        if let Some(v) = json(&r) {
            return Some(Counts {
                objects: v.get("fileCount").and_then(|v| v.as_u64()),
                bytes: v.get("totalFileSize").and_then(|v| v.as_u64()),
            });
        }
    }
    Some(Counts::default())
}

/// Awaits futures concurrently on the current task (no spawn: they borrow the probe's context).
async fn join_all<F: std::future::Future>(futures: Vec<F>) -> Vec<F::Output> {
    let mut pinned: Vec<std::pin::Pin<Box<F>>> = futures.into_iter().map(Box::pin).collect();
    let mut out: Vec<Option<F::Output>> = (0..pinned.len()).map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (i, f) in pinned.iter_mut().enumerate() {
            if out[i].is_none() {
                match f.as_mut().poll(cx) {
                    std::task::Poll::Ready(v) => out[i] = Some(v),
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            std::task::Poll::Pending
        } else {
            std::task::Poll::Ready(())
        }
    })
    .await;
    out.into_iter().map(|o| o.expect("all ready")).collect()
}
