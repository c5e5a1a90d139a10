//! Team commands (the shared inventory, the webhooks) and the automatic sync: on start and after
//! each inventory change, one sync at a time, in the background; offline, the changes wait.

use std::sync::atomic::{AtomicBool, Ordering};

use csoc_app::api::WebhookSetRequest;
use csoc_app::error::CoreResult;
use csoc_app::team::{self, TeamJoin, TeamResolve, TeamStatus};
use csoc_app::webhooks::{self, WebhookKind};
use tauri::{AppHandle, Manager, State};

use crate::commands::{notify, on_store};
use crate::state::AppState;

/// A background sync is running / another change came in while it ran.
static RUNNING: AtomicBool = AtomicBool::new(false);
static AGAIN: AtomicBool = AtomicBool::new(false);

/// Syncs in the background when this data folder has joined a team repository; a change made
/// while a sync runs is picked up by one more sync when it ends.
pub fn sync_soon(app: &AppHandle) {
    if RUNNING.swap(true, Ordering::SeqCst) {
        AGAIN.store(true, Ordering::SeqCst);
        return;
    }
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        loop {
            AGAIN.store(false, Ordering::SeqCst);
            let state = app.state::<AppState>();
            match on_store(&state, team::sync_if_joined).await {
                Ok(Some(report)) if report.pulled > 0 => notify(&app),
                Ok(_) => {}
                Err(e) => tracing::warn!(code = ?e.code, message = %e.message, "team sync failed"),
            }
            if !AGAIN.load(Ordering::SeqCst) {
                break;
            }
        }
        RUNNING.store(false, Ordering::SeqCst);
    });
}

#[tauri::command]
pub async fn team_status(state: State<'_, AppState>) -> CoreResult<TeamStatus> {
    on_store(&state, team::status).await
}

#[tauri::command]
#[tracing::instrument(skip_all, err)]
pub async fn team_join(app: AppHandle, state: State<'_, AppState>, request: TeamJoin) -> CoreResult<TeamStatus> {
    then_status(&app, &state, move |s| team::join(s, &request).map(drop)).await
}

#[tauri::command]
#[tracing::instrument(skip_all, err)]
pub async fn team_sync(app: AppHandle, state: State<'_, AppState>) -> CoreResult<TeamStatus> {
    then_status(&app, &state, |s| team::sync(s).map(drop)).await
}

#[tauri::command]
#[tracing::instrument(skip_all, err)]
pub async fn team_resolve(app: AppHandle, state: State<'_, AppState>, request: TeamResolve) -> CoreResult<TeamStatus> {
    let status = then_status(&app, &state, move |s| team::resolve(s, &request)).await?;
    sync_soon(&app);
    Ok(status)
}

/// Runs a team operation that may change the inventory, tells the listeners, and answers the new status.
async fn then_status<F>(app: &AppHandle, state: &AppState, work: F) -> CoreResult<TeamStatus>
where
    F: FnOnce(&csoc_app::store::Store) -> CoreResult<()> + Send + 'static,
{
    let status = on_store(state, move |s| {
        work(s)?;
        team::status(s)
    })
    .await?;
    notify(app);
    Ok(status)
}

#[tauri::command]
pub async fn webhook_list(state: State<'_, AppState>) -> CoreResult<Vec<WebhookKind>> {
    let vault = state.vault();
    on_store(&state, move |s| webhooks::configured(s, &vault)).await
}

#[tauri::command]
#[tracing::instrument(skip_all, err)]
pub async fn webhook_set(state: State<'_, AppState>, request: WebhookSetRequest) -> CoreResult<Vec<WebhookKind>> {
    let vault = state.vault();
    on_store(&state, move |s| {
        webhooks::set(s, &vault, request.kind, request.url.as_ref())?;
        webhooks::configured(s, &vault)
    })
    .await
}
