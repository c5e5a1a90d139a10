// Generated from the Rust types in src-tauri/crates/csoc-app (api.rs). Do not edit by hand:
// run `UPDATE_BINDINGS=1 cargo test -p csoc-app bindings` after changing them.

export type ErrorCode = "invalid" | "not_found" | "conflict" | "db_too_new" | "db_corrupt" | "db_unavailable" | "io" | "keyring_unavailable" | "vault_locked" | "unreachable" | "tls" | "unauthorized" | "key_expired" | "key_rejected" | "key_set_aside" | "not_gen3" | "malformed_response" | "tool_missing" | "tool_failed";

export type CoreError = { code: ErrorCode, message: string, };

export type Environment = "production" | "staging" | "dev" | "other";

export type Relation = "we_run_it" | "associated";

export type Deployment = { "kind": "gitops", folder: string, } | { "kind": "kube", context: string, namespace: string, } | { "kind": "unknown" };

export type CommonsDraft = { name: string, 
/**
 * A DNS name or an https URL as typed; stored normalized (`https://host[:port]`).
 */
base_url: string, environment: Environment, relation: Relation, owner: string, contact: string, tags: Array<string>, notes: string, 
/**
 * Expected Gen3 release, `YYYY.MM`.
 */
expected_release: string | null, deployment: Deployment, 
/**
 * Names of the meshes this commons belongs to.
 */
meshes: Array<string>, 
/**
 * A private CA (PEM) the commons' TLS certificate chains to, trusted for this commons only.
 */
ca_pem: string | null, };

export type Commons = { id: string, 
/**
 * Unix milliseconds.
 */
created_at: number, updated_at: number, name: string, 
/**
 * A DNS name or an https URL as typed; stored normalized (`https://host[:port]`).
 */
base_url: string, environment: Environment, relation: Relation, owner: string, contact: string, tags: Array<string>, notes: string, 
/**
 * Expected Gen3 release, `YYYY.MM`.
 */
expected_release: string | null, deployment: Deployment, 
/**
 * Names of the meshes this commons belongs to.
 */
meshes: Array<string>, 
/**
 * A private CA (PEM) the commons' TLS certificate chains to, trusted for this commons only.
 */
ca_pem: string | null, };

export type Mesh = { name: string, description: string, 
/**
 * Ids of member commons.
 */
members: Array<string>, };

export type SortKey = "environment" | "name" | "host" | "updated" | "problems";

export type BoardProblem = "down" | "degraded" | "healthy" | "unreachable_here" | "never_checked" | "services_down" | "certs_expired" | "certs_expiring" | "keys_expired" | "keys_expiring" | "checks_failing" | "drifting";

export type InventoryFilter = { 
/**
 * Matches name, host, owner, contact, notes and tags, case-insensitively.
 */
search: string, environment: Environment | null, relation: Relation | null, tag: string | null, mesh: string | null, sort: SortKey, 
/**
 * The board only: commons in this state or with this problem (the inventory list ignores it).
 */
problem: BoardProblem | null, 
/**
 * At most this many rows, the first in the order (the window's first screen at start-up, so
 * it paints before the whole fleet crosses the IPC); totals and counts still cover every match.
 */
limit?: number, };

export type FieldError = { field: string, message: string, };

export type Freshness = { source: string, last_attempted: number | null, last_successful: number | null, last_error: string | null, };

export type InventoryView = { commons: Array<Commons>, 
/**
 * How many commons the inventory holds before filtering (for "3 of 12").
 */
total: number, tags: Array<string>, meshes: Array<Mesh>, freshness: Freshness, 
/**
 * Unix ms at which this view was read from the cache.
 */
read_at: number, };

export type IdRequest = { id: string, };

export type NameRequest = { name: string, };

export type PathRequest = { path: string, };

export type ValidateRequest = { 
/**
 * The commons being edited, so its own URL is not reported as a duplicate.
 */
id: string | null, draft: CommonsDraft, };

export type UpdateRequest = { id: string, draft: CommonsDraft, };

export type AppStatus = { version: string, data_dir: string, db_path: string, log_dir: string, 
/**
 * Set when the cache could not be opened; the UI shows it and, for `db_corrupt`, offers to
 * move the file aside.
 */
store_error: CoreError | null, 
/**
 * Where a damaged cache was moved by `store_move_aside`, to tell the user.
 */
moved_aside_to: string | null, 
/**
 * The app shows the simulated demo fleet, from its own cache.
 */
demo: boolean, 
/**
 * Started with `--demo` and the demo fleet not started yet: the UI starts it once its first
 * screen has painted, so neither the simulator nor the keyring holds up the window.
 */
demo_on_start: boolean, 
/**
 * The path named with `--import`: the UI opens the import of it.
 */
import_path: string | null, };

export type InventoryChanged = { 
/**
 * Unix ms of the change.
 */
at: number, };

export type ExportSummary = { path: string, commons: number, meshes: number, };

export type ImportSummary = { added: number, updated: number, meshes: number, };

export type KeyInfo = { 
/**
 * The commons' base URL, from the key's `iss` without the `/user` path.
 */
commons_url: string, 
/**
 * `key_id` = the JWT's `jti`; fence lists and revokes keys by it.
 */
key_id: string, 
/**
 * fence's user id (`sub`).
 */
subject: string, scopes: Array<string>, issued_at: number | null, 
/**
 * Unix seconds.
 */
expires_at: number, 
/**
 * The key's last four characters, so a user can tell two keys apart ("ends in 7f3a").
 */
ends_with: string, };

export type KeySource = { "kind": "text", text: string, } | { "kind": "file", path: string, } | { "kind": "profile", source: string, };

export type KeyPreview = { info: KeyInfo, 
/**
 * The commons with the key's URL, if the inventory has it.
 */
commons: Commons | null, 
/**
 * The key already stored for that commons, which importing would replace.
 */
replaces: KeyInfo | null, };

export type NewCommons = { name: string, environment: Environment, };

export type ImportKeyRequest = { source: KeySource, 
/**
 * Set when the user agreed to add the key's commons to the inventory.
 */
add_commons: NewCommons | null, };

export type PassphraseRequest = { passphrase: string, };

export type ProfileCandidate = { 
/**
 * "gen3sdk: crdc" or "gen3-client: default"; pass it back as a `profile` source.
 */
source: string, info: KeyInfo | null, 
/**
 * Why the profile cannot be imported, in words.
 */
problem: string | null, commons_name: string | null, };

export type VaultMode = "unset" | "keyring" | "passphrase";

export type VaultStatus = { mode: VaultMode, 
/**
 * Secrets can be read and written now.
 */
unlocked: boolean, 
/**
 * Why the keyring cannot be used, when it cannot (words for the user).
 */
keyring_problem: string | null, };

export type KeyStatus = "valid" | "expiring" | "expired" | "rejected";

export type CredentialView = { commons_id: string, commons_name: string, base_url: string, production: boolean, info: KeyInfo, status: KeyStatus, imported_at: number, last_test_at: number | null, 
/**
 * The last test's failure, in words; `None` after a successful test.
 */
last_test_error: string | null, 
/**
 * The user name fence reported at the last successful test.
 */
user_name: string | null, 
/**
 * Set when the commons' URL no longer matches the origin the key is bound to: the key is not
 * sent anywhere until the operator confirms the new URL or imports a new key. The words say why.
 */
set_aside: string | null, };

export type ServiceState = "healthy" | "degraded" | "down" | "not_deployed" | "unknown" | "needs_key";

export type CertInfo = { 
/**
 * Unix seconds of the leaf certificate's `notAfter`.
 */
not_after: number | null, 
/**
 * Why the certificate is not trusted, if it is not (expired, unknown issuer, wrong name).
 */
problem: string | null, };

export type Counts = { objects: number | null, bytes: number | null, };

export type ServiceStatus = { service: string, state: ServiceState, since: number, latency_ms: number | null, version: string | null, detail: string | null, };

export type KeySummary = { status: KeyStatus, expires_at: number, };

export type CheckStatus = { check: string, 
/**
 * What it is about, in words.
 */
title: string, ok: boolean, summary: string, 
/**
 * Since when it has been passing or failing.
 */
since: number, checked_at: number, 
/**
 * What it read (the JWKS fingerprint, IdP ids, ETL time, counts), for comparisons.
 */
fact: string | null, };

export type CommonsHealth = { commons: Commons, 
/**
 * The worst state across services; `unknown` before the first sweep, and for a commons this
 * computer cannot reach when that says nothing about the commons (see `unreachable_here`).
 */
overall: ServiceState, 
/**
 * The last check could not reach the commons, and either it was never reached from here or
 * nothing else was reachable either (offline, off the VPN): "unreachable from here", not down.
 */
unreachable_here: boolean, last_attempted: number | null, last_successful: number | null, 
/**
 * Why the last attempt failed to reach the commons.
 */
error: string | null, services: Array<ServiceStatus>, cert: CertInfo | null, counts: Counts, dictionary_version: string | null, helm: boolean | null, key: KeySummary | null, key_error: string | null, 
/**
 * Services whose image version names another release than the expected one, e.g. "fence 2025.06".
 */
drift: Array<string>, 
/**
 * The outside-in checks (fence's issuer and keys, IdPs, ETL age, mesh), failing first.
 */
checks: Array<CheckStatus>, };

export type FleetSummary = { commons: number, commons_down: number, commons_degraded: number, services_down: number, certs_expiring: number, certs_expired: number, keys_expiring: number, keys_expired: number, drifting: number, never_checked: number, 
/**
 * Commons not reached from this computer that are not known to be down.
 */
unreachable_here: number, 
/**
 * Commons with at least one failing outside-in check.
 */
checks_failing: number, healthy: number, 
/**
 * Commons with at least one service down (the link behind `services_down`).
 */
commons_with_services_down: number, };

export type FleetView = { 
/**
 * Production first, then by name.
 */
rows: Array<CommonsHealth>, 
/**
 * How many rows the filters match: more than `rows` holds when the request had a `limit`.
 */
matched: number, summary: FleetSummary, 
/**
 * The board's columns, in catalog order.
 */
services: Array<string>, freshness: Freshness, 
/**
 * The last sweep reached no commons at all.
 */
offline: boolean, read_at: number, };

export type HistoryRange = "day" | "week" | "month";

export type HistoryPoint = { at: number, 
/**
 * Share of healthy answers among deployed services in this bucket (0..1); null with no samples.
 */
uptime: number | null, latency_ms: number | null, };

export type StateChange = { commons_id: string, commons_name: string, 
/**
 * A catalog service id, or "commons" for the commons as a whole (reachable or not).
 */
service: string, from: ServiceState, to: ServiceState, at: number, detail: string | null, };

export type CommonsHealthDetail = { health: CommonsHealth, range: HistoryRange, history: Array<HistoryPoint>, changes: Array<StateChange>, read_at: number, };

export type HealthRequest = { id: string, range: HistoryRange, };

export type SweepScope = { "kind": "all" } | { "kind": "commons", id: string, } | { "kind": "mesh", name: string, };

export type SweepProgress = { done: number, total: number, };

export type AlertKind = "certificate" | "api_key";

export type ExpiryAlert = { commons_id: string, commons_name: string, kind: AlertKind, expires_at: number, 
/**
 * The threshold crossed; 0 means it has expired.
 */
threshold_days: number, };

export type SweepReport = { probed: number, reachable: number, cancelled: boolean, changes: Array<StateChange>, alerts: Array<ExpiryAlert>, };

export type MonitorSettings = { 
/**
 * Seconds between scheduled sweeps; 0 turns the schedule off.
 */
interval_secs: number, notifications: boolean, 
/**
 * Days before a TLS certificate's expiry at which to warn, e.g. [30, 14, 7, 1].
 */
cert_warn_days: Array<number>, key_warn_days: Array<number>, 
/**
 * The explorer's data is stale when guppy's last ETL ran more than this many days ago.
 */
etl_stale_days: number, 
/**
 * Seconds between readings of a commons' slow-moving facts: its outside-in checks (fence's
 * issuer and keys, IdPs, ETL age, mesh) and its services' versions; every sweep when 0.
 */
checks_interval_secs: number, };

export type TeamConflict = { 
/**
 * `commons` or `mesh`.
 */
kind: string, 
/**
 * The commons' id or the mesh's name.
 */
key: string, 
/**
 * A field name, or `*` when one side deleted the record and the other edited it.
 */
field: string, 
/**
 * The record's name for people.
 */
label: string, 
/**
 * This inventory's value, as text (`(deleted)` for a deleted record).
 */
mine: string, theirs: string, mine_by: string, mine_at: number | null, theirs_by: string, theirs_at: number | null, };

export type TeamStatus = { joined: boolean, 
/**
 * The repository, without any credential in its URL.
 */
repo: string | null, folder: string | null, branch: string | null, last_attempted: number | null, last_synced: number | null, 
/**
 * Why the last sync failed (the repository could not be reached, a file there is broken).
 */
last_error: string | null, 
/**
 * The last sync could not reach the repository: changes made here wait for the next one.
 */
offline: boolean, 
/**
 * Records changed here and not in the repository yet.
 */
pending: number, conflicts: Array<TeamConflict>, };

export type TeamJoin = { 
/**
 * A clone URL (https, ssh) or the path of a repository.
 */
repo: string, 
/**
 * The inventory's folder in the repository; default `csoc/inventory`.
 */
folder: string | null, 
/**
 * The commit author for this operator's changes, when git has none configured.
 */
name: string | null, email: string | null, };

export type Keep = "mine" | "theirs";

export type TeamResolve = { 
/**
 * `commons` or `mesh`.
 */
kind: string, key: string, field: string, keep: Keep, };

export type WebhookKind = "slack" | "generic";

export type WebhookSetRequest = { kind: WebhookKind, url: string | null, };

export type GitopsDestination = { 
/**
 * Path of the local clone.
 */
repo_path: string, 
/**
 * Folder of the cluster inside the repository (`unfunded`, `bihprod`); the commons folder is
 * `<cluster_folder>/<hostname>`.
 */
cluster_folder: string, 
/**
 * Argo CD project of the Application.
 */
argo_project: string, 
/**
 * Destination namespace in the cluster.
 */
namespace: string, release_name: string, 
/**
 * URL Argo CD reads the values from (the `ref: values` source).
 */
values_repo_url: string, 
/**
 * gen3-helm branch or tag Argo CD renders; empty: what the repository's other Applications
 * track (`master`, upstream's, when there are none).
 */
chart_revision: string, };

export type HelmDestination = { 
/**
 * Empty: helm's current context.
 */
kube_context: string, namespace: string, release_name: string, 
/**
 * Empty: the newest gen3 chart.
 */
chart_version: string, 
/**
 * Folder the values and user.yaml are written to before helm reads them.
 */
output_dir: string, };

export type Destination = { "kind": "gitops" } & GitopsDestination | { "kind": "helm" } & HelmDestination;

export type Identity = { 
/**
 * Name in the inventory.
 */
name: string, hostname: string, environment: Environment, 
/**
 * `YYYY.MM`: every service image follows this monthly release tag.
 */
release: string, 
/**
 * AWS ACM certificate ARN for revproxy's load balancer; empty when TLS is set up otherwise.
 */
revproxy_arn: string, };

export type DatabaseMode = "dev" | "external";

export type Database = { mode: DatabaseMode, host: string, port: number, username: string, 
/**
 * Name of the secret (AWS Secrets Manager / External Secret) holding the master password.
 */
password_secret_name: string, 
/**
 * Render ExternalSecret resources (`global.externalSecrets.deploy`).
 */
external_secrets: boolean, aws_region: string, };

export type ProviderKind = "google" | "generic_oidc" | "fence" | "ras";

export type LoginProvider = { kind: ProviderKind, 
/**
 * Key under `OPENID_CONNECT` and in the login options (`google`, `fence`, `ras`, or a name for
 * a generic provider).
 */
idp: string, 
/**
 * Label on the login button.
 */
label: string, client_id: string, 
/**
 * Generic OIDC and RAS: the provider's `.well-known/openid-configuration` URL.
 */
discovery_url: string, 
/**
 * Fence as IdP: the hub's `https://<hub>/user`.
 */
api_base_url: string, 
/**
 * A client secret for this provider is in the vault (the value never leaves it).
 */
secret_stored: boolean, };

export type Login = { providers: Array<LoginProvider>, 
/**
 * `idp` of the default login option; empty: the first provider.
 */
default_idp: string, 
/**
 * Mock login (`MOCK_AUTH`/`MOCK_GOOGLE_AUTH`): for dev commons only.
 */
mock_login: boolean, };

export type ProgramSpec = { name: string, projects: Array<string>, };

export type GroupSpec = { name: string, users: Array<string>, policies: Array<string>, };

export type PolicySpec = { id: string, description: string, role_ids: Array<string>, resource_paths: Array<string>, };

export type UserYamlSpec = { 
/**
 * Emails of the commons' administrators: every program, submission and indexd admin.
 */
admins: Array<string>, programs: Array<ProgramSpec>, groups: Array<GroupSpec>, extra_policies: Array<PolicySpec>, 
/**
 * Extra resource paths (e.g. `/dashboard`) for extra policies to grant on.
 */
extra_resources: Array<string>, 
/**
 * Anyone, logged in or not, may read `/open` (peregrine, guppy and file downloads).
 */
open_data: boolean, };

export type Authorization = { spec: UserYamlSpec, 
/**
 * The operator's own user.yaml text; when set it is used instead of the structured spec.
 */
raw: string | null, };

export type GuppyIndex = { index: string, type: string, };

export type ServiceSettings = { 
/**
 * GUID prefix indexd mints (`dg.XXXX/`).
 */
indexd_prefix: string, dictionary_url: string, 
/**
 * `gitops` for a configured portal, `dev` for the default.
 */
portal_app: string, guppy_indices: Array<GuppyIndex>, guppy_config_index: string, };

export type ImportedBase = { 
/**
 * Merged Helm values, as JSON (YAML values are JSON-compatible here).
 */
values: unknown, 
/**
 * Names of the split values files in the order Argo CD reads them (`values.yaml` first).
 */
split_files: Array<string>, 
/**
 * Repo-relative folder the commons came from.
 */
folder: string, app: unknown, chart: unknown, 
/**
 * Legacy manifest blocks with no Helm home (sower, hatchery, canary...), kept for manifest.json.
 */
legacy: unknown, 
/**
 * Every file as it was read, so that writing the commons again edits these texts in place:
 * unchanged files keep every byte, and an edit changes only its own lines.
 */
sources: Array<SourceFile>, };

export type SourceFile = { path: string, text: string, };

export type CommonsAnswers = { destination: Destination, identity: Identity, database: Database, 
/**
 * gen3-helm subchart names to enable (the catalog's names, e.g. `fence`, `guppy`).
 */
services: Array<string>, login: Login, authorization: Authorization, settings: ServiceSettings, 
/**
 * Also write a legacy cloud-automation `manifest.json` beside the values.
 */
legacy_manifest: boolean, 
/**
 * Codes of production security findings the operator acknowledged in the review.
 */
acknowledged: Array<string>, 
/**
 * What an imported commons carried beyond these answers; the generator starts from it so a
 * re-launch changes only what the operator edited.
 */
base: ImportedBase | null, };

export type Severity = "warning" | "error";

export type Finding = { severity: Severity, 
/**
 * Stable identifier (`mock_auth`, `unknown_key`, `policy_missing_role`, ...), used to
 * acknowledge a finding and by tests.
 */
code: string, 
/**
 * What is wrong, why it matters and what to do.
 */
message: string, 
/**
 * The file (relative path, e.g. `values/values.yaml`, `user.yaml`) the finding is about.
 */
file: string | null, 
/**
 * Dotted key path within that file (`global.dev`, `fence.FENCE_CONFIG.MOCK_AUTH`).
 */
key: string | null, 
/**
 * Production security findings are errors the operator may acknowledge to go on; other
 * errors must be fixed.
 */
acknowledgeable: boolean, };

export type FileChange = "new" | "changed" | "unchanged";

export type FileReview = { path: string, contents: string, change: FileChange, 
/**
 * Unified diff against the file on disk (empty for new and unchanged files).
 */
diff: string, };

export type StepFinding = { 
/**
 * The wizard step that fixes it (1-7).
 */
step: number, 
/**
 * `code@key`: what the operator acknowledges.
 */
ack_id: string, acknowledged: boolean, finding: Finding, };

export type Review = { files: Array<FileReview>, findings: Array<StepFinding>, 
/**
 * Errors not fixed or acknowledged: the launch is refused while this is true.
 */
blocked: boolean, 
/**
 * Where the files go (the gitops clone or the helm output folder).
 */
root: string, };

export type Category = "core" | "frontend" | "data_explorer" | "workspaces" | "imaging" | "ohdsi" | "ai" | "other" | "infrastructure";

export type Requirement = { any_of: Array<string>, 
/**
 * Why, in words for the operator.
 */
why: string, 
/**
 * Without it the service does not work at all (an error); otherwise a feature is missing (a
 * warning). Real commons run hatchery without manifestservice, wts or ambassador, and
 * guppy against an Elasticsearch outside the chart, so those are soft.
 */
hard: boolean, };

export type ServiceInfo = { 
/**
 * The dependency's name in `Chart.yaml`, also its key in the values.
 */
name: string, category: Category, description: string, 
/**
 * The values path that turns it on (`Chart.yaml` `condition`); `None` for the `common` library,
 * which is always part of the chart.
 */
condition: string | null, 
/**
 * What the umbrella `values.yaml` sets at `condition`.
 */
default_enabled: boolean, requires: Array<Requirement>, };

export type DraftKind = "commons" | "mesh";

export type Draft = { 
/**
 * Empty for a draft not saved yet; `save` gives it an id.
 */
id: string, kind: DraftKind, 
/**
 * What the list of drafts shows (the hostname, the mesh name).
 */
title: string, 
/**
 * The wizard step reached, numbered from 1 as the wizard shows it (the review's `STEP_*`).
 */
step: number, 
/**
 * The wizard's answers as it keeps them.
 */
answers: unknown, 
/**
 * Unix ms of the last save; set by `save`.
 */
updated_at: number, };

export type DraftSummary = { id: string, kind: DraftKind, title: string, step: number, updated_at: number, };

export type DictionaryCheck = { url: string, 
/**
 * Node schemas (entries other than the `_`-prefixed helper files and the metaschema).
 */
node_count: number, 
/**
 * Node ids, sorted, for the operator to recognise the dictionary.
 */
nodes: Array<string>, };

export type GitopsRepo = { 
/**
 * The checked-out branch; `None` on a detached HEAD.
 */
branch: string | null, 
/**
 * The remote a launch pushes to: the branch's upstream remote, else `origin`, else the first.
 */
remote_name: string, 
/**
 * The remote's URL, with any user name or token in it removed.
 */
remote_url: string, 
/**
 * No uncommitted or untracked changes (a launch never touches them either way).
 */
clean: boolean, 
/**
 * The commit HEAD points at; `None` in a clone without commits.
 */
head: string | null, };

export type ArgoSync = { 
/**
 * The Argo CD Application's name (`metadata.name`).
 */
name: string, 
/**
 * The namespace the commons is deployed into (`spec.destination.namespace`).
 */
namespace: string | null, 
/**
 * The cluster (`spec.destination.server`).
 */
server: string | null, 
/**
 * The Helm release name of the chart source.
 */
release_name: string | null, 
/**
 * The gen3-helm revision the chart comes from.
 */
chart_revision: string | null, 
/**
 * The gitops revision the value files are read from: Argo CD deploys the new branch only
 * after it is merged there.
 */
values_revision: string | null, 
/**
 * The value files, as Argo CD names them (`$values/<path>`).
 */
value_files: Array<string>, };

export type GitLaunch = { branch: string, 
/**
 * The new commit's full hash.
 */
commit: string, remote: string, 
/**
 * The remote's URL, without credentials.
 */
remote_url: string, 
/**
 * The branch the clone had checked out, which the new branch was made from.
 */
base_branch: string | null, 
/**
 * The committed files, relative to the chosen folder.
 */
files: Array<string>, argo_app: ArgoSync | null, };

export type HelmOutcome = { 
/**
 * `None` when helm was stopped by a signal (a cancel).
 */
exit_code: number | null, cancelled: boolean, };

export type ServiceProbe = { service: string, state: ServiceState, latency_ms: number | null, version: string | null, 
/**
 * Why the state is not healthy, in words.
 */
detail: string | null, };

export type WatchResult = "healthy" | "timed_out" | "cancelled";

export type WatchProgress = { 
/**
 * The services waited for, in the board's order, with their state and why.
 */
services: Array<ServiceProbe>, 
/**
 * How many of `services` are healthy.
 */
healthy: number, 
/**
 * How many services are waited for (`services.len()`).
 */
expected: number, 
/**
 * The services not healthy yet.
 */
waiting_for: Array<string>, 
/**
 * Enabled services that have no public status route, so cannot be checked from here.
 */
not_checked: Array<string>, 
/**
 * The commons answered at all (revproxy or its load balancer).
 */
reachable: boolean, 
/**
 * Why it cannot be reached, in words.
 */
error: string | null, 
/**
 * Rounds of probes so far.
 */
attempts: number, elapsed_ms: number, };

export type WatchOutcome = { result: WatchResult, 
/**
 * The last round of probes (`None` when cancelled before the first finished).
 */
progress: WatchProgress | null, 
/**
 * What happened, in words for the operator.
 */
message: string, };

export type LaunchRequest = { answers: CommonsAnswers, 
/**
 * The target as the operator confirmed it: the hostname, typed, for production; otherwise
 * the hostname the confirmation dialog named.
 */
confirmation: string, 
/**
 * How long to watch the commons come up, in seconds (0: do not watch).
 */
watch_secs: number, 
/**
 * The draft the answers belong to: its client secrets are in the vault under this id.
 */
draft_id: string, };

export type LaunchPhase = "writing" | "pushing" | "helm" | "registering" | "waiting_for_merge" | "watching";

export type MergeResult = "merged" | "said_merged" | "timed_out" | "cancelled" | "unknown";

export type MergeWait = { branch: string, 
/**
 * The branch Argo CD deploys from; `None` when unknown.
 */
into: string | null, result: MergeResult, message: string, };

export type LaunchProgress = { phase: LaunchPhase, message: string, 
/**
 * A line of helm output, when the phase is `helm`.
 */
line: string | null, watch: WatchProgress | null, };

export type LaunchReport = { commons_id: string | null, git: GitLaunch | null, helm: HelmOutcome | null, 
/**
 * GitOps with watching: whether the branch was merged before the watch began.
 */
merge: MergeWait | null, watch: WatchOutcome | null, files: Array<string>, 
/**
 * What the launch could not deliver and where the operator must put it (client secrets with
 * External Secrets or in GitOps mode).
 */
notes: Array<string>, };

export type ImportKind = "gitops_folder" | "values_file" | "manifest" | "release_template" | "cluster_values";

export type ImportedCommons = { kind: ImportKind, answers: CommonsAnswers, warnings: Array<Finding>, 
/**
 * One line for the operator: what was read.
 */
summary: string, };

export type UrlRequest = { url: string, };

export type SecretStoreRequest = { draft_id: string, idp: string, secret: string, };

export type WizardImportResult = { imported: ImportedCommons, 
/**
 * The inventory record added or refreshed (none for a release template or cluster file).
 */
commons: Commons | null, 
/**
 * The draft to edit and re-launch the imported commons from.
 */
draft: Draft | null, };

export type ObjectKey = { 
/**
 * `apps/v1/Deployment`, `v1/ConfigMap`.
 */
api_version_kind: string, namespace: string, name: string, };

export type ObjectChangeKind = "added" | "changed" | "removed";

export type ObjectChange = { key: ObjectKey, change: ObjectChangeKind, diff: string, };

export type RenderComparison = { 
/**
 * Added, then changed, then removed; each sorted by kind, namespace and name.
 */
changes: Array<ObjectChange>, unchanged: number, };

export type RenderedView = { "status": "unavailable", reason: string, } | { "status": "ready", comparison: RenderComparison, 
/**
 * The chart rendered with, for the view's caption.
 */
chart_dir: string, 
/**
 * No value file was on disk yet: every object is new.
 */
first_render: boolean, };

export type RenderSettings = { 
/**
 * A gen3-helm clone, or its `helm/gen3` folder.
 */
chart_dir: string, };

export type SelectFieldText = { field_name: string, field_value: string, };

export type DetailedMapping = { path?: string | null, 
/**
 * Applied in order: `strip_html`, `strip_email`, `normalize_value`, `normalize_tags`, ...
 */
filters?: Array<string> | null, 
/**
 * Filter name → its parameter (e.g. the value map of `normalize_value`).
 */
filterParams?: Record<string, unknown> | null, 
/**
 * Used when the path finds nothing.
 */
default?: unknown, };

export type FieldMapping = string | DetailedMapping | unknown;

export type MeshMemberSpec = { 
/**
 * The name the hub lists this commons under.
 */
name: string, 
/**
 * The commons' URL, `https://host[:port]`.
 */
base_url: string, 
/**
 * Where the gen3 adapter reads metadata; the commons' root (`<base_url>/`) when absent.
 */
mds_url: string | null, guid_type: string | null, study_field: string | null, 
/**
 * The mappings; [`default_field_mappings`] when absent.
 */
field_mappings: { [key in string]?: FieldMapping } | null, select_field: SelectFieldText | null, keep_original_fields: boolean, };

export type MeshHub = { 
/**
 * The hub in the inventory, if it is there.
 */
commons_id: string | null, name: string, 
/**
 * `https://host[:port]`.
 */
base_url: string, 
/**
 * The hub's commons folder in a local gen3-gitops clone: the configuration is written there.
 */
gitops_folder: string, };

export type MeshMemberAnswer = { 
/**
 * The member in the inventory; none for an external commons known only by URL.
 */
commons_id: string | null, 
/**
 * How the hub reads its metadata (name, URL, mappings, select field).
 */
adapter: MeshMemberSpec, 
/**
 * Its `indexd.defaultPrefix` (`dg.XXXX/`), for GUID resolution through the hub.
 */
indexd_prefix: string, 
/**
 * The client id the hub's WTS has at this member's fence (empty: not registered yet).
 */
wts_client_id: string, 
/**
 * The member's users log in through the hub's fence.
 */
login_through_hub: boolean, 
/**
 * The member fence's client id at the hub's fence (for `login_through_hub`).
 */
hub_client_id: string, };

export type MeshAnswers = { name: string, description: string, hub: MeshHub, members: Array<MeshMemberAnswer>, 
/**
 * The Elasticsearch namespace AggMDS indexes into (`metadata.aggMdsNamespace`).
 */
aggmds_namespace: string, 
/**
 * Elasticsearch the hub's metadata service uses (`metadata.esEndpoint`); empty: the chart's.
 */
es_endpoint: string, cache_drs: boolean, 
/**
 * Write the hub WTS's `external_oidc` entries.
 */
wts: boolean, 
/**
 * Write the hub indexd's `dist` entries.
 */
indexd_dist: boolean, 
/**
 * A whole AggMDS configuration (JSON) imported or edited by hand; used instead of generating.
 */
aggmds_json: string | null, };

export type MemberSnippet = { member: string, 
/**
 * Values to merge into that member's own gen3-gitops values.
 */
yaml: string, };

export type MeshBuild = { 
/**
 * The hub's commons-wizard answers with the mesh applied: review and launch them as any commons.
 */
hub: CommonsAnswers, 
/**
 * The AggMDS configuration written into the hub's values, pretty-printed.
 */
aggmds_json: string, member_snippets: Array<MemberSnippet>, findings: Array<Finding>, };

export type MappedRecord = { guid: string, 
/**
 * The hub's `gen3_discovery` object; null when the hub would leave the record out.
 */
mapped: Record<string, unknown> | null, 
/**
 * Why the hub would leave the record out.
 */
excluded: string | null, 
/**
 * Mapped fields whose path finds no value and that have no default (null at the hub).
 */
missing_fields: Array<string>, 
/**
 * Mapped fields whose path finds no value, given their default.
 */
defaulted_fields: Array<string>, 
/**
 * What the preview could not reproduce exactly, or what the hub would log, in words.
 */
notes: Array<string>, };

export type MemberPreview = { name: string, 
/**
 * The request the hub's gen3 adapter would make, as fetched.
 */
url: string, records: Array<MappedRecord>, error: CoreError | null, };

export type MemberReport = { commons_id: string | null, name: string, base_url: string, health: ServiceState | null, 
/**
 * Its metadata service answered the adapter's query.
 */
mds_reachable: boolean, 
/**
 * Discovery records it publishes.
 */
records: bigint | null, 
/**
 * `records` stopped at the query limit: the member has at least that many.
 */
records_at_least: boolean, 
/**
 * Whether the hub lists it; none when the hub's list is unknown.
 */
in_hub: boolean | null, error: CoreError | null, };

export type HubReport = { base_url: string, 
/**
 * `aggregate_metadata_enabled` of the hub's `/mds/_status`.
 */
aggregate_enabled: boolean | null, 
/**
 * The hub's `/mds/aggregate/commons`: at most 10 names, the commons with most records first.
 */
commons: Array<string> | null, 
/**
 * Configured members that list left out (it was full), found at the hub when asked one by one.
 */
confirmed: Array<string>, 
/**
 * Configured members the full list left out and whose records at the hub could not be read.
 */
unconfirmed: Array<string>, 
/**
 * Configured, but the hub holds no records from them.
 */
missing: Array<string>, 
/**
 * Listed by the hub, but not configured.
 */
extra: Array<string>, 
/**
 * Records in the hub's aggregate index.
 */
total_records: bigint | null, error: CoreError | null, };

export type MeshReport = { hub: HubReport | null, members: Array<MemberReport>, 
/**
 * The mesh's problems, most serious first, in words.
 */
problems: Array<string>, checked_at: number, };

export type ActivityKind = "sweep" | "state_change" | "inventory_change" | "inventory_import" | "inventory_export" | "key_import" | "key_test" | "key_delete" | "key_confirm" | "wizard_save" | "launch" | "config_write" | "team_sync";

export type ActivityResult = "ok" | "failed" | "cancelled";

export type ActivityEntry = { id: number, 
/**
 * Unix ms.
 */
at: number, kind: ActivityKind, commons_id: string | null, 
/**
 * The commons' name when the entry was written (it may since be renamed or deleted).
 */
commons_name: string | null, 
/**
 * The OS user the app ran as.
 */
user: string, summary: string, result: ActivityResult, };

export type ActivityFilter = { commons_id: string | null, kind: ActivityKind | null, 
/**
 * Newest first, at most this many (default and cap 5000).
 */
limit: number | null, };

export type ActivityExportRequest = { path: string, filter: ActivityFilter, };

export type KeyringFacts = { 
/**
 * The OS keyring this platform uses ("Secret Service (D-Bus)", "macOS Keychain", ...).
 */
backend: string, 
/**
 * The keyring answered a read.
 */
reachable: boolean, 
/**
 * Why it did not, in words.
 */
problem: string | null, 
/**
 * How the vault protects its key (unknown when the cache did not open).
 */
vault_mode: VaultMode | null, };

export type CacheFacts = { path: string, 
/**
 * The database with its WAL and shared-memory files.
 */
size_bytes: number, 
/**
 * SQLite's `quick_check` verdict ("ok" when healthy).
 */
quick_check: string, 
/**
 * The schema version in the file and the newest this app writes.
 */
schema_version: number, latest_schema: number, 
/**
 * Why the cache could not be opened, when it could not.
 */
error: string | null, };

export type CommonsReach = { id: string, name: string, base_url: string, reachable: boolean, 
/**
 * "connected in 23 ms", "connection refused", "no answer within 3 s", "name not found".
 */
detail: string, };

export type Diagnostics = { app_version: string, 
/**
 * Operating system and architecture.
 */
os: string, 
/**
 * The WebKitGTK the window runs on, as the package manager reports it (Linux only).
 */
webkit_version: string | null, keyring: KeyringFacts, cache: CacheFacts, log_dir: string, 
/**
 * The newest ERROR lines of the log files, newest last.
 */
last_errors: Array<string>, commons: Array<CommonsReach>, collected_at: number, };

export type CollectSummary = { path: string, 
/**
 * The names of the zip's entries.
 */
entries: Array<string>, bytes: number, };

/** Each command's request (passed as `request`) and response. */
export type Commands = {
  app_status: { request: null; response: AppStatus };
  store_move_aside: { request: null; response: AppStatus };
  first_paint: { request: null; response: null };
  inventory_list: { request: InventoryFilter; response: InventoryView };
  commons_get: { request: IdRequest; response: Commons };
  commons_validate: { request: ValidateRequest; response: Array<FieldError> };
  commons_create: { request: CommonsDraft; response: Commons };
  commons_update: { request: UpdateRequest; response: Commons };
  commons_delete: { request: IdRequest; response: null };
  mesh_save: { request: Mesh; response: null };
  mesh_delete: { request: NameRequest; response: null };
  inventory_export: { request: PathRequest; response: ExportSummary };
  inventory_import: { request: PathRequest; response: ImportSummary };
  vault_status: { request: null; response: VaultStatus };
  vault_use_passphrase: { request: PassphraseRequest; response: VaultStatus };
  credentials_preview: { request: KeySource; response: KeyPreview };
  credentials_import: { request: ImportKeyRequest; response: CredentialView };
  credentials_profiles: { request: null; response: Array<ProfileCandidate> };
  credentials_list: { request: null; response: Array<CredentialView> };
  credentials_test: { request: IdRequest; response: CredentialView };
  credentials_delete: { request: IdRequest; response: null };
  credentials_confirm_url: { request: IdRequest; response: CredentialView };
  fleet_view: { request: InventoryFilter; response: FleetView };
  commons_health: { request: HealthRequest; response: CommonsHealthDetail };
  sweep_start: { request: SweepScope; response: null };
  sweep_cancel: { request: null; response: null };
  monitor_settings: { request: null; response: MonitorSettings };
  monitor_settings_save: { request: MonitorSettings; response: MonitorSettings };
  demo_start: { request: null; response: AppStatus };
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
  wizard_launch_merged: { request: null; response: null };
  wizard_rendered: { request: CommonsAnswers; response: RenderedView };
  render_settings: { request: null; response: RenderSettings };
  render_settings_save: { request: RenderSettings; response: RenderSettings };
  mesh_wizard_build: { request: MeshAnswers; response: MeshBuild };
  mesh_wizard_preview: { request: MeshAnswers; response: Array<MemberPreview> };
  mesh_wizard_save: { request: MeshAnswers; response: Mesh };
  mesh_aggmds_import: { request: PathRequest; response: string };
  mesh_view: { request: NameRequest; response: MeshReport };
  activity_list: { request: ActivityFilter; response: Array<ActivityEntry> };
  activity_export: { request: ActivityExportRequest; response: number };
  diagnostics_gather: { request: null; response: Diagnostics };
  diagnostics_collect: { request: PathRequest; response: CollectSummary };
  demo_stop: { request: null; response: AppStatus };
  team_status: { request: null; response: TeamStatus };
  team_join: { request: TeamJoin; response: TeamStatus };
  team_sync: { request: null; response: TeamStatus };
  team_resolve: { request: TeamResolve; response: TeamStatus };
  webhook_list: { request: null; response: Array<WebhookKind> };
  webhook_set: { request: WebhookSetRequest; response: Array<WebhookKind> };
};

export type CommandName = keyof Commands;

/** Events the backend emits, by name, with their payloads. */
export type Events = {
  "inventory-changed": InventoryChanged;
  "sweep-progress": SweepProgress;
  "fleet-updated": SweepReport;
  "launch-progress": LaunchProgress;
};
