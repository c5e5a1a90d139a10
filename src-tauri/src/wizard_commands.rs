//! Tauri commands of the commons and mesh wizards: thin adapters over `csoc_app::deploy` and
//! `csoc_app::mesh`, like `commands.rs`.

use csoc_app::api::{
    IdRequest, NameRequest, PathRequest, SecretStoreRequest, UrlRequest, WizardImportResult, EVENT_LAUNCH_PROGRESS,
};
use csoc_app::deploy::answers::CommonsAnswers;
use csoc_app::deploy::catalog::{self, ServiceInfo};
use csoc_app::deploy::dictionary::{self, DictionaryCheck};
use csoc_app::deploy::drafts::{self, Draft, DraftSummary};
use csoc_app::deploy::git_launch::{self, GitopsRepo};
use csoc_app::deploy::launch::{self, LaunchProgress, LaunchReport, LaunchRequest};
use csoc_app::deploy::rendered_view::{self, RenderSettings, RenderedView};
use csoc_app::deploy::review::{self, Review};
use csoc_app::deploy::{cli as deploy_cli, import, import_report};
use csoc_app::error::CoreResult;
use csoc_app::gen3::ClientOptions;
use csoc_app::mesh::aggmds;
use csoc_app::mesh::mapping::MemberPreview;
use csoc_app::mesh::view::{self, MeshReport};
use csoc_app::mesh::wizard::{self as mesh_wizard, MeshAnswers, MeshBuild};
use csoc_app::model::Mesh;
use csoc_app::path_grants::Use;
use csoc_app::secret::SecretKind;
use tauri::{AppHandle, Emitter, State};
use tokio_util::sync::CancellationToken;

use crate::commands::{on_store, write};
use crate::state::AppState;

#[tauri::command]
pub fn wizard_catalog() -> Vec<ServiceInfo> {
    catalog::services().to_vec()
}

#[tauri::command]
pub async fn wizard_drafts(state: State<'_, AppState>) -> CoreResult<Vec<DraftSummary>> {
    on_store(&state, drafts::list).await
}

#[tauri::command]
pub async fn wizard_draft_get(state: State<'_, AppState>, request: IdRequest) -> CoreResult<Draft> {
    on_store(&state, move |s| drafts::get(s, &request.id)).await
}

#[tauri::command]
pub async fn wizard_draft_save(state: State<'_, AppState>, request: Draft) -> CoreResult<Draft> {
    on_store(&state, move |s| drafts::save(s, &request)).await
}

#[tauri::command]
#[tracing::instrument(skip_all, fields(id = %request.id), err)]
pub async fn wizard_draft_delete(state: State<'_, AppState>, request: IdRequest) -> CoreResult<()> {
    let vault = state.vault();
    on_store(&state, move |s| {
        drafts::delete(s, &request.id)?;
        vault.delete_named_prefix(s, &launch::secret_name(&request.id, "")).map(drop)
    })
    .await
}

/// Generation reads the destination folder for the diff: off the UI thread.
#[tauri::command]
pub async fn wizard_review(state: State<'_, AppState>, request: CommonsAnswers) -> CoreResult<Review> {
    state.grants.check_destination(&request, Use::Read)?;
    tauri::async_runtime::spawn_blocking(move || review::review(&request))
        .await
        .map_err(crate::commands::task_failed)?
}

#[tauri::command]
pub async fn wizard_check_dictionary(request: UrlRequest) -> CoreResult<DictionaryCheck> {
    dictionary::check_dictionary(&request.url).await
}

#[tauri::command]
pub async fn wizard_gitops_status(state: State<'_, AppState>, request: PathRequest) -> CoreResult<GitopsRepo> {
    let repo = state.granted(&request.path, Use::Read)?;
    tauri::async_runtime::spawn_blocking(move || git_launch::gitops_status(&repo))
        .await
        .map_err(crate::commands::task_failed)?
}

#[tauri::command]
#[tracing::instrument(skip_all, fields(idp = %request.idp), err)]
pub async fn wizard_secret_store(state: State<'_, AppState>, request: SecretStoreRequest) -> CoreResult<()> {
    let vault = state.vault();
    on_store(&state, move |s| {
        let secret = request.secret.into_kind(SecretKind::ClientSecret);
        vault.store_named(s, &launch::secret_name(&request.draft_id, &request.idp), &secret)
    })
    .await
}

#[tauri::command]
#[tracing::instrument(skip_all, err)]
pub async fn wizard_import(
    app: AppHandle,
    state: State<'_, AppState>,
    request: PathRequest,
) -> CoreResult<WizardImportResult> {
    let path = state.granted(&request.path, Use::Read)?;
    write(&app, &state, move |s| {
        let imported = import::import_path(&path)?;
        let (commons, draft) = if imported.is_commons() {
            // The draft is checked before the inventory changes: all of the import, or none.
            let draft = deploy_cli::draft_of(&imported.answers, &imported.summary)?;
            drafts::check(&draft)?;
            let commons = import::add_to_inventory(s, &imported.answers)?;
            let draft = drafts::save(s, &draft).map_err(|e| import_report::kept_without_draft(&commons, e))?;
            (Some(commons), Some(draft))
        } else {
            (None, None)
        };
        Ok(WizardImportResult { imported, commons, draft })
    })
    .await
}

#[tauri::command]
#[tracing::instrument(skip_all, err)]
pub async fn wizard_launch(
    app: AppHandle,
    state: State<'_, AppState>,
    request: LaunchRequest,
) -> CoreResult<LaunchReport> {
    state.grants.check_destination(&request.answers, Use::Write)?;
    let store = state.store()?;
    let vault = state.vault();
    let token = CancellationToken::new();
    *state.launch.lock().unwrap_or_else(|p| p.into_inner()) = Some(token.clone());
    let emitter = app.clone();
    let report = launch::launch(
        &store,
        &vault,
        &request,
        move |p: LaunchProgress| {
            if let Err(e) = emitter.emit(EVENT_LAUNCH_PROGRESS, p) {
                tracing::debug!(error = %e, "could not emit launch-progress");
            }
        },
        token,
    )
    .await;
    *state.launch.lock().unwrap_or_else(|p| p.into_inner()) = None;
    crate::commands::notify(&app);
    report
}

#[tauri::command]
pub fn wizard_launch_cancel(state: State<'_, AppState>) {
    if let Some(token) = state.launch.lock().unwrap_or_else(|p| p.into_inner()).as_ref() {
        token.cancel();
    }
}

/// The review's Rendered view: two or three `helm template` runs of seconds each, off the UI
/// thread and outside the cache (only the chart-folder setting is read there).
#[tauri::command]
pub async fn wizard_rendered(state: State<'_, AppState>, request: CommonsAnswers) -> CoreResult<RenderedView> {
    state.grants.check_destination(&request, Use::Read)?;
    let settings = on_store(&state, rendered_view::settings).await?;
    tauri::async_runtime::spawn_blocking(move || rendered_view::rendered_view(&request, &settings.chart_dir))
        .await
        .map_err(crate::commands::task_failed)?
}

#[tauri::command]
pub async fn render_settings(state: State<'_, AppState>) -> CoreResult<RenderSettings> {
    on_store(&state, rendered_view::settings).await
}

#[tauri::command]
#[tracing::instrument(skip_all, err)]
pub async fn render_settings_save(state: State<'_, AppState>, request: RenderSettings) -> CoreResult<RenderSettings> {
    // The chart folder is read by every later review: a new one must be chosen, as any path.
    let current = on_store(&state, rendered_view::settings).await?;
    if !request.chart_dir.trim().is_empty() && request.chart_dir.trim() != current.chart_dir {
        state.granted(request.chart_dir.trim(), Use::Read)?;
    }
    on_store(&state, move |s| rendered_view::save_settings(s, &request)).await
}

/// Reads the hub's folder (a chosen one) and writes nothing: the result goes to `wizard_review`
/// as any commons.
#[tauri::command]
pub async fn mesh_wizard_build(state: State<'_, AppState>, mut request: MeshAnswers) -> CoreResult<MeshBuild> {
    if !request.hub.gitops_folder.trim().is_empty() {
        request.hub.gitops_folder = state.granted(request.hub.gitops_folder.trim(), Use::Read)?.display().to_string();
    }
    tauri::async_runtime::spawn_blocking(move || mesh_wizard::build(&request))
        .await
        .map_err(crate::commands::task_failed)?
}

#[tauri::command]
pub async fn mesh_wizard_preview(request: MeshAnswers) -> CoreResult<Vec<MemberPreview>> {
    mesh_wizard::preview(&request, 3).await
}

#[tauri::command]
#[tracing::instrument(skip_all, err)]
pub async fn mesh_wizard_save(app: AppHandle, state: State<'_, AppState>, request: MeshAnswers) -> CoreResult<Mesh> {
    write(&app, &state, move |s| mesh_wizard::save(s, &request)).await
}

/// Checks an AggMDS configuration file and hands back its text for the wizard to edit.
#[tauri::command]
pub async fn mesh_aggmds_import(state: State<'_, AppState>, request: PathRequest) -> CoreResult<String> {
    let path = state.granted(&request.path, Use::Read)?;
    tauri::async_runtime::spawn_blocking(move || {
        let path = path.as_path();
        let text = csoc_app::deploy::yaml::read_config_file(path)?;
        let cfg = aggmds::parse_aggmds(&text, &path.display().to_string())?;
        aggmds::to_json_pretty(&cfg)
    })
    .await
    .map_err(crate::commands::task_failed)?
}

/// The mesh as one: cached member health, and live checks of each member's MDS and the hub's list.
#[tauri::command]
pub async fn mesh_view(state: State<'_, AppState>, request: NameRequest) -> CoreResult<MeshReport> {
    let (hub, members, configured) = on_store(&state, move |s| mesh_wizard::targets(s, &request.name)).await?;
    Ok(view::mesh_health(hub.as_ref(), &members, &configured, &ClientOptions::default()).await)
}
