//! `gen3-csoc serve --metrics ADDR`: headless, for a Deployment in the CSOC's cluster. It syncs the
//! team inventory (when joined), sweeps on the schedule, sends webhooks for what changed, and serves
//! `/metrics` from the cache, so a scrape never waits for a sweep.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper::{Request, Response, StatusCode};
use tokio_util::sync::CancellationToken;

use crate::error::{CoreError, CoreResult, ErrorCode};
use crate::model::InventoryFilter;
use crate::monitor::{self, history, sweep::SweepOptions};
use crate::store::Store;
use crate::vault::Vault;

const OPENMETRICS: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";
const PROMETHEUS_TEXT: &str = "text/plain; version=0.0.4; charset=utf-8";

pub struct ServeOptions {
    pub addr: SocketAddr,
    /// Seconds between sweeps; `None`: the monitoring settings' interval (5 minutes by default).
    pub interval: Option<Duration>,
    pub sweep: SweepOptions,
}

/// Binds the address and serves until `stop` is cancelled; `ready` gets the bound address (the
/// port the system chose for `:0`).
pub async fn serve(
    store: Arc<Store>,
    vault: Arc<Vault>,
    options: ServeOptions,
    stop: CancellationToken,
    ready: impl FnOnce(SocketAddr),
) -> CoreResult<()> {
    let listener = tokio::net::TcpListener::bind(options.addr).await.map_err(|e| {
        CoreError::new(ErrorCode::Io, format!("Could not listen on {} for metrics ({}).", options.addr, e.kind()))
    })?;
    let bound = listener.local_addr().map_err(|e| CoreError::new(ErrorCode::Io, format!("No local address ({e}).")))?;
    ready(bound);
    tracing::info!(%bound, "serving metrics");
    let http = tokio::spawn(accept_loop(listener, store.clone(), stop.clone()));
    loop {
        let next = sweep_once(&store, &vault, &options.sweep).await;
        if stop.is_cancelled() {
            break;
        }
        let wait = options.interval.unwrap_or(Duration::from_secs(u64::from(next.max(5))));
        tokio::select! {
            () = stop.cancelled() => break,
            () = tokio::time::sleep(wait) => {}
        }
    }
    http.abort();
    Ok(())
}

/// Syncs the team inventory, sweeps, records and hands the changes to the webhooks without
/// waiting for them; returns the scheduled interval in seconds.
async fn sweep_once(store: &Arc<Store>, vault: &Arc<Vault>, options: &SweepOptions) -> u32 {
    let s = store.clone();
    if let Ok(Err(e)) = tokio::task::spawn_blocking(move || crate::team::sync_if_joined(&s)).await {
        tracing::warn!(message = %e.message, "team sync before the sweep failed; sweeping the inventory as it is");
    }
    // The webhooks' deliveries go on in their own task: a slow receiver never holds the schedule.
    let swept = crate::usecases::sweep(
        store.clone(),
        vault.clone(),
        monitor::SweepScope::All,
        options,
        CancellationToken::new(),
        |_| {},
    )
    .await;
    if let Err(e) = swept {
        tracing::error!(message = %e.message, "sweep failed");
    }
    let s = store.clone();
    tokio::task::spawn_blocking(move || history::settings(&s)).await.ok().and_then(Result::ok).map_or(300, |s| {
        if s.interval_secs == 0 {
            300
        } else {
            s.interval_secs
        }
    })
}

async fn accept_loop(listener: tokio::net::TcpListener, store: Arc<Store>, stop: CancellationToken) {
    loop {
        let conn = tokio::select! {
            () = stop.cancelled() => return,
            c = listener.accept() => c,
        };
        let Ok((stream, _)) = conn else { continue };
        let store = store.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |req| answer(req, store.clone()));
            let io = hyper_util::rt::TokioIo::new(stream);
            if let Err(e) = hyper::server::conn::http1::Builder::new().serve_connection(io, service).await {
                tracing::debug!(error = %e, "metrics connection ended");
            }
        });
    }
}

async fn answer(req: Request<hyper::body::Incoming>, store: Arc<Store>) -> Result<Response<Full<Bytes>>, Infallible> {
    let reply = |status: StatusCode, kind: &str, body: String| {
        Ok(Response::builder()
            .status(status)
            .header("content-type", kind)
            .body(Full::new(Bytes::from(body)))
            .expect("a valid response"))
    };
    if req.method() != hyper::Method::GET || req.uri().path() != "/metrics" {
        return reply(StatusCode::NOT_FOUND, "text/plain", "Gen3 CSOC serves its metrics on /metrics.\n".into());
    }
    let open_metrics = req
        .headers()
        .get("accept")
        .and_then(|a| a.to_str().ok())
        .is_some_and(|a| a.contains("application/openmetrics-text"));
    let view = tokio::task::spawn_blocking(move || monitor::views::fleet(&store, &InventoryFilter::default())).await;
    match view {
        Ok(Ok(view)) => reply(
            StatusCode::OK,
            if open_metrics { OPENMETRICS } else { PROMETHEUS_TEXT },
            super::exposition::render(&view),
        ),
        Ok(Err(e)) => {
            tracing::error!(message = %e.message, "metrics: could not read the cache");
            reply(StatusCode::SERVICE_UNAVAILABLE, "text/plain", "The cache could not be read.\n".into())
        }
        Err(_) => reply(StatusCode::INTERNAL_SERVER_ERROR, "text/plain", "The metrics could not be built.\n".into()),
    }
}
