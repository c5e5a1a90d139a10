//! The window's handler of every command (`csoc_app::api::Handlers`, generated from the one list in
//! `command_names.rs`): each checks the paths its request names against the grants, runs a core
//! function (cache work on the blocking pool), emits events, and returns the core's error unchanged.
//! No logic lives here: a use case the terminal runs too is in `csoc_app::usecases`.

use csoc_app::api::types::*;
use csoc_app::api::{Handlers, EVENT_LAUNCH_PROGRESS};
use csoc_app::deploy::launch::{self, LaunchControl, LaunchProgress};
use csoc_app::deploy::{catalog, dictionary, drafts, git_launch, rendered_view, review};
use csoc_app::error::CoreResult;
use csoc_app::gen3::ClientOptions;
use csoc_app::mesh::{view, wizard as mesh_wizard};
use csoc_app::monitor::{history, views};
use csoc_app::path_grants::Use;
use csoc_app::{activity, diagnostics, inventory, keys, team, transfer, usecases, webhooks};
use tauri::{AppHandle, Emitter, Manager, State};

use crate::commands::{blocking, notify, on_store, write};
use crate::state::AppState;
use crate::team_sync::sync_soon;

/// The window's side of a command call: the app, for its state and its events.
pub struct Shell {
    app: AppHandle,
}

impl Shell {
    pub fn new(app: AppHandle) -> Self {
        Self { app }
    }

    fn state(&self) -> State<'_, AppState> {
        self.app.state::<AppState>()
    }

    /// A team operation that may change the inventory: tells the listeners, answers the new status.
    async fn then_status<F>(&self, work: F) -> CoreResult<TeamStatus>
    where
        F: FnOnce(&csoc_app::store::Store) -> CoreResult<()> + Send + 'static,
    {
        let status = on_store(&self.state(), move |s| {
            work(s)?;
            team::status(s)
        })
        .await?;
        notify(&self.app);
        Ok(status)
    }

    async fn gather(&self) -> Diagnostics {
        let state = self.state();
        let store = state.store();
        let db_path = std::path::PathBuf::from(state.status().db_path);
        diagnostics::gather(&db_path, store.as_deref(), &state.vault(), &state.paths.log_dir).await
    }
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

impl Handlers for Shell {
    async fn app_status(&self) -> CoreResult<AppStatus> {
        Ok(self.state().status())
    }

    async fn store_move_aside(&self) -> CoreResult<AppStatus> {
        self.state().move_aside()
    }

    /// Called once by the UI when the fleet list has painted: logged for start-up timing, and
    /// written to `GEN3_CSOC_READY_FILE` when set (the start-up benchmark waits for it).
    async fn first_paint(&self) -> CoreResult<()> {
        crate::report_first_paint(self.state().started);
        Ok(())
    }

    async fn inventory_list(&self, request: InventoryFilter) -> CoreResult<InventoryView> {
        on_store(&self.state(), move |s| inventory::list(s, &request)).await
    }

    async fn commons_get(&self, request: IdRequest) -> CoreResult<Commons> {
        on_store(&self.state(), move |s| inventory::get(s, &request.id)).await
    }

    async fn commons_validate(&self, request: ValidateRequest) -> CoreResult<Vec<FieldError>> {
        on_store(&self.state(), move |s| inventory::validate(s, request.id.as_deref(), &request.draft)).await
    }

    async fn commons_create(&self, request: CommonsDraft) -> CoreResult<Commons> {
        write(&self.app, &self.state(), move |s| inventory::create(s, &request)).await
    }

    async fn commons_update(&self, request: UpdateRequest) -> CoreResult<Commons> {
        write(&self.app, &self.state(), move |s| inventory::update(s, &request.id, &request.draft)).await
    }

    async fn commons_delete(&self, request: IdRequest) -> CoreResult<()> {
        write(&self.app, &self.state(), move |s| inventory::delete(s, &request.id)).await
    }

    async fn mesh_save(&self, request: Mesh) -> CoreResult<()> {
        write(&self.app, &self.state(), move |s| inventory::save_mesh(s, &request)).await
    }

    async fn mesh_delete(&self, request: NameRequest) -> CoreResult<()> {
        write(&self.app, &self.state(), move |s| inventory::delete_mesh(s, &request.name)).await
    }

    async fn inventory_export(&self, request: PathRequest) -> CoreResult<ExportSummary> {
        let path = self.state().granted(&request.path, Use::Write)?;
        on_store(&self.state(), move |s| transfer::export_to(s, &path)).await
    }

    async fn inventory_import(&self, request: PathRequest) -> CoreResult<ImportSummary> {
        let path = self.state().granted(&request.path, Use::Read)?;
        write(&self.app, &self.state(), move |s| transfer::import_from(s, &path)).await
    }

    async fn vault_status(&self) -> CoreResult<VaultStatus> {
        let vault = self.state().vault();
        on_store(&self.state(), move |s| vault.status(s)).await
    }

    async fn vault_use_passphrase(&self, request: PassphraseRequest) -> CoreResult<VaultStatus> {
        let vault = self.state().vault();
        on_store(&self.state(), move |s| vault.use_passphrase(s, &request.passphrase)).await
    }

    async fn credentials_preview(&self, request: KeySource) -> CoreResult<KeyPreview> {
        let request = granted_source(&self.state(), request)?;
        let vault = self.state().vault();
        on_store(&self.state(), move |s| keys::preview(&vault, s, &request, &keys::gen3_profile_dir())).await
    }

    async fn credentials_import(&self, mut request: ImportKeyRequest) -> CoreResult<CredentialView> {
        request.source = granted_source(&self.state(), request.source)?;
        let vault = self.state().vault();
        write(&self.app, &self.state(), move |s| {
            keys::import(&vault, s, &request.source, request.add_commons.as_ref(), &keys::gen3_profile_dir())
        })
        .await
    }

    async fn credentials_profiles(&self) -> CoreResult<Vec<ProfileCandidate>> {
        on_store(&self.state(), move |s| keys::profiles(s, &keys::gen3_profile_dir())).await
    }

    async fn credentials_list(&self) -> CoreResult<Vec<CredentialView>> {
        let vault = self.state().vault();
        on_store(&self.state(), move |s| vault.list(s)).await
    }

    /// On the async runtime: the exchange and `/user/user` are network calls.
    async fn credentials_test(&self, request: IdRequest) -> CoreResult<CredentialView> {
        let store = self.state().store()?;
        let view = keys::test_connection(&self.state().vault(), &store, &request.id, ClientOptions::default()).await;
        notify(&self.app);
        view
    }

    async fn credentials_delete(&self, request: IdRequest) -> CoreResult<()> {
        let vault = self.state().vault();
        write(&self.app, &self.state(), move |s| vault.delete(s, &request.id)).await
    }

    /// The operator confirms that a set-aside key may be sent to its commons' new URL.
    async fn credentials_confirm_url(&self, request: IdRequest) -> CoreResult<CredentialView> {
        let vault = self.state().vault();
        on_store(&self.state(), move |s| vault.confirm_url(s, &request.id)).await
    }

    async fn fleet_view(&self, request: InventoryFilter) -> CoreResult<FleetView> {
        on_store(&self.state(), move |s| views::fleet(s, &request)).await
    }

    async fn commons_health(&self, request: HealthRequest) -> CoreResult<CommonsHealthDetail> {
        on_store(&self.state(), move |s| views::commons_detail(s, &request.id, request.range)).await
    }

    async fn sweep_start(&self, request: SweepScope) -> CoreResult<()> {
        crate::monitoring::start(&self.app, request)
    }

    async fn sweep_cancel(&self) -> CoreResult<()> {
        crate::state::cancel(&self.state().sweep);
        Ok(())
    }

    async fn monitor_settings(&self) -> CoreResult<MonitorSettings> {
        on_store(&self.state(), history::settings).await
    }

    async fn monitor_settings_save(&self, request: MonitorSettings) -> CoreResult<MonitorSettings> {
        on_store(&self.state(), move |s| usecases::save_monitor_settings(s, &request)).await
    }

    async fn demo_start(&self) -> CoreResult<AppStatus> {
        let status = self.state().start_demo().await?;
        notify(&self.app);
        if let Err(e) = crate::monitoring::start(&self.app, SweepScope::All) {
            tracing::debug!(message = %e.message, "demo sweep not started");
        }
        Ok(status)
    }

    async fn wizard_catalog(&self) -> CoreResult<Vec<ServiceInfo>> {
        Ok(catalog::services().to_vec())
    }

    async fn wizard_drafts(&self) -> CoreResult<Vec<DraftSummary>> {
        on_store(&self.state(), drafts::list).await
    }

    async fn wizard_draft_get(&self, request: IdRequest) -> CoreResult<Draft> {
        on_store(&self.state(), move |s| drafts::get(s, &request.id)).await
    }

    async fn wizard_draft_save(&self, request: Draft) -> CoreResult<Draft> {
        on_store(&self.state(), move |s| drafts::save(s, &request)).await
    }

    async fn wizard_draft_delete(&self, request: IdRequest) -> CoreResult<()> {
        let vault = self.state().vault();
        on_store(&self.state(), move |s| usecases::delete_draft(s, &vault, &request.id)).await
    }

    /// Generation reads the destination folder for the diff.
    async fn wizard_review(&self, request: CommonsAnswers) -> CoreResult<Review> {
        self.state().grants.check_destination(&request, Use::Read)?;
        blocking(move || review::review(&request)).await
    }

    async fn wizard_check_dictionary(&self, request: UrlRequest) -> CoreResult<DictionaryCheck> {
        dictionary::check_dictionary(&request.url).await
    }

    async fn wizard_gitops_status(&self, request: PathRequest) -> CoreResult<GitopsRepo> {
        let repo = self.state().granted(&request.path, Use::Read)?;
        blocking(move || git_launch::gitops_status(&repo)).await
    }

    async fn wizard_secret_store(&self, request: SecretStoreRequest) -> CoreResult<()> {
        let vault = self.state().vault();
        on_store(&self.state(), move |s| usecases::store_client_secret(s, &vault, request)).await
    }

    async fn wizard_import(&self, request: PathRequest) -> CoreResult<WizardImportResult> {
        let path = self.state().granted(&request.path, Use::Read)?;
        write(&self.app, &self.state(), move |s| usecases::import_commons(s, &path)).await
    }

    async fn wizard_launch(&self, request: LaunchRequest) -> CoreResult<LaunchReport> {
        let state = self.state();
        state.grants.check_destination(&request.answers, Use::Write)?;
        let store = state.store()?;
        let vault = state.vault();
        let control = LaunchControl::default();
        *state.launch.lock().unwrap_or_else(|p| p.into_inner()) = Some(control.clone());
        let emitter = self.app.clone();
        let progress = move |p: LaunchProgress| {
            if let Err(e) = emitter.emit(EVENT_LAUNCH_PROGRESS, p) {
                tracing::debug!(error = %e, "could not emit launch-progress");
            }
        };
        let report = launch::launch(&store, &vault, &request, progress, control).await;
        *state.launch.lock().unwrap_or_else(|p| p.into_inner()) = None;
        notify(&self.app);
        report
    }

    async fn wizard_launch_cancel(&self) -> CoreResult<()> {
        if let Some(control) = self.state().launch.lock().unwrap_or_else(|p| p.into_inner()).as_ref() {
            control.cancel.cancel();
        }
        Ok(())
    }

    /// The operator says the launch's pull request was merged: the launch stops waiting and watches.
    async fn wizard_launch_merged(&self) -> CoreResult<()> {
        if let Some(control) = self.state().launch.lock().unwrap_or_else(|p| p.into_inner()).as_ref() {
            control.merged.cancel();
        }
        Ok(())
    }

    /// The review's Rendered view: two or three `helm template` runs of seconds each, outside the
    /// cache (only the chart-folder setting is read there).
    async fn wizard_rendered(&self, request: CommonsAnswers) -> CoreResult<RenderedView> {
        self.state().grants.check_destination(&request, Use::Read)?;
        let settings = on_store(&self.state(), rendered_view::settings).await?;
        blocking(move || rendered_view::rendered_view(&request, &settings.chart_dir)).await
    }

    async fn render_settings(&self) -> CoreResult<RenderSettings> {
        on_store(&self.state(), rendered_view::settings).await
    }

    async fn render_settings_save(&self, request: RenderSettings) -> CoreResult<RenderSettings> {
        let grants = self.state().grants.clone();
        on_store(&self.state(), move |s| usecases::save_render_settings(s, &grants, &request)).await
    }

    /// Reads the hub's folder (a chosen one) and writes nothing: the result goes to
    /// `wizard_review` as any commons.
    async fn mesh_wizard_build(&self, mut request: MeshAnswers) -> CoreResult<MeshBuild> {
        if !request.hub.gitops_folder.trim().is_empty() {
            let folder = self.state().granted(request.hub.gitops_folder.trim(), Use::Read)?;
            request.hub.gitops_folder = folder.display().to_string();
        }
        blocking(move || mesh_wizard::build(&request)).await
    }

    async fn mesh_wizard_preview(&self, request: MeshAnswers) -> CoreResult<Vec<MemberPreview>> {
        mesh_wizard::preview(&request, 3).await
    }

    async fn mesh_wizard_save(&self, request: MeshAnswers) -> CoreResult<Mesh> {
        write(&self.app, &self.state(), move |s| mesh_wizard::save(s, &request)).await
    }

    /// Checks an AggMDS configuration file and hands back its text for the wizard to edit.
    async fn mesh_aggmds_import(&self, request: PathRequest) -> CoreResult<String> {
        let path = self.state().granted(&request.path, Use::Read)?;
        blocking(move || usecases::aggmds_text(&path)).await
    }

    /// The mesh as one: cached member health, and live checks of each member's MDS and the hub's list.
    async fn mesh_view(&self, request: NameRequest) -> CoreResult<MeshReport> {
        let (hub, members, configured) =
            on_store(&self.state(), move |s| mesh_wizard::targets(s, &request.name)).await?;
        Ok(view::mesh_health(hub.as_ref(), &members, &configured, &ClientOptions::default()).await)
    }

    async fn activity_list(&self, request: ActivityFilter) -> CoreResult<Vec<ActivityEntry>> {
        on_store(&self.state(), move |s| activity::list(s, &request)).await
    }

    async fn activity_export(&self, request: ActivityExportRequest) -> CoreResult<u32> {
        let path = self.state().granted(&request.path, Use::Write)?;
        on_store(&self.state(), move |s| activity::export_to(s, &request.filter, &path)).await
    }

    /// The facts of the Diagnostics section; reaching the commons takes a few seconds at most.
    async fn diagnostics_gather(&self) -> CoreResult<Diagnostics> {
        Ok(self.gather().await)
    }

    async fn diagnostics_collect(&self, request: PathRequest) -> CoreResult<CollectSummary> {
        let path = self.state().granted(&request.path, Use::Write)?;
        let facts = self.gather().await;
        let store = self.state().store().ok();
        let log_dir = self.state().paths.log_dir.clone();
        blocking(move || diagnostics::collect(&facts, store.as_deref(), &log_dir, &path)).await
    }

    async fn demo_stop(&self) -> CoreResult<AppStatus> {
        let status = self.state().stop_demo().await?;
        notify(&self.app);
        Ok(status)
    }

    async fn team_status(&self) -> CoreResult<TeamStatus> {
        on_store(&self.state(), team::status).await
    }

    async fn team_join(&self, request: TeamJoin) -> CoreResult<TeamStatus> {
        self.then_status(move |s| team::join(s, &request).map(drop)).await
    }

    async fn team_sync(&self) -> CoreResult<TeamStatus> {
        self.then_status(|s| team::sync(s).map(drop)).await
    }

    async fn team_resolve(&self, request: TeamResolve) -> CoreResult<TeamStatus> {
        let status = self.then_status(move |s| team::resolve(s, &request)).await?;
        sync_soon(&self.app);
        Ok(status)
    }

    async fn webhook_list(&self) -> CoreResult<Vec<WebhookKind>> {
        let vault = self.state().vault();
        on_store(&self.state(), move |s| webhooks::configured(s, &vault)).await
    }

    async fn webhook_set(&self, request: WebhookSetRequest) -> CoreResult<Vec<WebhookKind>> {
        let vault = self.state().vault();
        on_store(&self.state(), move |s| usecases::set_webhook(s, &vault, request.kind, request.url.as_ref())).await
    }
}
