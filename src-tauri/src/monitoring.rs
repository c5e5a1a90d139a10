//! Sweeps in the window: one at a time, on demand or on the schedule, with progress and result
//! events for the UI and desktop notifications for what changed.

use std::time::Duration;

use csoc_app::api::{EVENT_FLEET_UPDATED, EVENT_SWEEP_PROGRESS};
use csoc_app::error::{CoreError, CoreResult, ErrorCode};
use csoc_app::monitor::{history, notify, SweepScope};
use csoc_app::usecases;
use tauri::{AppHandle, Emitter, Manager};
use tauri_plugin_notification::NotificationExt;
use tokio_util::sync::CancellationToken;

use crate::state::AppState;

/// Starts a sweep in the background; refused while another runs.
pub fn start(app: &AppHandle, scope: SweepScope) -> CoreResult<()> {
    let state = app.state::<AppState>();
    let store = state.store()?;
    let vault = state.vault();
    let token = CancellationToken::new();
    {
        let mut running = state.sweep.lock().unwrap_or_else(|p| p.into_inner());
        if running.is_some() {
            return Err(CoreError::new(ErrorCode::Conflict, "A check of the fleet is already running."));
        }
        *running = Some(token.clone());
    }
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let outcome = run(&app, store, vault, scope, token).await;
        *app.state::<AppState>().sweep.lock().unwrap_or_else(|p| p.into_inner()) = None;
        // A failed sweep still ends: the UI hides its progress and re-reads the (unchanged) cache.
        let report = outcome.unwrap_or_else(|e| {
            tracing::error!(code = ?e.code, message = %e.message, "sweep failed");
            history::SweepReport::default()
        });
        if let Err(e) = app.emit(EVENT_FLEET_UPDATED, &report) {
            tracing::warn!(error = %e, "could not emit fleet-updated");
        }
    });
    Ok(())
}

/// The sweep use case with the window's progress events, then desktop notifications of what changed.
async fn run(
    app: &AppHandle,
    store: std::sync::Arc<csoc_app::store::Store>,
    vault: std::sync::Arc<csoc_app::vault::Vault>,
    scope: SweepScope,
    token: CancellationToken,
) -> CoreResult<history::SweepReport> {
    let progress_app = app.clone();
    // The webhooks' deliveries finish (or give up) on their own: not awaited.
    let (report, _deliveries) = usecases::sweep(store.clone(), vault, scope, &Default::default(), token, move |p| {
        let _ = progress_app.emit(EVENT_SWEEP_PROGRESS, &p);
    })
    .await?;
    let settings = tauri::async_runtime::spawn_blocking(move || history::settings(&store)).await.map_err(joined)??;
    if settings.notifications {
        for n in notify::notices(&report) {
            if let Err(e) = app.notification().builder().title(&n.title).body(&n.body).show() {
                tracing::warn!(error = %e, "desktop notification failed");
            }
        }
    }
    Ok(report)
}

fn joined(e: impl std::fmt::Display) -> CoreError {
    tracing::error!(error = %e, "sweep task failed");
    CoreError::new(ErrorCode::DbUnavailable, "The fleet check stopped unexpectedly. Details are in the log file.")
}

/// The schedule: a first sweep shortly after start (after first paint), then every interval.
pub fn schedule(app: AppHandle) {
    tauri::async_runtime::spawn(async move {
        let mut wait = Duration::from_secs(5);
        loop {
            tokio::time::sleep(wait).await;
            let state = app.state::<AppState>();
            let interval = match state.store() {
                Ok(store) => tauri::async_runtime::spawn_blocking(move || history::settings(&store))
                    .await
                    .ok()
                    .and_then(Result::ok)
                    .map_or(300, |s| s.interval_secs),
                Err(_) => 0,
            };
            if interval > 0 {
                if let Err(e) = start(&app, SweepScope::All) {
                    tracing::debug!(message = %e.message, "scheduled sweep skipped");
                }
            }
            wait = Duration::from_secs(if interval == 0 { 60 } else { u64::from(interval).max(5) });
        }
    });
}
