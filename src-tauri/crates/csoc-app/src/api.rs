//! The command surface the UI sees. The commands are declared once, in `command_names.rs`
//! (`with_commands!`); this module turns that list into the spec the bindings render, the names the
//! capability grants, and the `Handlers` trait the shell implements, one method per command.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::activity::ActivityFilter;
use crate::diagnostics::{CollectSummary, Diagnostics};
use crate::error::{CoreError, ErrorCode};
use crate::keys::{KeyPreview, KeySource, NewCommons, ProfileCandidate};
use crate::model::{Commons, CommonsDraft};
use crate::secret::Secret;
use crate::transfer::{ExportSummary, ImportSummary};
use crate::vault::{CredentialView, KeyStatus, VaultMode, VaultStatus};

use crate::deploy::catalog::ServiceInfo;
use crate::deploy::dictionary::DictionaryCheck;
use crate::deploy::drafts::{Draft, DraftKind, DraftSummary};
use crate::deploy::git_launch::{GitLaunch, GitopsRepo};
use crate::deploy::helm_launch::HelmOutcome;
use crate::deploy::import::{ImportKind, ImportedCommons};
use crate::deploy::launch::{LaunchPhase, LaunchProgress, LaunchReport, LaunchRequest};
use crate::deploy::rendered_view::{RenderSettings, RenderedView};
use crate::deploy::review::{FileChange, FileReview, Review, StepFinding};
use crate::deploy::user_yaml::UserYamlSpec;
use crate::deploy::watch::{WatchOutcome, WatchProgress};
use crate::deploy::{Finding, Severity};
use crate::gen3::tls_cert::CertInfo;
use crate::mesh::mapping::MemberPreview;
use crate::mesh::view::MeshReport;
use crate::mesh::wizard::{MeshAnswers, MeshBuild};
use crate::monitor::history::{AlertKind, ExpiryAlert, MonitorSettings, StateChange, SweepReport};
use crate::monitor::probe::{Counts, ServiceState};
use crate::monitor::sweep::SweepProgress;
use crate::monitor::views::{
    CommonsHealth, CommonsHealthDetail, FleetSummary, FleetView, HistoryPoint, HistoryRange, KeySummary, ServiceStatus,
};
use crate::monitor::SweepScope;
use crate::team::{Keep, TeamConflict, TeamJoin, TeamResolve, TeamStatus};
use crate::webhooks::WebhookKind;

/// The event the shell emits after any inventory write; the UI re-reads the cache on it.
pub const EVENT_INVENTORY_CHANGED: &str = "inventory-changed";
/// Progress of a running sweep.
pub const EVENT_SWEEP_PROGRESS: &str = "sweep-progress";
/// A sweep finished (or was cancelled) and its results are in the cache.
pub const EVENT_FLEET_UPDATED: &str = "fleet-updated";
/// A wizard launch moved on: a phase, a line of helm output, or the watch's progress.
pub const EVENT_LAUNCH_PROGRESS: &str = "launch-progress";

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct UrlRequest {
    pub url: String,
}

/// An OIDC client secret for the vault; the value is never sent back.
#[derive(Debug, Clone, Deserialize, TS)]
pub struct SecretStoreRequest {
    pub draft_id: String,
    pub idp: String,
    #[ts(type = "string")]
    pub secret: Secret,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct WizardImportResult {
    pub imported: ImportedCommons,
    /// The inventory record added or refreshed (none for a release template or cluster file).
    pub commons: Option<Commons>,
    /// The draft to edit and re-launch the imported commons from.
    pub draft: Option<Draft>,
}

/// A webhook's URL for the vault (`null` removes it); the URL is never sent back.
#[derive(Debug, Clone, Deserialize, TS)]
pub struct WebhookSetRequest {
    pub kind: WebhookKind,
    #[ts(type = "string | null")]
    pub url: Option<Secret>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct HealthRequest {
    pub id: String,
    pub range: HistoryRange,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct IdRequest {
    pub id: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct NameRequest {
    pub name: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct PathRequest {
    pub path: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct ValidateRequest {
    /// The commons being edited, so its own URL is not reported as a duplicate.
    pub id: Option<String>,
    pub draft: CommonsDraft,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct UpdateRequest {
    pub id: String,
    pub draft: CommonsDraft,
}

#[derive(Debug, Clone, Deserialize, TS)]
pub struct PassphraseRequest {
    #[ts(type = "string")]
    pub passphrase: Secret,
}

#[derive(Debug, Clone, Deserialize, TS)]
pub struct ImportKeyRequest {
    pub source: KeySource,
    /// Set when the user agreed to add the key's commons to the inventory.
    pub add_commons: Option<NewCommons>,
}

/// What the UI needs before it paints anything: where things are and whether the cache opened.
#[derive(Debug, Clone, Serialize, TS)]
pub struct AppStatus {
    pub version: String,
    pub data_dir: String,
    pub db_path: String,
    pub log_dir: String,
    /// Set when the cache could not be opened; the UI shows it and, for `db_corrupt`, offers to
    /// move the file aside.
    pub store_error: Option<CoreError>,
    /// Where a damaged cache was moved by `store_move_aside`, to tell the user.
    pub moved_aside_to: Option<String>,
    /// The app shows the simulated demo fleet, from its own cache.
    pub demo: bool,
    /// Started with `--demo` and the demo fleet not started yet: the UI starts it once its first
    /// screen has painted, so neither the simulator nor the keyring holds up the window.
    pub demo_on_start: bool,
    /// The path named with `--import`: the UI opens the import of it.
    pub import_path: Option<String>,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct InventoryChanged {
    /// Unix ms of the change.
    #[ts(type = "number")]
    pub at: i64,
}

/// The activity entries `filter` selects, written to `path` as JSON Lines.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct ActivityExportRequest {
    pub path: String,
    pub filter: ActivityFilter,
}

/// Every type a command takes or answers, under the names `with_commands!` uses: what expands the
/// list imports this.
pub mod types {
    pub use super::{
        ActivityExportRequest, AppStatus, HealthRequest, IdRequest, ImportKeyRequest, NameRequest, PassphraseRequest,
        PathRequest, SecretStoreRequest, UpdateRequest, UrlRequest, ValidateRequest, WebhookSetRequest,
        WizardImportResult,
    };
    pub use crate::activity::{ActivityEntry, ActivityFilter};
    pub use crate::deploy::answers::CommonsAnswers;
    pub use crate::deploy::catalog::ServiceInfo;
    pub use crate::deploy::dictionary::DictionaryCheck;
    pub use crate::deploy::drafts::{Draft, DraftSummary};
    pub use crate::deploy::git_launch::GitopsRepo;
    pub use crate::deploy::launch::{LaunchReport, LaunchRequest};
    pub use crate::deploy::rendered_view::{RenderSettings, RenderedView};
    pub use crate::deploy::review::Review;
    pub use crate::diagnostics::{CollectSummary, Diagnostics};
    pub use crate::keys::{KeyPreview, KeySource, ProfileCandidate};
    pub use crate::mesh::mapping::MemberPreview;
    pub use crate::mesh::view::MeshReport;
    pub use crate::mesh::wizard::{MeshAnswers, MeshBuild};
    pub use crate::model::{Commons, CommonsDraft, FieldError, InventoryFilter, InventoryView, Mesh};
    pub use crate::monitor::history::MonitorSettings;
    pub use crate::monitor::views::{CommonsHealthDetail, FleetView};
    pub use crate::monitor::SweepScope;
    pub use crate::team::{TeamJoin, TeamResolve, TeamStatus};
    pub use crate::transfer::{ExportSummary, ImportSummary};
    pub use crate::vault::{CredentialView, VaultStatus};
    pub use crate::webhooks::WebhookKind;
}

/// The request type of a command declared without one.
macro_rules! request_or_unit {
    () => {
        ()
    };
    ($req:ty) => {
        $req
    };
}

pub(crate) struct CommandSpec {
    pub name: &'static str,
    pub request: String,
    pub response: String,
}

fn spec<Req: TS, Resp: TS>(name: &'static str) -> CommandSpec {
    CommandSpec { name, request: Req::name(), response: Resp::name() }
}

macro_rules! command_specs {
    ($($name:ident ($($req:ty)?) -> $resp:ty),* $(,)?) => {{
        use types::*;
        vec![$(spec::<request_or_unit!($($req)?), $resp>(stringify!($name))),*]
    }};
}

/// Every command with its request and response type; `()` means no request or no payload.
pub(crate) fn command_specs() -> Vec<CommandSpec> {
    crate::with_commands!(command_specs)
}

macro_rules! handlers_trait {
    ($($name:ident ($($req:ty)?) -> $resp:ty),* $(,)?) => {
        mod handlers {
            use super::types::*;
            use crate::error::CoreResult;

            /// What serves the commands: one method per command, named and typed as declared. The
            /// shell implements it for the window (each method runs a core function and returns its
            /// error unchanged) and its Tauri commands are generated to call these methods, so a
            /// command without a handler, or a handler whose request or response differs from the
            /// declaration, does not compile.
            pub trait Handlers: Sync {
                $(
                    fn $name(&self $(, request: $req)?)
                        -> impl std::future::Future<Output = CoreResult<$resp>> + Send;
                )*
            }
        }
        pub use handlers::Handlers;
    };
}

crate::with_commands!(handlers_trait);

/// Every type that appears in a command or event, in declaration order for the bindings file.
pub(crate) fn declarations() -> Vec<String> {
    use crate::model::*;
    vec![
        ErrorCode::decl(),
        CoreError::decl(),
        Environment::decl(),
        Relation::decl(),
        Deployment::decl(),
        CommonsDraft::decl(),
        Commons::decl(),
        Mesh::decl(),
        SortKey::decl(),
        BoardProblem::decl(),
        InventoryFilter::decl(),
        FieldError::decl(),
        Freshness::decl(),
        InventoryView::decl(),
        IdRequest::decl(),
        NameRequest::decl(),
        PathRequest::decl(),
        ValidateRequest::decl(),
        UpdateRequest::decl(),
        AppStatus::decl(),
        InventoryChanged::decl(),
        ExportSummary::decl(),
        ImportSummary::decl(),
        crate::credentials::KeyInfo::decl(),
        KeySource::decl(),
        KeyPreview::decl(),
        NewCommons::decl(),
        ImportKeyRequest::decl(),
        PassphraseRequest::decl(),
        ProfileCandidate::decl(),
        VaultMode::decl(),
        VaultStatus::decl(),
        KeyStatus::decl(),
        CredentialView::decl(),
        ServiceState::decl(),
        CertInfo::decl(),
        Counts::decl(),
        ServiceStatus::decl(),
        KeySummary::decl(),
        crate::monitor::views::CheckStatus::decl(),
        CommonsHealth::decl(),
        FleetSummary::decl(),
        FleetView::decl(),
        HistoryRange::decl(),
        HistoryPoint::decl(),
        StateChange::decl(),
        CommonsHealthDetail::decl(),
        HealthRequest::decl(),
        SweepScope::decl(),
        SweepProgress::decl(),
        AlertKind::decl(),
        ExpiryAlert::decl(),
        SweepReport::decl(),
        MonitorSettings::decl(),
        TeamConflict::decl(),
        TeamStatus::decl(),
        TeamJoin::decl(),
        Keep::decl(),
        TeamResolve::decl(),
        WebhookKind::decl(),
        WebhookSetRequest::decl(),
    ]
    .into_iter()
    .chain(wizard_declarations())
    .chain(operator_declarations())
    .collect()
}

/// The wizards' types, nested ones first.
fn wizard_declarations() -> Vec<String> {
    use crate::deploy::answers::*;
    vec![
        GitopsDestination::decl(),
        HelmDestination::decl(),
        Destination::decl(),
        Identity::decl(),
        DatabaseMode::decl(),
        Database::decl(),
        ProviderKind::decl(),
        LoginProvider::decl(),
        Login::decl(),
        crate::deploy::user_yaml::ProgramSpec::decl(),
        crate::deploy::user_yaml::GroupSpec::decl(),
        crate::deploy::user_yaml::PolicySpec::decl(),
        UserYamlSpec::decl(),
        Authorization::decl(),
        GuppyIndex::decl(),
        ServiceSettings::decl(),
        ImportedBase::decl(),
        SourceFile::decl(),
        CommonsAnswers::decl(),
        Severity::decl(),
        Finding::decl(),
        FileChange::decl(),
        FileReview::decl(),
        StepFinding::decl(),
        Review::decl(),
        crate::deploy::catalog::Category::decl(),
        crate::deploy::catalog::Requirement::decl(),
        ServiceInfo::decl(),
        DraftKind::decl(),
        Draft::decl(),
        DraftSummary::decl(),
        DictionaryCheck::decl(),
        GitopsRepo::decl(),
        crate::deploy::git_launch::ArgoSync::decl(),
        GitLaunch::decl(),
        HelmOutcome::decl(),
        crate::monitor::probe::ServiceProbe::decl(),
        crate::deploy::watch::WatchResult::decl(),
        WatchProgress::decl(),
        WatchOutcome::decl(),
        LaunchRequest::decl(),
        LaunchPhase::decl(),
        crate::deploy::launch::MergeResult::decl(),
        crate::deploy::launch::MergeWait::decl(),
        LaunchProgress::decl(),
        LaunchReport::decl(),
        ImportKind::decl(),
        ImportedCommons::decl(),
        UrlRequest::decl(),
        SecretStoreRequest::decl(),
        WizardImportResult::decl(),
        crate::deploy::rendered::ObjectKey::decl(),
        crate::deploy::rendered::ObjectChangeKind::decl(),
        crate::deploy::rendered::ObjectChange::decl(),
        crate::deploy::rendered::RenderComparison::decl(),
        RenderedView::decl(),
        RenderSettings::decl(),
    ]
    .into_iter()
    .chain(mesh_declarations())
    .collect()
}

/// The mesh wizard's and mesh view's types, nested ones first.
fn mesh_declarations() -> Vec<String> {
    use crate::mesh::{aggmds, mapping, view, wizard};
    vec![
        aggmds::SelectFieldText::decl(),
        aggmds::DetailedMapping::decl(),
        aggmds::FieldMapping::decl(),
        aggmds::MeshMemberSpec::decl(),
        wizard::MeshHub::decl(),
        wizard::MeshMemberAnswer::decl(),
        MeshAnswers::decl(),
        wizard::MemberSnippet::decl(),
        MeshBuild::decl(),
        mapping::MappedRecord::decl(),
        MemberPreview::decl(),
        view::MemberReport::decl(),
        view::HubReport::decl(),
        MeshReport::decl(),
    ]
}

/// The activity log's and diagnostics' types.
fn operator_declarations() -> Vec<String> {
    use crate::activity::*;
    vec![
        ActivityKind::decl(),
        ActivityResult::decl(),
        ActivityEntry::decl(),
        ActivityFilter::decl(),
        ActivityExportRequest::decl(),
        crate::diagnostics::KeyringFacts::decl(),
        crate::diagnostics::CacheFacts::decl(),
        crate::diagnostics::CommonsReach::decl(),
        Diagnostics::decl(),
        CollectSummary::decl(),
    ]
}

pub(crate) struct EventSpec {
    pub name: &'static str,
    pub payload: String,
}

pub(crate) fn event_specs() -> Vec<EventSpec> {
    vec![
        EventSpec { name: EVENT_INVENTORY_CHANGED, payload: InventoryChanged::name() },
        EventSpec { name: EVENT_SWEEP_PROGRESS, payload: SweepProgress::name() },
        EventSpec { name: EVENT_FLEET_UPDATED, payload: SweepReport::name() },
        EventSpec { name: EVENT_LAUNCH_PROGRESS, payload: LaunchProgress::name() },
    ]
}
