// The wizard commands' types, written from the Rust sources (deploy/*.rs, api.rs) while the pieces
// land in parallel. Delete this file once bindings.ts is regenerated with them (backend.ts then
// reads `Commands` and `Events` from bindings.ts alone).
import type { Commons, Environment, IdRequest, PathRequest, ServiceState } from './bindings';

export type GitopsDestination = { repo_path: string, cluster_folder: string, argo_project: string, namespace: string, release_name: string, values_repo_url: string, chart_revision: string, };

export type HelmDestination = { kube_context: string, namespace: string, release_name: string, chart_version: string, output_dir: string, };

export type Destination = { "kind": "gitops" } & GitopsDestination | { "kind": "helm" } & HelmDestination;

export type Identity = { name: string, hostname: string, environment: Environment, release: string, revproxy_arn: string, };

export type DatabaseMode = "dev" | "external";

export type Database = { mode: DatabaseMode, host: string, port: number, username: string, password_secret_name: string, external_secrets: boolean, aws_region: string, };

export type ProviderKind = "google" | "generic_oidc" | "fence" | "ras";

export type LoginProvider = { kind: ProviderKind, idp: string, label: string, client_id: string, discovery_url: string, api_base_url: string, secret_stored: boolean, };

export type Login = { providers: Array<LoginProvider>, default_idp: string, mock_login: boolean, };

export type UserYamlSpec = { admins: Array<string>, programs: Array<{ name: string, projects: Array<string>, }>, groups: Array<{ name: string, users: Array<string>, policies: Array<string>, }>, extra_policies: Array<{ id: string, description: string, role_ids: Array<string>, resource_paths: Array<string>, }>, open_data: boolean, };

export type Authorization = { spec: UserYamlSpec, raw: string | null, };

export type GuppyIndex = { index: string, type: string, };

export type ServiceSettings = { indexd_prefix: string, dictionary_url: string, portal_app: string, guppy_indices: Array<GuppyIndex>, guppy_config_index: string, };

export type ImportedBase = { values: unknown, split_files: Array<string>, folder: string, app: unknown, chart: unknown, legacy: unknown, };

export type CommonsAnswers = { destination: Destination, identity: Identity, database: Database, services: Array<string>, login: Login, authorization: Authorization, settings: ServiceSettings, legacy_manifest: boolean, acknowledged: Array<string>, base: ImportedBase | null, };

export type Severity = "warning" | "error";

export type Finding = { severity: Severity, code: string, message: string, file: string | null, key: string | null, acknowledgeable: boolean, };

export type FileChange = "new" | "changed" | "unchanged";

export type FileReview = { path: string, contents: string, change: FileChange, diff: string, };

export type StepFinding = { step: number, ack_id: string, acknowledged: boolean, finding: Finding, };

export type Review = { files: Array<FileReview>, findings: Array<StepFinding>, blocked: boolean, root: string, };

export type ServiceInfo = { name: string, category: string, description: string, condition: string, default_enabled: boolean, dependencies: Array<string>, exclusive_group: string | null, };

export type DraftKind = "commons" | "mesh";

export type Draft = { id: string, kind: DraftKind, title: string, step: number, answers: unknown, updated_at: number, };

export type DraftSummary = { id: string, kind: DraftKind, title: string, step: number, updated_at: number, };

export type DictionaryCheck = { url: string, node_count: number, nodes: Array<string>, };

export type GitopsRepo = { branch: string | null, remote_name: string, remote_url: string, clean: boolean, head: string | null, };

export type ArgoApp = { name: string, namespace: string | null, server: string | null, release_name: string | null, chart_revision: string | null, values_revision: string | null, value_files: Array<string>, };

export type GitLaunch = { branch: string, commit: string, remote: string, remote_url: string, files: Array<string>, argo_app: ArgoApp | null, };

export type HelmOutcome = { exit_code: number | null, cancelled: boolean, };

export type ServiceProbe = { service: string, state: ServiceState, latency_ms: number | null, version: string | null, detail: string | null, };

export type WatchProgress = { services: Array<ServiceProbe>, healthy: number, expected: number, waiting_for: Array<string>, not_checked: Array<string>, reachable: boolean, error: string | null, attempts: number, elapsed_ms: number, };

export type WatchResult = "healthy" | "timed_out" | "cancelled";

export type WatchOutcome = { result: WatchResult, progress: WatchProgress | null, message: string, };

export type LaunchRequest = { answers: CommonsAnswers, confirmation: string, watch_secs: number, };

export type LaunchPhase = "writing" | "pushing" | "helm" | "registering" | "watching";

export type LaunchProgress = { phase: LaunchPhase, message: string, line: string | null, watch: WatchProgress | null, };

export type LaunchReport = { commons_id: string | null, git: GitLaunch | null, helm: HelmOutcome | null, watch: WatchOutcome | null, files: Array<string>, };

export type ImportKind = "gitops_folder" | "values_file" | "manifest" | "release_template" | "cluster_values";

export type ImportedCommons = { kind: ImportKind, answers: CommonsAnswers, warnings: Array<Finding>, summary: string, };

export type UrlRequest = { url: string, };

export type SecretStoreRequest = { draft_id: string, idp: string, secret: string, };

export type WizardImportResult = { imported: ImportedCommons, commons: Commons | null, draft: Draft | null, };

export type PendingCommands = {
  wizard_catalog: { request: null; response: Array<ServiceInfo> };
  wizard_drafts: { request: null; response: Array<DraftSummary> };
  wizard_draft_get: { request: IdRequest; response: Draft };
  wizard_draft_save: { request: Draft; response: Draft };
  wizard_draft_delete: { request: IdRequest; response: null };
  wizard_review: { request: CommonsAnswers; response: Review };
  wizard_check_dictionary: { request: UrlRequest; response: DictionaryCheck };
  wizard_gitops_status: { request: PathRequest; response: GitopsRepo };
  wizard_secret_store: { request: SecretStoreRequest; response: null };
  wizard_import: { request: PathRequest; response: WizardImportResult };
  wizard_launch: { request: LaunchRequest; response: LaunchReport };
  wizard_launch_cancel: { request: null; response: null };
};

export type PendingEvents = {
  "launch-progress": LaunchProgress;
};
