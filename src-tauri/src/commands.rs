//! Tauri commands: each parses its request, runs the core off the main thread, and returns the
//! core's `{code, message}` error unchanged. No logic lives here.

use std::sync::Arc;

use csoc_app::api::{
    AppStatus, HealthRequest, IdRequest, ImportKeyRequest, InventoryChanged, NameRequest, PassphraseRequest,
    PathRequest, UpdateRequest, ValidateRequest, EVENT_INVENTORY_CHANGED,
};
use csoc_app::error::{CoreError, CoreResult, ErrorCode};
use csoc_app::gen3::ClientOptions;
use csoc_app::keys::{self, KeyPreview, KeySource, ProfileCandidate};
use csoc_app::model::{now_ms, Commons, CommonsDraft, FieldError, InventoryFilter, InventoryView, Mesh};
use csoc_app::monitor::history::{self, MonitorSettings};
use csoc_app::monitor::views::{self, CommonsHealthDetail, FleetView};
use csoc_app::monitor::SweepScope;
use csoc_app::path_grants::Use;
use csoc_app::store::Store;
use csoc_app::transfer::{ExportSummary, ImportSummary};
use csoc_app::vault::{CredentialView, VaultStatus};
use csoc_app::{inventory, transfer};
use tauri::{AppHandle, Emitter, State};

use crate::state::AppState;

/// Runs blocking cache work on the blocking pool so the UI thread never waits on SQLite.
pub(crate) async fn on_store<T, F>(state: &AppState, work: F) -> CoreResult<T>
where
    T: Send + 'static,
    F: FnOnce(&Store) -> CoreResult<T> + Send + 'static,
{
    let store: Arc<Store> = state.store()?;
    tauri::async_runtime::spawn_blocking(move || work(&store)).await.map_err(|e| {
        tracing::error!(error = %e, "cache task failed");
        CoreError::new(
            ErrorCode::DbUnavailable,
            "The cache operation stopped unexpectedly. Details are in the log file.",
        )
    })?
}

/// A background task (not on the cache) that panicked: logged, and told to the UI in words.
pub(crate) fn task_failed(e: tauri::Error) -> CoreError {
    tracing::error!(error = %e, "background task failed");
    CoreError::new(ErrorCode::Io, "The operation stopped unexpectedly. Details are in the log file.")
}

/// Runs a write and tells every listener the inventory changed.
pub(crate) async fn write<T, F>(app: &AppHandle, state: &AppState, work: F) -> CoreResult<T>
where
    T: Send + 'static,
    F: FnOnce(&Store) -> CoreResult<T> + Send + 'static,
{
    let out = on_store(state, work).await?;
    notify(app);
    crate::team_commands::sync_soon(app);
    Ok(out)
}

pub(crate) fn notify(app: &AppHandle) {
    if let Err(e) = app.emit(EVENT_INVENTORY_CHANGED, InventoryChanged { at: now_ms() }) {
        tracing::warn!(error = %e, "could not emit inventory-changed");
    }
}

#[tauri::command]
pub fn app_status(state: State<'_, AppState>) -> AppStatus {
    state.status()
}

#[tauri::command]
#[tracing::instrument(skip_all, err)]
pub fn store_move_aside(state: State<'_, AppState>) -> CoreResult<AppStatus> {
    state.move_aside()
}

/// Called once by the UI when the fleet list has painted: logged for start-up timing, and written to
/// `GEN3_CSOC_READY_FILE` when set (the start-up benchmark waits for it).
#[tauri::command]
pub fn first_paint(state: State<'_, AppState>) {
    crate::report_first_paint(state.started);
}

#[tauri::command]
pub async fn inventory_list(state: State<'_, AppState>, request: InventoryFilter) -> CoreResult<InventoryView> {
    on_store(&state, move |s| inventory::list(s, &request)).await
}

#[tauri::command]
pub async fn commons_get(state: State<'_, AppState>, request: IdRequest) -> CoreResult<Commons> {
    on_store(&state, move |s| inventory::get(s, &request.id)).await
}

#[tauri::command]
pub async fn commons_validate(state: State<'_, AppState>, request: ValidateRequest) -> CoreResult<Vec<FieldError>> {
    on_store(&state, move |s| inventory::validate(s, request.id.as_deref(), &request.draft)).await
}

#[tauri::command]
#[tracing::instrument(skip_all, err)]
pub async fn commons_create(app: AppHandle, state: State<'_, AppState>, request: CommonsDraft) -> CoreResult<Commons> {
    write(&app, &state, move |s| inventory::create(s, &request)).await
}

#[tauri::command]
#[tracing::instrument(skip_all, fields(id = %request.id), err)]
pub async fn commons_update(app: AppHandle, state: State<'_, AppState>, request: UpdateRequest) -> CoreResult<Commons> {
    write(&app, &state, move |s| inventory::update(s, &request.id, &request.draft)).await
}

#[tauri::command]
#[tracing::instrument(skip_all, fields(id = %request.id), err)]
pub async fn commons_delete(app: AppHandle, state: State<'_, AppState>, request: IdRequest) -> CoreResult<()> {
    write(&app, &state, move |s| inventory::delete(s, &request.id)).await
}

#[tauri::command]
#[tracing::instrument(skip_all, fields(mesh = %request.name), err)]
pub async fn mesh_save(app: AppHandle, state: State<'_, AppState>, request: Mesh) -> CoreResult<()> {
    write(&app, &state, move |s| inventory::save_mesh(s, &request)).await
}

#[tauri::command]
#[tracing::instrument(skip_all, fields(mesh = %request.name), err)]
pub async fn mesh_delete(app: AppHandle, state: State<'_, AppState>, request: NameRequest) -> CoreResult<()> {
    write(&app, &state, move |s| inventory::delete_mesh(s, &request.name)).await
}

#[tauri::command]
#[tracing::instrument(skip_all, err)]
pub async fn inventory_export(state: State<'_, AppState>, request: PathRequest) -> CoreResult<ExportSummary> {
    let path = state.granted(&request.path, Use::Write)?;
    on_store(&state, move |s| transfer::export_to(s, &path)).await
}

#[tauri::command]
#[tracing::instrument(skip_all, err)]
pub async fn inventory_import(
    app: AppHandle,
    state: State<'_, AppState>,
    request: PathRequest,
) -> CoreResult<ImportSummary> {
    let path = state.granted(&request.path, Use::Read)?;
    write(&app, &state, move |s| transfer::import_from(s, &path)).await
}

#[tauri::command]
pub async fn vault_status(state: State<'_, AppState>) -> CoreResult<VaultStatus> {
    let vault = state.vault();
    on_store(&state, move |s| vault.status(s)).await
}

#[tauri::command]
#[tracing::instrument(skip_all, err)]
pub async fn vault_use_passphrase(state: State<'_, AppState>, request: PassphraseRequest) -> CoreResult<VaultStatus> {
    let vault = state.vault();
    on_store(&state, move |s| vault.use_passphrase(s, &request.passphrase)).await
}

#[tauri::command]
pub async fn credentials_preview(state: State<'_, AppState>, request: KeySource) -> CoreResult<KeyPreview> {
    let request = granted_source(&state, request)?;
    let vault = state.vault();
    on_store(&state, move |s| keys::preview(&vault, s, &request, &keys::gen3_profile_dir())).await
}

#[tauri::command]
#[tracing::instrument(skip_all, err)]
pub async fn credentials_import(
    app: AppHandle,
    state: State<'_, AppState>,
    mut request: ImportKeyRequest,
) -> CoreResult<CredentialView> {
    request.source = granted_source(&state, request.source)?;
    let vault = state.vault();
    write(&app, &state, move |s| {
        keys::import(&vault, s, &request.source, request.add_commons.as_ref(), &keys::gen3_profile_dir())
    })
    .await
}

/// A key source from the page, a file path in it checked against the grants.
fn granted_source(state: &AppState, source: KeySource) -> CoreResult<KeySource> {
    match source {
        KeySource::File { path } => {
            Ok(KeySource::File { path: state.granted(&path, Use::Read)?.display().to_string() })
        }
        other => Ok(other),
    }
}

#[tauri::command]
pub async fn credentials_profiles(state: State<'_, AppState>) -> CoreResult<Vec<ProfileCandidate>> {
    on_store(&state, move |s| keys::profiles(s, &keys::gen3_profile_dir())).await
}

#[tauri::command]
pub async fn credentials_list(state: State<'_, AppState>) -> CoreResult<Vec<CredentialView>> {
    let vault = state.vault();
    on_store(&state, move |s| vault.list(s)).await
}

/// Runs on the async runtime: the exchange and `/user/user` are network calls, never on the UI thread.
#[tauri::command]
#[tracing::instrument(skip_all, fields(id = %request.id), err)]
pub async fn credentials_test(
    app: AppHandle,
    state: State<'_, AppState>,
    request: IdRequest,
) -> CoreResult<CredentialView> {
    let store = state.store()?;
    let view = keys::test_connection(&state.vault(), &store, &request.id, ClientOptions::default()).await;
    notify(&app);
    view
}

/// The operator confirms that a set-aside key may be sent to its commons' new URL.
#[tauri::command]
#[tracing::instrument(skip_all, fields(id = %request.id), err)]
pub async fn credentials_confirm_url(state: State<'_, AppState>, request: IdRequest) -> CoreResult<CredentialView> {
    let vault = state.vault();
    on_store(&state, move |s| vault.confirm_url(s, &request.id)).await
}

#[tauri::command]
#[tracing::instrument(skip_all, fields(id = %request.id), err)]
pub async fn credentials_delete(app: AppHandle, state: State<'_, AppState>, request: IdRequest) -> CoreResult<()> {
    let vault = state.vault();
    write(&app, &state, move |s| vault.delete(s, &request.id)).await
}

#[tauri::command]
pub async fn fleet_view(state: State<'_, AppState>, request: InventoryFilter) -> CoreResult<FleetView> {
    on_store(&state, move |s| views::fleet(s, &request)).await
}

#[tauri::command]
pub async fn commons_health(state: State<'_, AppState>, request: HealthRequest) -> CoreResult<CommonsHealthDetail> {
    on_store(&state, move |s| views::commons_detail(s, &request.id, request.range)).await
}

#[tauri::command]
#[tracing::instrument(skip_all, err)]
pub fn sweep_start(app: AppHandle, request: SweepScope) -> CoreResult<()> {
    crate::monitoring::start(&app, request)
}

#[tauri::command]
pub fn sweep_cancel(state: State<'_, AppState>) {
    if let Some(token) = state.sweep.lock().unwrap_or_else(|p| p.into_inner()).as_ref() {
        token.cancel();
    }
}

#[tauri::command]
pub async fn monitor_settings(state: State<'_, AppState>) -> CoreResult<MonitorSettings> {
    on_store(&state, history::settings).await
}

#[tauri::command]
#[tracing::instrument(skip_all, err)]
pub async fn monitor_settings_save(
    state: State<'_, AppState>,
    request: MonitorSettings,
) -> CoreResult<MonitorSettings> {
    on_store(&state, move |s| {
        history::save_settings(s, &request)?;
        history::settings(s)
    })
    .await
}

#[tauri::command]
#[tracing::instrument(skip_all, err)]
pub async fn demo_stop(app: AppHandle, state: State<'_, AppState>) -> CoreResult<AppStatus> {
    let status = state.stop_demo().await?;
    notify(&app);
    Ok(status)
}

#[tauri::command]
#[tracing::instrument(skip_all, err)]
pub async fn demo_start(app: AppHandle, state: State<'_, AppState>) -> CoreResult<AppStatus> {
    let status = state.start_demo().await?;
    notify(&app);
    if let Err(e) = crate::monitoring::start(&app, SweepScope::All) {
        tracing::debug!(message = %e.message, "demo sweep not started");
    }
    Ok(status)
}
