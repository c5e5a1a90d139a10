// The app's commands, each declared once: `name(Request) -> Response`, no request written `name()`.
// Everything about a command is generated from this list by a callback macro:
// - the permission list of the shell's build script (`tauri_build::AppManifest`), which includes
//   this file, so it stays plain Rust with no imports (the types are only read as tokens there);
// - the shell's capability test, `api::command_specs()` and the TypeScript bindings;
// - `api::Handlers`, the trait with one method per command that the shell implements, so the
//   compiler holds each handler to its request and response;
// - the shell's Tauri commands and its `generate_handler!` list.
// Types are named as `api::types` exports them.

/// Calls `$callback! { name(Request) -> Response, ... }` with every command of the app.
#[macro_export]
macro_rules! with_commands {
    ($callback:ident) => {
        $callback! {
            app_status() -> AppStatus,
            store_move_aside() -> AppStatus,
            first_paint() -> (),
            inventory_list(InventoryFilter) -> InventoryView,
            commons_get(IdRequest) -> Commons,
            commons_validate(ValidateRequest) -> Vec<FieldError>,
            commons_create(CommonsDraft) -> Commons,
            commons_update(UpdateRequest) -> Commons,
            commons_delete(IdRequest) -> (),
            mesh_save(Mesh) -> (),
            mesh_delete(NameRequest) -> (),
            inventory_export(PathRequest) -> ExportSummary,
            inventory_import(PathRequest) -> ImportSummary,
            vault_status() -> VaultStatus,
            vault_use_passphrase(PassphraseRequest) -> VaultStatus,
            credentials_preview(KeySource) -> KeyPreview,
            credentials_import(ImportKeyRequest) -> CredentialView,
            credentials_profiles() -> Vec<ProfileCandidate>,
            credentials_list() -> Vec<CredentialView>,
            credentials_test(IdRequest) -> CredentialView,
            credentials_delete(IdRequest) -> (),
            credentials_confirm_url(IdRequest) -> CredentialView,
            fleet_view(InventoryFilter) -> FleetView,
            commons_health(HealthRequest) -> CommonsHealthDetail,
            sweep_start(SweepScope) -> (),
            sweep_cancel() -> (),
            monitor_settings() -> MonitorSettings,
            monitor_settings_save(MonitorSettings) -> MonitorSettings,
            demo_start() -> AppStatus,
            wizard_catalog() -> Vec<ServiceInfo>,
            wizard_drafts() -> Vec<DraftSummary>,
            wizard_draft_get(IdRequest) -> Draft,
            wizard_draft_save(Draft) -> Draft,
            wizard_draft_delete(IdRequest) -> (),
            wizard_review(CommonsAnswers) -> Review,
            wizard_check_dictionary(UrlRequest) -> DictionaryCheck,
            wizard_gitops_status(PathRequest) -> GitopsRepo,
            wizard_secret_store(SecretStoreRequest) -> (),
            wizard_import(PathRequest) -> WizardImportResult,
            wizard_launch(LaunchRequest) -> LaunchReport,
            wizard_launch_cancel() -> (),
            wizard_launch_merged() -> (),
            wizard_rendered(CommonsAnswers) -> RenderedView,
            render_settings() -> RenderSettings,
            render_settings_save(RenderSettings) -> RenderSettings,
            mesh_wizard_build(MeshAnswers) -> MeshBuild,
            mesh_wizard_preview(MeshAnswers) -> Vec<MemberPreview>,
            mesh_wizard_save(MeshAnswers) -> Mesh,
            mesh_aggmds_import(PathRequest) -> String,
            mesh_view(NameRequest) -> MeshReport,
            activity_list(ActivityFilter) -> Vec<ActivityEntry>,
            activity_export(ActivityExportRequest) -> u32,
            diagnostics_gather() -> Diagnostics,
            diagnostics_collect(PathRequest) -> CollectSummary,
            demo_stop() -> AppStatus,
            team_status() -> TeamStatus,
            team_join(TeamJoin) -> TeamStatus,
            team_sync() -> TeamStatus,
            team_resolve(TeamResolve) -> TeamStatus,
            webhook_list() -> Vec<WebhookKind>,
            webhook_set(WebhookSetRequest) -> Vec<WebhookKind>,
        }
    };
}
