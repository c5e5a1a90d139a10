//! Probing one commons: every catalog service's status and version, the TLS certificate, public
//! counts, the dictionary version, and (with a stored key) an authenticated `/user/user`.
//!
//! Answers are read as the real edge gives them (GEN3.md 2b): gen3-helm's revproxy answers 500
//! "service failure" for a service that is down *and* for one that is not deployed, so that answer
//! is decided with what the app knows ([`Known`]: the commons' deployed services, whether the
//! service ever answered); a legacy revproxy hands missing routes to the portal (200 HTML), which
//! `/canary` tells apart; routes behind `auth_request` are probed with the stored key, and without
//! one they "need a key". None of these count against the commons.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;
use ts_rs::TS;

use super::catalog::{ServiceDef, StatusBody, CATALOG};
use super::text;
use csoc_gen3::tls_cert::{self, CertInfo};
use csoc_gen3::{Gen3Client, RawResponse};
use csoc_model::error::{CoreError, CoreResult, ErrorCode};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ServiceState {
    Healthy,
    Degraded,
    Down,
    NotDeployed,
    Unknown,
    /// Behind the revproxy's authz check: it can only be checked with an API key that may use it.
    NeedsKey,
}

impl ServiceState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Healthy => "healthy",
            Self::Degraded => "degraded",
            Self::Down => "down",
            Self::NotDeployed => "not_deployed",
            Self::Unknown => "unknown",
            Self::NeedsKey => "needs_key",
        }
    }

    pub(crate) fn parse(s: &str) -> Self {
        match s {
            "healthy" => Self::Healthy,
            "degraded" => Self::Degraded,
            "down" => Self::Down,
            "not_deployed" => Self::NotDeployed,
            "needs_key" => Self::NeedsKey,
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
    /// Not reachable, but its host answered (the connection was refused, or the TLS handshake
    /// failed): the commons is down, whatever this computer's network.
    pub host_answered: bool,
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
    /// The outside-in checks (fence's issuer and keys, IdPs, ETL age, mesh).
    pub checks: Vec<super::checks::CheckResult>,
}

/// What the app knows about a commons' services, to read gen3-helm's "service failure" answer,
/// which a service that is down and one that is not deployed give alike.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Known {
    /// The services the commons was deployed with (its values when imported or launched), if known.
    pub expected: Option<HashSet<String>>,
    /// Services that answered in an earlier probe.
    pub answered: HashSet<String>,
    /// For a mesh hub: the members it should federate.
    pub mesh_members: Option<Vec<super::checks::MeshMember>>,
    /// Its outside-in checks and service versions were read recently: this probe leaves out the
    /// checks, and the versions of services that answered before (slow-moving facts, which cost
    /// about 20 requests per commons; the cache keeps the last ones read).
    pub recently_checked: bool,
}

/// The body gen3-helm's revproxy answers for any failing or missing upstream.
const SERVICE_FAILURE: &str = "service failure - try again later";

/// Which revproxy answers, as `/canary` tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Edge {
    Helm,
    /// The portal answered `/canary`: a legacy revproxy, where missing routes reach the portal.
    Legacy,
    Unknown,
}

/// What every probe of a sweep shares.
pub struct ProbeCtx {
    pub permits: Arc<Semaphore>,
    pub cancel: CancellationToken,
    pub retries: u32,
    pub slow: Duration,
    pub request_timeout: Duration,
    /// How to run the outside-in checks; `None` leaves them out (a deploy watch needs health only).
    pub checks: Option<super::checks::CheckPolicy>,
}

/// A response, or the error after retries; with the time of the last attempt.
type Timed = (CoreResult<RawResponse>, Duration);

async fn fetch(ctx: &ProbeCtx, client: &Gen3Client, path: &str) -> Option<Timed> {
    fetch_as(ctx, client, path, false).await
}

/// `fetch`, with the stored key's access token when `auth`.
pub(super) async fn fetch_as(ctx: &ProbeCtx, client: &Gen3Client, path: &str, auth: bool) -> Option<Timed> {
    let mut attempt = 0;
    loop {
        let slot = tokio::select! {
            _ = ctx.cancel.cancelled() => return None,
            s = client.slot() => s?,
        };
        let permit = tokio::select! {
            _ = ctx.cancel.cancelled() => return None,
            p = ctx.permits.clone().acquire_owned() => p.ok()?,
        };
        let started = Instant::now();
        let result = tokio::select! {
            _ = ctx.cancel.cancelled() => return None,
            r = client.get_raw(path, auth) => r,
        };
        let took = started.elapsed();
        drop(permit);
        drop(slot);
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

/// How one status answer was obtained, beyond the answer itself.
struct Reading<'a> {
    edge: Edge,
    known: &'a Known,
    /// The request carried the stored key's token.
    with_key: bool,
    took: Duration,
    slow: Duration,
}

/// Reads one status answer. `Err` carries a transport failure (or, with a key, the key's failure).
fn classify(def: &ServiceDef, result: &CoreResult<RawResponse>, r: &Reading) -> (ServiceState, Option<String>) {
    let id = def.id;
    let resp = match result {
        Ok(resp) => resp,
        Err(e) if r.with_key && is_key_problem(e.code) => {
            return (ServiceState::NeedsKey, Some(format!("{id} is behind the revproxy's authz check: {}", e.message)))
        }
        Err(e) if e.code == ErrorCode::MalformedResponse => {
            return (ServiceState::Degraded, Some(format!("{id} answered with a broken body: {}", e.message)))
        }
        Err(e) => return (ServiceState::Down, Some(e.message.clone())),
    };
    let body = String::from_utf8_lossy(&resp.body);
    let trimmed = body.trim();
    // fence and friends send `Healthy` as text/html, so the body, not the type, says "web page".
    let html = trimmed.starts_with('<');
    let state = match resp.status {
        404 => return (ServiceState::NotDeployed, Some(format!("{id} is not deployed (HTTP 404)"))),
        500 if trimmed.contains(SERVICE_FAILURE) => return service_failure(id, r.known),
        502..=504 => return (ServiceState::Down, Some(format!("revproxy cannot reach {id} (HTTP {})", resp.status))),
        500 if def.status_body == StatusBody::Mds && trimmed.contains("aggregate datastore offline") => {
            return (ServiceState::Degraded, Some("metadata: the aggregate datastore is offline".into()))
        }
        500..=599 => return (ServiceState::Down, Some(format!("{id} fails (HTTP {})", resp.status))),
        401 | 403 if def.authz => return needs_key(id, r.with_key, &format!("HTTP {}", resp.status)),
        300..=399 => return (ServiceState::Degraded, Some(format!("{id} redirects away from its status route"))),
        401 | 403 => {
            return (ServiceState::Degraded, Some(format!("{id} status requires a login (HTTP {})", resp.status)))
        }
        // sower's `error_page 401` redirects to the portal's no-workspace-access page.
        200..=299 if def.authz && html => return needs_key(id, r.with_key, "sent to the no-workspace-access page"),
        200..=299 if html && def.status_body != StatusBody::Html && r.edge == Edge::Legacy => {
            return (
                ServiceState::NotDeployed,
                Some(format!("{id} is not deployed: this legacy revproxy has no route for it, so the portal answered")),
            )
        }
        200..=299 if def.status_body == StatusBody::Html && def.id != "portal" && r.edge == Edge::Legacy => {
            return (
                ServiceState::NotDeployed,
                Some(format!(
                    "{id} is taken as not deployed: a legacy revproxy sends missing routes to the portal, whose page \
                     it cannot be told from"
                )),
            )
        }
        200..=299 => body_state(def, trimmed, html),
        s => return (ServiceState::Degraded, Some(format!("{id} answered HTTP {s}"))),
    };
    match state {
        Err(why) => (ServiceState::Degraded, Some(why)),
        Ok(()) if r.took > r.slow => {
            (ServiceState::Degraded, Some(format!("{id} is slow ({:.1} s)", r.took.as_secs_f64())))
        }
        Ok(()) => (ServiceState::Healthy, None),
    }
}

/// gen3-helm's revproxy said "service failure": down if the service is deployed here (the
/// commons' deployed services say so, it answered before, or it is fence, without which there is
/// no commons), else not deployed.
fn service_failure(id: &str, known: &Known) -> (ServiceState, Option<String>) {
    let down =
        |why: &str| (ServiceState::Down, Some(format!("{id} fails: the revproxy answers “{SERVICE_FAILURE}” ({why})")));
    match &known.expected {
        Some(expected) if expected.contains(id) => down("it is among this commons' deployed services"),
        Some(_) => (ServiceState::NotDeployed, Some(format!("{id} is not among this commons' deployed services"))),
        None if known.answered.contains(id) => down("it answered here before"),
        None if id == "fence" => down("every commons runs fence"),
        None => (
            ServiceState::NotDeployed,
            Some(format!(
                "{id} has never answered here and the revproxy answers “{SERVICE_FAILURE}”, as gen3-helm does for a \
                 service it does not run: taken as not deployed"
            )),
        ),
    }
}

fn is_key_problem(code: ErrorCode) -> bool {
    matches!(code, ErrorCode::KeyExpired | ErrorCode::KeyRejected | ErrorCode::Unauthorized)
}

fn needs_key(id: &str, with_key: bool, what: &str) -> (ServiceState, Option<String>) {
    let why = if with_key {
        format!("the stored key's user may not use {id} ({what})")
    } else {
        format!("{id} is behind the revproxy's authz check ({what}): store an API key to check it")
    };
    (ServiceState::NeedsKey, Some(why))
}

fn body_state(def: &ServiceDef, body: &str, html: bool) -> Result<(), String> {
    let id = def.id;
    if html && !matches!(def.status_body, StatusBody::Html | StatusBody::TextHealthy) {
        return Err(format!("{id} answered with a web page instead of its status"));
    }
    let json = || {
        serde_json::from_str::<serde_json::Value>(body)
            .map_err(|_| format!("{id} answered with a body that is not its status JSON"))
    };
    let status_ok = |v: serde_json::Value| match v.get("status").and_then(|s| s.as_str()) {
        Some("OK") => Ok(()),
        other => Err(format!("{id} reports status {}", text::clean(other.unwrap_or("missing"), text::PHRASE_CHARS))),
    };
    match def.status_body {
        StatusBody::TextHealthy if body == "Healthy" || body == "\"Healthy\"" => Ok(()),
        StatusBody::TextHealthy if html => Err(format!("{id} answered with a web page instead of “Healthy”")),
        StatusBody::TextHealthy => Err(format!("{id} did not say “Healthy”")),
        StatusBody::FastApi | StatusBody::Mds => json().and_then(status_ok),
        StatusBody::Revproxy => {
            json().and_then(|v| v.get("message").map(drop).ok_or_else(|| "revproxy status lacks its message".into()))
        }
        StatusBody::Guppy | StatusBody::AnyJson => json().map(drop),
        StatusBody::AnyNotHtml => Ok(()),
        StatusBody::Html if html => Ok(()),
        StatusBody::Html => Err(format!("{id} did not answer with its web page")),
    }
}

fn version_of(resp: &RawResponse) -> Option<String> {
    if !(200..300).contains(&resp.status) {
        return None;
    }
    match serde_json::from_slice::<serde_json::Value>(&resp.body).ok()? {
        serde_json::Value::String(s) => Some(s),
        // Orthanc's `/system` says `Version`.
        v => v.get("version").or_else(|| v.get("Version"))?.as_str().map(str::to_string),
    }
    .map(|v| text::clean(&v, text::VERSION_CHARS))
    .filter(|v| !v.is_empty())
}

/// One service's probe, with the JSON bodies of its answers that other readings reuse.
struct Answered {
    probe: ServiceProbe,
    version: Option<serde_json::Value>,
    /// Its status body, when it is JSON (guppy's lists its indices' aliases, which say how old
    /// the explorer's data is).
    status: Option<serde_json::Value>,
}

async fn probe_service(
    ctx: &ProbeCtx,
    client: &Gen3Client,
    def: &ServiceDef,
    edge: Edge,
    known: &Known,
) -> Option<Answered> {
    let with_key = def.authz && client.has_key();
    let (result, took) = fetch_as(ctx, client, def.status_path, with_key).await?;
    let reading = Reading { edge, known, with_key, took, slow: ctx.slow };
    let (state, detail) = classify(def, &result, &reading);
    let latency_ms = result.is_ok().then(|| took.as_millis().min(u32::MAX as u128) as u32);
    let status = match (&result, state) {
        (Ok(r), ServiceState::Healthy | ServiceState::Degraded) => serde_json::from_slice(&r.body).ok(),
        _ => None,
    };
    let mut version = None;
    let mut version_json = None;
    let version_known = known.recently_checked && known.answered.contains(def.id);
    if matches!(state, ServiceState::Healthy | ServiceState::Degraded) && !version_known {
        if let Some(path) = def.version_path {
            if let (Ok(resp), _) = fetch_as(ctx, client, path, with_key).await? {
                version = version_of(&resp);
                version_json = serde_json::from_slice(&resp.body).ok();
            }
        }
    }
    let probe = ServiceProbe { service: def.id.into(), state, latency_ms, version, detail };
    Some(Answered { probe, version: version_json, status })
}

impl CommonsProbe {
    /// A commons that could not be reached (or not even tried): every service unknown.
    pub(crate) fn unreachable(commons_id: &str, at: i64, why: String, cert: Option<CertInfo>) -> Self {
        CommonsProbe {
            commons_id: commons_id.into(),
            at,
            reachable: false,
            host_answered: false,
            error: Some(why),
            services: CATALOG
                .iter()
                .map(|d| ServiceProbe {
                    service: d.id.into(),
                    state: ServiceState::Unknown,
                    latency_ms: None,
                    version: None,
                    detail: Some("the commons cannot be reached".into()),
                })
                .collect(),
            cert,
            counts: Counts::default(),
            dictionary_version: None,
            helm: None,
            key_error: None,
            key_checked: false,
            checks: Vec::new(),
        }
    }
}

/// Probes one commons with what the app knows of it. `None` when the sweep was cancelled before
/// it finished.
pub async fn probe_commons_with(
    ctx: &ProbeCtx,
    commons_id: &str,
    base_url: &str,
    client: &Gen3Client,
    ca_pem: Option<&str>,
    known: &Known,
) -> Option<CommonsProbe> {
    let at = csoc_model::model::now_ms();
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
    let (first, canary, cert) =
        tokio::join!(probe_service(ctx, client, revproxy, Edge::Unknown, known), fetch(ctx, client, "/canary"), cert);
    let revproxy_probe = first?.probe;
    let unreachable = revproxy_probe.state == ServiceState::Down && revproxy_probe.latency_ms.is_none();
    if unreachable {
        let why = revproxy_probe.detail.clone().unwrap_or_else(|| "the commons cannot be reached".into());
        let tls_failed = cert.as_ref().is_some_and(|c| c.problem.is_some());
        let host_answered = tls_failed || why.contains(csoc_gen3::REFUSED);
        return Some(CommonsProbe { host_answered, ..CommonsProbe::unreachable(commons_id, at, why, cert) });
    }
    let edge = match canary? {
        (Ok(r), _) if r.status == 200 && String::from_utf8_lossy(&r.body).contains("Helm version") => Edge::Helm,
        (Ok(r), _) if r.status == 200 && r.content_type.contains("html") => Edge::Legacy,
        _ => Edge::Unknown,
    };

    let services = async {
        let mut set = Vec::new();
        for def in &CATALOG[1..] {
            set.push(probe_service(ctx, client, def, edge, known));
        }
        let mut out = Vec::new();
        for r in join_all(set).await {
            out.push(r?);
        }
        Some(out)
    };
    let counts = counts(ctx, client);
    let key = async {
        if !client.has_key() {
            return Some(None);
        }
        let permit = tokio::select! { _ = ctx.cancel.cancelled() => return None, p = ctx.permits.clone().acquire_owned() => p.ok()? };
        let r = tokio::select! { _ = ctx.cancel.cancelled() => return None, r = client.current_user() => r };
        drop(permit);
        Some(Some(r.err()))
    };
    let (services, counts, key) = tokio::join!(services, counts, key);
    let answers = services?;
    let answer = |id: &str| answers.iter().find(|a| a.probe.service == id);
    let dictionary_version = answer("sheepdog")
        .and_then(|a| a.version.as_ref()?.get("dictionary")?.get("version")?.as_str().map(str::to_string))
        .map(|v| text::clean(&v, text::VERSION_CHARS))
        .filter(|v| !v.is_empty());
    let key = key?;
    let answered =
        |id: &str| answer(id).is_some_and(|a| matches!(a.probe.state, ServiceState::Healthy | ServiceState::Degraded));
    let checks = match &ctx.checks {
        Some(policy) if !known.recently_checked => {
            let up = super::checks::Up {
                fence: answered("fence"),
                guppy_status: answer("guppy").and_then(|a| a.status.clone()),
                metadata: answered("metadata"),
            };
            super::checks::run(ctx, policy, client, base_url, known, &up).await?
        }
        _ => Vec::new(),
    };
    let mut services = vec![revproxy_probe];
    services.extend(answers.into_iter().map(|a| a.probe));
    Some(CommonsProbe {
        commons_id: commons_id.into(),
        at,
        reachable: true,
        host_answered: true,
        error: None,
        services,
        cert,
        counts: counts?,
        dictionary_version,
        helm: match edge {
            Edge::Helm => Some(true),
            Edge::Legacy => Some(false),
            Edge::Unknown => None,
        },
        key_checked: key.is_some(),
        key_error: key.flatten(),
        checks,
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
