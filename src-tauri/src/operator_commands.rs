//! Tauri commands of the operator's screens (the activity log, diagnostics): thin adapters over
//! `csoc_app::activity` and `csoc_app::diagnostics`, like `commands.rs`.

use csoc_app::activity::{self, ActivityEntry, ActivityFilter};
use csoc_app::api::{ActivityExportRequest, PathRequest};
use csoc_app::diagnostics::{self, CollectSummary, Diagnostics};
use csoc_app::error::CoreResult;
use csoc_app::path_grants::Use;
use tauri::State;

use crate::commands::on_store;
use crate::state::AppState;

#[tauri::command]
pub async fn activity_list(state: State<'_, AppState>, request: ActivityFilter) -> CoreResult<Vec<ActivityEntry>> {
    on_store(&state, move |s| activity::list(s, &request)).await
}

#[tauri::command]
#[tracing::instrument(skip_all, err)]
pub async fn activity_export(state: State<'_, AppState>, request: ActivityExportRequest) -> CoreResult<u32> {
    let path = state.granted(&request.path, Use::Write)?;
    on_store(&state, move |s| activity::export_to(s, &request.filter, &path)).await
}

/// The facts of the Diagnostics section; reaching the commons takes a few seconds at most.
#[tauri::command]
pub async fn diagnostics_gather(state: State<'_, AppState>) -> CoreResult<Diagnostics> {
    Ok(gather(&state).await)
}

#[tauri::command]
#[tracing::instrument(skip_all, err)]
pub async fn diagnostics_collect(state: State<'_, AppState>, request: PathRequest) -> CoreResult<CollectSummary> {
    let path = state.granted(&request.path, Use::Write)?;
    let facts = gather(&state).await;
    let store = state.store().ok();
    let log_dir = state.paths.log_dir.clone();
    tauri::async_runtime::spawn_blocking(move || diagnostics::collect(&facts, store.as_deref(), &log_dir, &path))
        .await
        .map_err(crate::commands::task_failed)?
}

async fn gather(state: &AppState) -> Diagnostics {
    let store = state.store();
    let db_path = std::path::PathBuf::from(state.status().db_path);
    diagnostics::gather(&db_path, store.as_deref(), &state.vault(), &state.paths.log_dir).await
}
